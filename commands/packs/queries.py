"""The packs feature's SQL: imported packs per workspace."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.upsert import insert_once
from commands.packs.tables import ImportedPack

Stamp = tuple[int, datetime]  # (version, updated_at) of a stored pack


async def imported_stamps(session: AsyncSession) -> dict[tuple[int, str], Stamp]:
    """(workspace id, pack id) -> what was last stored: cheap enough to ask every tick."""
    rows = await session.execute(
        select(ImportedPack.workspace_id, ImportedPack.pack_id, ImportedPack.version,
               ImportedPack.updated_at)
    )
    return {(w, p): (v, u) for w, p, v, u in rows}


async def imported_texts(
    session: AsyncSession, keys: list[tuple[int, str]]
) -> list[tuple[int, str, str]]:
    """(workspace id, pack id, YAML text) of the given packs."""
    rows = await session.execute(
        select(ImportedPack.workspace_id, ImportedPack.pack_id, ImportedPack.yaml_text)
        .where(tuple_(ImportedPack.workspace_id, ImportedPack.pack_id).in_(keys))
        .order_by(ImportedPack.workspace_id, ImportedPack.pack_id)
    )
    return [(w, p, t) for w, p, t in rows]


async def imported(session: AsyncSession, workspace_id: int, pack_id: str) -> ImportedPack | None:
    return await session.scalar(
        select(ImportedPack).where(
            ImportedPack.workspace_id == workspace_id, ImportedPack.pack_id == pack_id
        )
    )


async def imported_in(session: AsyncSession, workspace_id: int) -> list[ImportedPack]:
    rows = await session.scalars(
        select(ImportedPack)
        .where(ImportedPack.workspace_id == workspace_id)
        .order_by(ImportedPack.pack_id)
    )
    return list(rows)


async def save(
    session: AsyncSession,
    *,
    workspace_id: int,
    pack_id: str,
    version: int,
    text: str,
    question_count: int,
    person_id: int,
    now: datetime,
) -> bool:
    """Store a pack, or replace an earlier version of it in place; False when a newer version
    got there first (two imports at once: the higher version wins, on every database)."""
    values = {
        "workspace_id": workspace_id,
        "pack_id": pack_id,
        "version": version,
        "yaml_text": text,
        "question_count": question_count,
        "imported_by": person_id,
        "created_at": now,
        "updated_at": now,
    }
    if await insert_once(session, ImportedPack, values):
        return True
    result = await session.execute(
        update(ImportedPack)
        .where(
            ImportedPack.workspace_id == workspace_id,
            ImportedPack.pack_id == pack_id,
            ImportedPack.version <= version,
        )
        .values(
            version=version,
            yaml_text=text,
            question_count=question_count,
            imported_by=person_id,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def remove(session: AsyncSession, workspace_id: int, pack_id: str) -> bool:
    result = await session.execute(
        delete(ImportedPack)
        .where(ImportedPack.workspace_id == workspace_id, ImportedPack.pack_id == pack_id)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))
