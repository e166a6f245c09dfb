"""Claim, send, confirm: how the daily feature posts anything public.

A message is claimed in the database (with a marker) before it is sent and confirmed after.
A claim that is confirmed is never sent again; a fresh unconfirmed claim belongs to whoever
is sending it right now; a stale unconfirmed claim is taken over and the platform is asked
for the marker first (`find_post`), so a crash between send and confirm never posts twice.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult

from bot.core.context import Services
from bot.core.ids import ChannelRef, MessageRef, ThreadRef
from bot.core.ui import Message
from bot.store.upsert import insert_once
from commands.daily.tables import DailySend

log = logging.getLogger(__name__)

STALE = timedelta(minutes=2)  # a claim this old without confirmation is presumed crashed


def new_marker(now: datetime | None = None) -> str:
    """A short token the platform carries invisibly (a Discord nonce is at most 25 chars).

    Given the claim time, the marker starts with it (seconds, base 36): a takeover of a stale
    claim moves `claimed_at`, but a crash during the takeover must not make the next reconcile
    look only after it, past a post the first claim sent (see `first_claimed`)."""
    if now is None:
        return "sb" + secrets.token_hex(8)
    return f"sb{_base36(int(now.timestamp()))}.{secrets.token_hex(6)}"


def first_claimed(marker: str, claimed_at: datetime) -> datetime:
    """When the thing carrying `marker` was first claimed: where `find_post` must start."""
    stamp, dot, _ = marker[2:].partition(".")
    if not dot:
        return claimed_at  # an older marker without its time
    try:
        first = datetime.fromtimestamp(int(stamp, 36), UTC)
    except ValueError:
        return claimed_at
    return min(first, claimed_at)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


async def send_once(
    services: Services,
    post_id: int,
    kind: str,
    channel: ChannelRef,
    message: Message,
    thread: ThreadRef | None = None,
) -> MessageRef | None:
    """Post `message` once for (post, kind); returns where it is, or None if another owns it."""
    now = services.clock.now()
    async with services.store.session() as session:
        inserted = await insert_once(
            session,
            DailySend,
            {"post_id": post_id, "kind": kind, "marker": new_marker(now), "claimed_at": now},
        )
        row = await session.scalar(
            select(DailySend).where(DailySend.post_id == post_id, DailySend.kind == kind)
        )
        assert row is not None
        since: datetime | None = None
        if not inserted:
            if row.confirmed_at is not None and row.message_id is not None:
                return MessageRef(channel, row.message_id, thread)
            if row.claimed_at > now - STALE:
                return None
            result = await session.execute(
                update(DailySend)
                .where(DailySend.id == row.id, DailySend.claimed_at == row.claimed_at)
                .values(claimed_at=now)
            )
            assert isinstance(result, CursorResult)
            if result.rowcount != 1:
                return None
            since = first_claimed(row.marker, row.claimed_at)
        send_id, marker = row.id, row.marker
    port = services.chat(channel.workspace.platform)
    found = await port.find_post(channel, marker, since) if since is not None else None
    if found is None:
        message.marker = marker
        found = await port.post(channel, message, thread=thread)
    else:
        log.info("found %s of post %s already sent; confirming it", kind, post_id)
    async with services.store.session() as session:
        await session.execute(
            update(DailySend)
            .where(DailySend.id == send_id)
            .values(message_id=found.id, confirmed_at=services.clock.now())
        )
    return found


async def sent_ref(
    services: Services, post_id: int, kind: str, channel: ChannelRef, thread: ThreadRef | None
) -> MessageRef | None:
    """Where an earlier confirmed send of (post, kind) is, if any."""
    async with services.store.session() as session:
        row = await session.scalar(
            select(DailySend).where(DailySend.post_id == post_id, DailySend.kind == kind)
        )
    if row is None or row.message_id is None:
        return None
    return MessageRef(channel, row.message_id, thread)
