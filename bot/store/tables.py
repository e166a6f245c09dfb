"""The shared schema: what every feature uses (workspaces, channels, people, ledger, activity).

A feature's own tables live in `commands/<feature>/tables.py` on the same `Base`, each with a
migration of its own (branching from 0001; `bot/store/models.py` collects them all).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use the injected clock")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints stably."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


Id = BigInteger().with_variant(Integer(), "sqlite")


class Workspace(Base):
    """A Discord guild, a Slack team or the console's workspace."""

    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class Channel(Base):
    """A channel of a workspace the bot works in; `timezone` is an IANA name."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class Person(Base):
    """A human being; one person may hold accounts on several platforms."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    display_name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    on_leaderboard: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class Account(Base):
    """A person's account in one workspace (a Discord user in a guild, a Slack user in a team)."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class PointsEntry(Base):
    """One line of the append-only points ledger; `key` makes every award happen once."""

    __tablename__ = "points_ledger"
    __table_args__ = (Index("ix_points_ledger_board", "workspace_id", "created_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(40))
    ref: Mapped[str] = mapped_column(String(120), default="")
    topic: Mapped[str | None] = mapped_column(String(40), default=None)
    granted_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime]


class ProcessedEvent(Base):
    """Inbound deliveries already handled; a redelivered event finds its id here."""

    __tablename__ = "processed_events"

    delivery_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    received_at: Mapped[datetime]


class Note(Base):
    """Small per-deployment facts (e.g. the hash of the last synced Discord command set)."""

    __tablename__ = "notes"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Activity(Base):
    """One thing a member did, on their local day; unique per (person, kind, ref)."""

    __tablename__ = "activity"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "ref"),
        Index("ix_activity_member_day", "workspace_id", "person_id", "local_day"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    ref: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime]
    local_day: Mapped[date] = mapped_column(Date)
    topic: Mapped[str | None] = mapped_column(String(40), default=None)
    correct: Mapped[bool | None] = mapped_column(Boolean, default=None)
    # How many items the activity covered (questions in a finished quiz): streaks count a quiz
    # only from a configurable size. Added by migration 0006.
    size: Mapped[int | None] = mapped_column(Integer, default=None)


class Send(Base):
    """A message the bot sends on its own, claimed before sending and confirmed after.

    `key` names the thing once and for all (`daily:7:close`, `recap:3:2026-W48`); `marker` is the
    token the platform carries so the message can be found again after a crash
    (`bot/core/outbox.py`). `place` is the conversation it landed in (a DM's channel id)."""

    __tablename__ = "sends"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    marker: Mapped[str] = mapped_column(String(32), unique=True)
    claimed_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(64), default=None)
    message_id: Mapped[str | None] = mapped_column(String(64), default=None)
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
