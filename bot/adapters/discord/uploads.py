"""A file uploaded with a slash command (an attachment option) -> `CommandInvoked.attachment`.

Discord puts the attachment in the interaction's `resolved` data with its size, name and a CDN
URL; `Attachment.read()` GETs that URL with the client's HTTP session. A file the core would
refuse anyway (not a text file, over the packs' 1 MB) is refused from those facts, without
downloading it, in the words of `bot.core.uploads`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import aiohttp
import discord

from bot.core.errors import UserError
from bot.core.events import CommandInvoked
from bot.core.uploads import clean_name, refusal

log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT = 20.0  # seconds; the interaction is deferred meanwhile, its token lasts 15 min


async def with_upload(event: CommandInvoked, upload: discord.Attachment) -> CommandInvoked:
    """`event` carrying the uploaded file's bytes; UserError (a polite refusal) otherwise."""
    problem = refusal(upload.filename, upload.size)
    if problem is not None:
        raise UserError(problem)
    name = clean_name(upload.filename)
    try:
        async with asyncio.timeout(DOWNLOAD_TIMEOUT):
            data = await upload.read()
    except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
        log.warning("downloading attachment %s failed: %r", upload.id, exc)
        raise UserError(
            f"I could not download `{name}` from Discord; please try again. Nothing was imported."
        ) from exc
    # The size Discord reported is the file's; check what arrived all the same.
    problem = refusal(upload.filename, len(data))
    if problem is not None:
        raise UserError(problem)
    return dataclasses.replace(event, attachment=data, attachment_name=upload.filename)
