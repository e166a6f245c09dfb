"""The quiz feature's tables: sessions, their questions and answers, and spaced-repetition cards.

Every rule that must hold under concurrent presses is a database rule here: one running quiz
per channel (race) or per person (solo and practice) through the unique `running_key`, one
answer per (session, question, member), and the first correct answer closes a question through
a conditional UPDATE on `quiz_questions.closed_at` (see service.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.tables import Base, Id


class QuizSession(Base):
    """One quiz: `mode` is solo, practice (both private to the starter) or race (public).

    `running_key` is `race:<channel id>` or `solo:<person id>` while the quiz runs and NULL
    afterwards; its unique constraint allows one running quiz per channel or per person
    (NULLs never collide, on SQLite and on PostgreSQL alike).
    """

    __tablename__ = "quiz_sessions"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), default=None
    )
    mode: Mapped[str] = mapped_column(String(10))
    starter_person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    starter_account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE")
    )
    topic: Mapped[str | None] = mapped_column(String(40), default=None)
    difficulty: Mapped[str | None] = mapped_column(String(10), default=None)
    count: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[int] = mapped_column(Integer)
    current: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default="running")
    running_key: Mapped[str | None] = mapped_column(String(40), unique=True, default=None)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class QuizQuestion(Base):
    """One question of a session, in order; opened when asked, closed exactly once.

    `outcome` is correct / wrong (solo), won (race), timeout or stopped. `message_id` is the
    public post of a race question, stored after it was sent (so it can be edited when closed).
    """

    __tablename__ = "quiz_questions"
    __table_args__ = (
        UniqueConstraint("session_id", "position"),
        Index("ix_quiz_questions_open", "closed_at", "deadline"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("quiz_sessions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(40))
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    deadline: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str | None] = mapped_column(String(10), default=None)
    winner_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    message_id: Mapped[str | None] = mapped_column(String(64), default=None)


class QuizAnswer(Base):
    """A member's one answer to one question of a session (a second press changes nothing)."""

    __tablename__ = "quiz_answers"
    __table_args__ = (UniqueConstraint("session_id", "position", "person_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("quiz_sessions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    response: Mapped[str] = mapped_column(String(200))
    correct: Mapped[bool]
    answered_at: Mapped[datetime]


class SrsCard(Base):
    """A person's FSRS memory state for one question (the fsrs Card fields, one row each)."""

    __tablename__ = "srs_cards"
    __table_args__ = (
        UniqueConstraint("person_id", "question_id"),
        Index("ix_srs_cards_due", "person_id", "due"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(40))
    state: Mapped[int] = mapped_column(Integer)
    step: Mapped[int | None] = mapped_column(Integer, default=None)
    stability: Mapped[float | None] = mapped_column(Float, default=None)
    difficulty: Mapped[float | None] = mapped_column(Float, default=None)
    due: Mapped[datetime]
    last_review: Mapped[datetime | None] = mapped_column(default=None)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)


class SrsReview(Base):
    """One graded answer fed to a card; `ref` (per person) makes each answer count once."""

    __tablename__ = "srs_reviews"
    __table_args__ = (UniqueConstraint("person_id", "ref"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(40))
    ref: Mapped[str] = mapped_column(String(120))
    correct: Mapped[bool]
    reviewed_at: Mapped[datetime]
    due_after: Mapped[datetime]
