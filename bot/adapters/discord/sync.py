"""Command sync: to one development guild or globally, and by itself only when the set changed.

Syncing at every start is discouraged (Discord caps command creations at 200 a day per guild).
The hash of the declared command set is kept in the store's notes through the neutral
`bot.core.notes` functions, under one key per target, so every process of a sharded
deployment agrees and a restart with unchanged declarations does not sync.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.commands import command_payload, command_set_hash
from bot.core.context import Services
from bot.core.notes import read_note, write_note

log = logging.getLogger(__name__)


def note_key(guild_id: int | None) -> str:
    return "discord.commands.global" if guild_id is None else f"discord.commands.guild.{guild_id}"


async def sync_commands(
    tree: app_commands.CommandTree[Any],
    services: Services,
    guild_id: int | None,
    *,
    force: bool = False,
) -> int | None:
    """Sync to `guild_id` (with the global commands copied there) or globally.

    Returns how many commands were synced, or None when the set was unchanged (and not forced).
    """
    guild = discord.Object(id=guild_id) if guild_id is not None else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    digest = command_set_hash(command_payload(tree, guild))
    key = note_key(guild_id)
    if not force and await read_note(services, key) == digest:
        log.info("discord commands unchanged since the last sync; not syncing")
        return None
    synced = await tree.sync(guild=guild)
    await write_note(services, key, digest)
    where = f"guild {guild_id}" if guild_id is not None else "globally"
    log.info("synced %d discord commands %s", len(synced), where)
    return len(synced)
