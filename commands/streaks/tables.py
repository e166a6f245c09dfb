"""Streak tables: each member's last computed streak (for scheduling), repairs and notices.

The streak itself is always recomputed from the activity log and the repairs
(commands/streaks/rules.py); `streak_state` only remembers the result so that the scheduler
can ask "whose day ends by t?" and "who wants a reminder by t?" with one indexed query.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.tables import Base, Id


class StreakState(Base):
    """A member's streak in one workspace as last computed, and their reminder choice."""

    __tablename__ = "streak_state"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    current: Mapped[int] = mapped_column(Integer, default=0)
    longest: Mapped[int] = mapped_column(Integer, default=0)
    freezes: Mapped[int] = mapped_column(Integer, default=0)
    last_kept: Mapped[date | None] = mapped_column(Date, default=None)
    # When the member's current local day ends while a streak is alive: the day is then final.
    check_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    remind: Mapped[bool] = mapped_column(Boolean, default=False)
    remind_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    updated_at: Mapped[datetime]


class StreakRepair(Base):
    """A day an admin counted for a member (an outage); the ledger holds who did it."""

    __tablename__ = "streak_repairs"
    __table_args__ = (UniqueConstraint("workspace_id", "person_id", "day"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    granted_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    at: Mapped[datetime]


class StreakNotice(Base):
    """A streak message claimed once per (member, kind, day): milestone, freeze used, reminder.

    Claimed before sending; `message_id` is stored once it was sent.
    """

    __tablename__ = "streak_notices"
    __table_args__ = (UniqueConstraint("workspace_id", "person_id", "kind", "day"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    value: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime]
    message_id: Mapped[str | None] = mapped_column(String(120), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
