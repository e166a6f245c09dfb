"""The append-only points ledger: award once per key, totals derived from it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.tables import PointsEntry
from bot.store.upsert import insert_once


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
    inserted = await insert_once(
        session,
        PointsEntry,
        {
            "key": key,
            "workspace_id": workspace_id,
            "person_id": person_id,
            "points": points,
            "reason": reason,
            "ref": ref,
            "topic": topic,
            "granted_by": granted_by,
            "created_at": now,
        },
    )
    if inserted and points:
        # Imported here: the store must not import feature packages when it is loaded.
        from commands.leaderboard.totals import add_points

        await add_points(
            session,
            workspace_id=workspace_id,
            person_id=person_id,
            points=points,
            topic=topic,
            at=now,
        )
    return inserted


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
