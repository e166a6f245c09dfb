"""The append-only points ledger: award once per key, totals derived from it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.tables import PointsEntry
from bot.store.upsert import insert_once


@dataclass(frozen=True)
class Grant:
    """One ledger line of an `award_all`: its idempotency key, reason and points."""

    key: str
    reason: str
    points: int


async def award(
    session: AsyncSession,
    *,
    key: str,
    workspace_id: int,
    person_id: int,
    points: int,
    reason: str,
    now: datetime,
    ref: str = "",
    topic: str | None = None,
    granted_by: int | None = None,
) -> bool:
    """Add a ledger line unless `key` was awarded before; True when this call awarded it.

    A new line also moves the leaderboard aggregates, in this same transaction.
    """
    done = await award_all(
        session,
        [Grant(key, reason, points)],
        workspace_id=workspace_id,
        person_id=person_id,
        now=now,
        ref=ref,
        topic=topic,
        granted_by=granted_by,
    )
    return done[0]


async def award_all(
    session: AsyncSession,
    grants: Sequence[Grant],
    *,
    workspace_id: int,
    person_id: int,
    now: datetime,
    ref: str = "",
    topic: str | None = None,
    granted_by: int | None = None,
) -> list[bool]:
    """Several awards to one member for one thing (same time, reference and topic): each line
    once per key, as `award` does; True for each line this call added.

    The new lines move the leaderboard aggregates once, by their sum: the totals and the
    histogram end the same as after one award at a time, for four statements instead of four
    per line.
    """
    added = [
        await insert_once(
            session,
            PointsEntry,
            {
                "key": grant.key,
                "workspace_id": workspace_id,
                "person_id": person_id,
                "points": grant.points,
                "reason": grant.reason,
                "ref": ref,
                "topic": topic,
                "granted_by": granted_by,
                "created_at": now,
            },
        )
        for grant in grants
    ]
    moved = sum(grant.points for grant, new in zip(grants, added, strict=True) if new)
    if moved:
        # Imported here: the store must not import feature packages when it is loaded.
        from commands.leaderboard.totals import add_points

        await add_points(
            session,
            workspace_id=workspace_id,
            person_id=person_id,
            points=moved,
            topic=topic,
            at=now,
        )
    return added


async def total(session: AsyncSession, workspace_id: int, person_id: int) -> int:
    value = await session.scalar(
        select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
            PointsEntry.workspace_id == workspace_id, PointsEntry.person_id == person_id
        )
    )
    return int(value or 0)


def points_value(settings: dict[str, object], reason: str, default: int) -> int:
    """The workspace's configured points for `reason` (Workspace.settings["points"])."""
    table = settings.get("points")
    if isinstance(table, dict) and isinstance(table.get(reason), int):
        return int(table[reason])
    return default
