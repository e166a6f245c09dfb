"""The pairing feature's tables: schedules, rounds, sign-ups, groups, sends, feedback, no-shows.

Every rule that must hold when events arrive twice is a unique key here: one round per
(channel, opening), one entry per (round, person), one feedback per (group, giver, receiver),
one no-show report per (group, reporter, absent member), one scheduled send per key. Sends are
claimed through `pair_tasks.claimed_at` (a conditional UPDATE) before anything is sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.tables import Base, Id


class PairSchedule(Base):
    """A channel's round settings: opening weekday and local time, frequency, session length.

    `anchor_at` is when they were last set; no round opens whose joining ended before it.
    """

    __tablename__ = "pair_schedules"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), unique=True
    )
    weekday: Mapped[int] = mapped_column(Integer)
    time_of_day: Mapped[str] = mapped_column(String(5))
    frequency_weeks: Mapped[int] = mapped_column(Integer)
    session_minutes: Mapped[int] = mapped_column(Integer)
    join_hours: Mapped[int] = mapped_column(Integer)
    anchor_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PairRound(Base):
    """One round of a channel: `open` while members join, `paired` once matched.

    `announced_at` is the first claim of the announcement (the sign-ups are entered with it),
    `announce_message_id` its confirmation (empty when it could not be posted: channel gone).
    """

    __tablename__ = "pair_rounds"
    __table_args__ = (
        UniqueConstraint("channel_id", "opens_at"),
        Index("ix_pair_rounds_status_closes", "status", "closes_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    session_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="open")
    announced_at: Mapped[datetime | None] = mapped_column(default=None)
    announce_message_id: Mapped[str | None] = mapped_column(String(80), default=None)
    paired_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]


class PairSignup(Base):
    """A member's standing opt-in for a channel's rounds, with their last preferences.

    Active sign-ups are entered in every new round; `skip_next` sits out the next one only.
    """

    __tablename__ = "pair_signups"
    __table_args__ = (UniqueConstraint("channel_id", "person_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    skip_next: Mapped[bool] = mapped_column(Boolean, default=False)
    level: Mapped[str] = mapped_column(String(10))
    role: Mapped[str] = mapped_column(String(12))
    availability: Mapped[str] = mapped_column(String(300))
    updated_at: Mapped[datetime]


class PairEntry(Base):
    """A member in one round: `joined`, then `placed` (with `group_id`), `unplaced` (with a
    `reason`) or `waiting` (their partner did not show and nobody could take the place).

    `left` and `skipped` entries are kept (never deleted), so that a round announced after a
    member left it does not enter them again.
    """

    __tablename__ = "pair_entries"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pair_rounds.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(10))
    role: Mapped[str] = mapped_column(String(12))
    availability: Mapped[str] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="joined")
    reason: Mapped[str | None] = mapped_column(String(20), default=None)
    group_id: Mapped[int | None] = mapped_column(Integer, default=None)
    joined_at: Mapped[datetime]


class PairGroup(Base):
    """A pair or trio of one round; `space_*` is its private space once opened.

    `slots` holds 2-3 UTC start times (ISO text); `chosen_at` is the slot the members picked.
    """

    __tablename__ = "pair_groups"
    __table_args__ = (Index("ix_pair_groups_round", "round_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pair_rounds.id", ondelete="CASCADE"))
    slots: Mapped[list[str]] = mapped_column(JSON)
    chosen_at: Mapped[datetime | None] = mapped_column(default=None)
    space_kind: Mapped[str | None] = mapped_column(String(8), default=None)
    space_id: Mapped[str | None] = mapped_column(String(80), default=None)
    rematch_of: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime]


class PairMember(Base):
    """A member of a group; `position` orders them (the first interviews first).

    `met_at` is set when the member confirmed the interview took place (or gave feedback).
    """

    __tablename__ = "pair_members"
    __table_args__ = (
        UniqueConstraint("group_id", "person_id"),
        Index("ix_pair_members_person", "person_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("pair_groups.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    met_at: Mapped[datetime | None] = mapped_column(default=None)


class PairTurn(Base):
    """One interview inside a group: who asks, who answers, and the two questions."""

    __tablename__ = "pair_turns"
    __table_args__ = (
        UniqueConstraint("group_id", "seq"),
        Index("ix_pair_turns_interviewee", "interviewee_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("pair_groups.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    interviewee_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    technical_id: Mapped[str | None] = mapped_column(String(40), default=None)
    behavioral_id: Mapped[str | None] = mapped_column(String(40), default=None)
    topic: Mapped[str | None] = mapped_column(String(40), default=None)


class PairTask(Base):
    """A scheduled send (announcement follow-ups, intros, check-ins, reminders, feedback).

    Claimed by setting `claimed_at` where it is NULL, or stale and not done (exactly one runner
    wins), finished with `done_at` and the message id; its messages go through the outbox, so a
    takeover sends only what is missing. A rescheduled reminder is `cancelled_at`, not deleted.
    """

    __tablename__ = "pair_tasks"
    __table_args__ = (Index("ix_pair_tasks_due", "kind", "claimed_at", "due_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    round_id: Mapped[int] = mapped_column(ForeignKey("pair_rounds.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("pair_groups.id", ondelete="CASCADE"), default=None
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), default=None
    )
    due_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    message_id: Mapped[str | None] = mapped_column(String(80), default=None)


class PairFeedback(Base):
    """Feedback one member gave another after their interview (shown only to the receiver)."""

    __tablename__ = "pair_feedback"
    __table_args__ = (UniqueConstraint("group_id", "from_person_id", "to_person_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("pair_groups.id", ondelete="CASCADE"))
    from_person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    to_person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    overall: Mapped[int] = mapped_column(Integer)
    strengths: Mapped[str] = mapped_column(Text)
    improve: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class PairNoShow(Base):
    """A member reported that a group partner did not come; never grouped again, placed after
    reliable members."""

    __tablename__ = "pair_no_shows"
    __table_args__ = (
        UniqueConstraint("group_id", "reporter_id", "absent_id"),
        Index("ix_pair_no_shows_absent", "absent_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pair_rounds.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("pair_groups.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    absent_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
