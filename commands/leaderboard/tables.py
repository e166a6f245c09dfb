"""Leaderboard tables: points per member and period (kept in step with the ledger), recap claims.

`points_totals` holds one row per (workspace, period kind, period start, topic, member); topic
"" is every topic together; `visible` copies the member's `on_leaderboard`. `points_histogram`
counts how many visible members hold each total, so that a member's rank is one sum over the
(few) distinct totals above theirs instead of a count over every member. They change inside
`bot.store.ledger.award` (in the ledger's own transaction) and when a member leaves or rejoins
the boards (`bot.store.members.set_on_leaderboard`); `commands.leaderboard.totals.rebuild`
recomputes them from the ledger.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.tables import Base, Id


class PointsTotal(Base):
    """A member's points in one period (week, month, all time) and topic ("" = all topics)."""

    __tablename__ = "points_totals"
    __table_args__ = (
        # The rank index: a board is one backward scan of it, neighbours a short scan each way.
        Index(
            "ix_points_totals_rank",
            "workspace_id",
            "period_kind",
            "period_start",
            "topic",
            "visible",
            "points",
            "person_id",
        ),
        # A member leaving the boards flips all their rows at once.
        Index("ix_points_totals_person", "person_id"),
    )

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    period_kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    points: Mapped[int] = mapped_column(Integer)
    visible: Mapped[bool] = mapped_column(Boolean)


class PointsHistogram(Base):
    """How many visible members of a board hold exactly `points`."""

    __tablename__ = "points_histogram"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    period_kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    points: Mapped[int] = mapped_column(Integer, primary_key=True)
    members: Mapped[int] = mapped_column(Integer)


class Recap(Base):
    """A weekly recap for one channel and ISO week: claimed, posted through the outbox
    (`recap:<channel>:<week>`), then done (`sent_at`; no `message_id` for a quiet week)."""

    __tablename__ = "recaps"
    __table_args__ = (UniqueConstraint("channel_id", "week"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(10))
    claimed_at: Mapped[datetime]
    message_id: Mapped[str | None] = mapped_column(String(120), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
