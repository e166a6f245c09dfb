"""The daily question's tables: schedules, posts, answers, peer reviews and tracked sends.

Every row an outside event creates has a unique key so that a redelivery is a no-op; every
message the bot posts is claimed here before it is sent and confirmed after (see DESIGN.md).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.tables import Base, Id


class DailySchedule(Base):
    """A channel's daily-question settings: when, which questions, how answers are reviewed.

    `days` holds weekday digits (Monday is 0); slots fall strictly after `active_since`, so a
    setup or a resume never posts for a time already past. `cycle` counts passes through the
    channel's question pool (a question repeats only in a later cycle).
    """

    __tablename__ = "daily_schedules"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), unique=True
    )
    post_time: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    days: Mapped[str] = mapped_column(String(7))
    packs: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    topics: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    window_hours: Mapped[int] = mapped_column(Integer)
    reveal: Mapped[str] = mapped_column(String(8))
    quorum: Mapped[int] = mapped_column(Integer)
    review_hours: Mapped[int] = mapped_column(Integer)
    reviews_first: Mapped[bool] = mapped_column(Boolean)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    active_since: Mapped[datetime]
    plan_start: Mapped[date] = mapped_column(Date)
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DailyPost(Base):
    """One question asked in a channel: claimed per (channel, slot) before it is sent.

    `slot` is the channel's local date for scheduled posts and `now-<number>` for `/daily now`.
    The phases (post, close, review end) each have a claim time and a done time: a claim that
    is old and still not done is retried, after looking for what was already sent.
    """

    __tablename__ = "daily_posts"
    __table_args__ = (
        UniqueConstraint("channel_id", "slot"),
        UniqueConstraint("channel_id", "number", name="uq_daily_posts_channel_number"),
        Index("ix_daily_posts_thread", "thread_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    slot: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    local_date: Mapped[date] = mapped_column(Date)
    question_id: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str] = mapped_column(String(40))
    difficulty: Mapped[str] = mapped_column(String(8))
    cycle: Mapped[int] = mapped_column(Integer)
    reveal: Mapped[str] = mapped_column(String(8))
    quorum: Mapped[int] = mapped_column(Integer)
    reviews_first: Mapped[bool] = mapped_column(Boolean)
    marker: Mapped[str] = mapped_column(String(32), unique=True)
    claimed_at: Mapped[datetime]
    message_id: Mapped[str | None] = mapped_column(String(64), default=None)
    thread_id: Mapped[str | None] = mapped_column(String(64), default=None)
    posted_at: Mapped[datetime | None] = mapped_column(default=None)
    closes_at: Mapped[datetime]
    review_ends_at: Mapped[datetime]
    close_claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    review_claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)


class DailyAnswer(Base):
    """A member's answer to a post; one per member, edited in place until the window closes.

    `correct` is the grade of the first version (auto-graded kinds): the private feedback shows
    the right answer, so an edit cannot earn the points afterwards. `number` is given at close.
    """

    __tablename__ = "daily_answers"
    __table_args__ = (UniqueConstraint("post_id", "person_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("daily_posts.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    via: Mapped[str] = mapped_column(String(8))
    edits: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[bool] = mapped_column(Boolean)
    correct: Mapped[bool | None] = mapped_column(Boolean, default=None)
    number: Mapped[int | None] = mapped_column(Integer, default=None)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DailyReview(Base):
    """A peer review of an answer: 1-5 per criterion plus a comment; one per reviewer."""

    __tablename__ = "daily_reviews"
    __table_args__ = (UniqueConstraint("answer_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("daily_answers.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    scores: Mapped[list[int]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    helpful: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DailyAssignment(Base):
    """An answer the bot asked a member to review (two per answerer, spread evenly)."""

    __tablename__ = "daily_assignments"
    __table_args__ = (UniqueConstraint("reviewer_id", "answer_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("daily_posts.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    answer_id: Mapped[int] = mapped_column(ForeignKey("daily_answers.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
