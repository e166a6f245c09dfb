"""Helpers for the streak, leaderboard and progress stories: members, activity, points, images.

Activity and points are written the way the daily question, quizzes and pairing write them:
through `bot.store.activity.record_activity` and `bot.store.ledger.award`, with the member's
local day computed from their timezone.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image
from sqlalchemy import select

from bot.app import App
from bot.store.activity import record_activity
from bot.store.ledger import award
from bot.store.members import find_account
from bot.store.tables import Channel, Workspace
from tests.harness import ConsoleBot

_refs = count(1)


def text(lines: list[str]) -> str:
    return "\n".join(lines)


async def workspace_id(bot: ConsoleBot) -> int:
    async with bot.app.store.session() as session:
        found = await session.scalar(
            select(Workspace.id).where(Workspace.external_id == "console")
        )
        assert found is not None
        return found


async def join(bot: ConsoleBot, name: str, zone: str | None = None) -> int:
    """Make `name` a member (optionally with a timezone); their person id."""
    if zone is None:
        await bot.say("/me", as_=name)
    else:
        out = await bot.say(f"/me timezone zone:{zone}", as_=name)
        assert f"Your timezone is now {zone}" in text(out), out
    return await person_id(bot, name)


async def person_id(bot: ConsoleBot, name: str) -> int:
    async with bot.app.store.session() as session:
        found = await find_account(session, await workspace_id(bot), name)
        assert found is not None, name
        return found[1].id


def now(bot: ConsoleBot) -> datetime:
    return bot.app.services.clock.now()


async def act(
    bot: ConsoleBot,
    name: str,
    *,
    zone: str = "UTC",
    kind: str = "daily_answer",
    ref: str | None = None,
    at: datetime | None = None,
    topic: str | None = None,
    correct: bool | None = None,
    size: int | None = None,
) -> date:
    """Record one activity of console member `name` now (or `at`) on their local day."""
    return await record(
        bot.app, await workspace_id(bot), await person_id(bot, name), zone=zone, kind=kind,
        ref=ref, at=at, topic=topic, correct=correct, size=size,
    )


async def record(
    app: App,
    workspace: int,
    person: int,
    *,
    zone: str = "UTC",
    kind: str = "daily_answer",
    ref: str | None = None,
    at: datetime | None = None,
    topic: str | None = None,
    correct: bool | None = None,
    size: int | None = None,
) -> date:
    """Record one activity of any member now (or `at`) on their local day; that day."""
    when = at or app.services.clock.now()
    day = when.astimezone(ZoneInfo(zone)).date()
    async with app.store.session() as session:
        assert await record_activity(
            session,
            workspace_id=workspace,
            person_id=person,
            kind=kind,
            ref=ref or f"test:{next(_refs)}",
            at=when,
            local_day=day,
            topic=topic,
            correct=correct,
            size=size,
        )
    return day


async def give(
    bot: ConsoleBot,
    name: str,
    points: int,
    *,
    reason: str = "daily_answer",
    key: str | None = None,
    topic: str | None = None,
    at: datetime | None = None,
) -> bool:
    """Award points to console member `name` through the ledger, as the features do."""
    return await grant(bot.app, await workspace_id(bot), await person_id(bot, name), points,
                       reason=reason, key=key, topic=topic, at=at)


async def grant(
    app: App,
    workspace: int,
    person: int,
    points: int,
    *,
    reason: str = "daily_answer",
    key: str | None = None,
    topic: str | None = None,
    at: datetime | None = None,
) -> bool:
    """Award points to any member through the ledger; whether it was a new award."""
    async with app.store.session() as session:
        return await award(
            session,
            key=key or f"test:{next(_refs)}",
            workspace_id=workspace,
            person_id=person,
            points=points,
            reason=reason,
            now=at or app.services.clock.now(),
            topic=topic,
        )


async def member_ids(app: App, platform: str, team: str, user: str) -> tuple[int, int]:
    """(workspace id, person id) of a platform account (it must have used the bot once)."""
    async with app.store.session() as session:
        workspace = await session.scalar(
            select(Workspace.id).where(Workspace.platform == platform,
                                       Workspace.external_id == team)
        )
        assert workspace is not None, team
        found = await find_account(session, workspace, user)
        assert found is not None, user
        return workspace, found[1].id


def decode_png(data: bytes) -> Image.Image:
    """Decode PNG bytes (fails unless they are a valid PNG)."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    decoded = Image.open(io.BytesIO(data))
    decoded.load()
    assert decoded.format == "PNG"
    return decoded


async def set_channel_settings(bot: ConsoleBot, settings: dict[str, Any]) -> None:
    """Write #study's settings (the contract the daily feature's schedule follows)."""
    async with bot.app.store.session() as session:
        channel = await session.scalar(
            select(Channel).where(
                Channel.workspace_id == await workspace_id(bot), Channel.external_id == "study"
            )
        )
        assert channel is not None
        channel.settings = settings


def shown_image(bot: ConsoleBot, filename: str) -> Image.Image:
    """The last image with `filename` the console showed, decoded (fails unless a valid PNG)."""
    for shown in reversed(bot.adapter.console_port.shown):
        image = shown.message.image
        if image is not None and image.filename == filename:
            return decode_png(image.data)
    raise AssertionError(f"no {filename} was shown")
