"""Claim, send, confirm: how anything the bot says on its own is sent exactly once.

A message is claimed in the `sends` table under a key that names it for good (`daily:7:close`,
`recap:3:2026-W48`) before it is sent, with a marker the platform carries invisibly, and
confirmed with its message id after. A confirmed claim is never sent again; a fresh unconfirmed
claim belongs to whoever is sending it right now; a stale one (the sender crashed, or the
platform kept failing) is taken over with a compare-and-set, and the platform is asked for the
marker first (`ChatPort.find_post` / `find_dm`), so a crash between send and confirm never
shows a message twice. Whoever runs a scheduled job only has to call again later: the outbox
decides whether anything is left to send. The rules are in scheduler/README.md.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Services
from bot.core.ids import ChannelRef, MessageRef, ThreadRef, UserRef
from bot.core.markers import first_claimed, new_marker
from bot.core.ui import Message
from bot.store.tables import Send
from bot.store.upsert import insert_once

log = logging.getLogger(__name__)

STALE = timedelta(minutes=2)  # a claim this old without confirmation is presumed crashed

Finder = Callable[[str, datetime], Awaitable[MessageRef | None]]


async def post_once(
    services: Services,
    key: str,
    channel: ChannelRef,
    message: Message,
    *,
    thread: ThreadRef | None = None,
) -> MessageRef | None:
    """Post `message` in `channel` (or its `thread`) once for `key`.

    Returns where it is (sent now, found after a crash, or sent before), or None when another
    run holds a fresh claim on it (it will confirm it) or the key was claimed without a message.
    """
    port = services.chat(channel.workspace.platform)

    async def find(marker: str, since: datetime) -> MessageRef | None:
        return await port.find_post(channel, marker, since, thread=thread)

    async def send() -> MessageRef:
        return await port.post(channel, message, thread=thread)

    def known(place: str | None, message_id: str) -> MessageRef:
        return MessageRef(channel, message_id, thread)

    return await _once(services, key, message, find, send, known)


async def dm_once(
    services: Services, key: str, user: UserRef, message: Message
) -> MessageRef | None:
    """Send `message` to `user` directly once for `key` (same contract as `post_once`)."""
    port = services.chat(user.workspace.platform)

    async def find(marker: str, since: datetime) -> MessageRef | None:
        return await port.find_dm(user, marker, since)

    async def send() -> MessageRef:
        return await port.send_dm(user, message)

    def known(place: str | None, message_id: str) -> MessageRef:
        return MessageRef(ChannelRef(user.workspace, place or ""), message_id)

    return await _once(services, key, message, find, send, known)


async def claim_once(services: Services, key: str) -> bool:
    """Claim `key` for a message no platform can find again (an ephemeral note): at most once.

    True when this call claimed it; the caller sends after the claim committed, and a crash in
    between loses the note rather than showing it twice."""
    now = services.clock.now()
    async with services.store.session() as session:
        return await insert_once(
            session, Send, {"key": key, "marker": new_marker(), "claimed_at": now,
                            "confirmed_at": now},
        )


async def sent(session: AsyncSession, key: str) -> Send | None:
    """The confirmed send of `key`, if there is one."""
    row = await session.scalar(select(Send).where(Send.key == key))
    return row if row is not None and row.confirmed_at is not None else None


async def _once(
    services: Services,
    key: str,
    message: Message,
    find: Finder,
    send: Callable[[], Awaitable[MessageRef]],
    known: Callable[[str | None, str], MessageRef],
) -> MessageRef | None:
    now = services.clock.now()
    since: datetime | None = None
    async with services.store.session() as session:
        inserted = await insert_once(
            session, Send, {"key": key, "marker": new_marker(now), "claimed_at": now}
        )
        row = await session.scalar(select(Send).where(Send.key == key))
        assert row is not None
        if not inserted:
            if row.confirmed_at is not None:
                return known(row.place, row.message_id) if row.message_id else None
            if row.claimed_at > now - STALE:
                return None
            result = await session.execute(
                update(Send)
                .where(Send.id == row.id, Send.claimed_at == row.claimed_at)
                .values(claimed_at=now)
            )
            assert isinstance(result, CursorResult)
            if result.rowcount != 1:
                return None  # another run took it over first
            since = first_claimed(row.marker, row.claimed_at)
        send_id, marker = row.id, row.marker
    found = await find(marker, since) if since is not None else None
    if found is None:
        message.marker = marker
        found = await send()
    else:
        log.info("%s was sent before a crash; confirming it", key)
    async with services.store.session() as session:
        await session.execute(
            update(Send)
            .where(Send.id == send_id)
            .values(place=found.channel.id, message_id=found.id, confirmed_at=services.clock.now())
        )
    return found
