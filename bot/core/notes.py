"""Small per-deployment facts kept in the store (e.g. the hash of the synced Discord commands).

Adapters never touch the store; they read and write such facts through these two functions.
"""

from __future__ import annotations

from bot.core.context import Services
from bot.store.tables import Note


async def read_note(services: Services, key: str) -> str | None:
    """The value stored under `key`, or None."""
    async with services.store.session() as session:
        note = await session.get(Note, key)
        return note.value if note is not None else None


async def write_note(services: Services, key: str, value: str) -> None:
    """Store `value` under `key`, replacing what was there."""
    async with services.store.session() as session:
        await session.merge(Note(key=key, value=value))
