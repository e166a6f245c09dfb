"""A daily fan-out to many Slack channels: the world, the bot's Slack port, and the count.

Used in-process by the tests and by `child_fanout.py` (the bot in a child process). The
channels are set up the way an admin does it, through the dispatcher (`/daily setup` in each
channel); the bot's port is the real Slack adapter port (slack_sdk client with its retry
handlers) pointed at the fake Slack, without Socket Mode: scheduled posts need no inbound.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bot.adapters.slack.client import SlackTuning, make_client
from bot.adapters.slack.outbound import SlackPort
from bot.adapters.slack.pacing import Pacer
from bot.adapters.slack.render import marker_of
from bot.app import App, build
from bot.clock import FakeClock
from bot.config import Settings
from bot.core.events import CommandInvoked
from bot.core.ids import ChannelRef, Platform, UserRef, WorkspaceRef
from commands.daily.tables import DailyPost

# Kept here (not imported from tests.fakes) so that the child process needs no aiohttp server.
TEAM_ID = "T0STUDY"
TEAM_NAME = "Study Group"
BOT_USER = "U0BOT"
BOT_ID = "B0BOT"
BOT_TOKEN = "xoxb-fake-bot-token"
ADMIN = "U0ADMIN"
POST_AT = datetime(2026, 12, 1, 9, 5, tzinfo=UTC)  # the 09:00 slot is due
SETUP_AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

# Quick retries and no pacing: the fake answers at once and Retry-After is honoured exactly.
TUNING = SlackTuning(
    backoff_seconds=0.01,
    retry_jitter_seconds=0.0,
    channel_interval_seconds=0.0,
    global_interval_seconds=0.0,
    request_timeout_seconds=5,
)


def channel_ids(count: int) -> list[str]:
    return [f"C{n:05d}" for n in range(1, count + 1)]


def settings_for(db_url: str, api_url: str | None = None) -> Settings:
    return Settings(database_url=db_url, slack_bot_token=BOT_TOKEN, slack_api_url=api_url)


async def set_up_channels(
    db_url: str, channels: Sequence[str], at: datetime = SETUP_AT, post_time: str = "09:00"
) -> None:
    """`/daily setup time:<post_time>` by an admin in every channel, at `at` (08:00 on 1
    December by default: the 09:00 slot falls due an hour later)."""
    app = build(settings_for(db_url), FakeClock(at))
    await app.prepare()
    workspace = WorkspaceRef(Platform.SLACK, TEAM_ID, TEAM_NAME)
    admin = UserRef(workspace, ADMIN, "admin", is_admin=True)
    try:
        for channel in channels:
            reply = await app.dispatcher.handle(CommandInvoked(
                delivery_id=f"setup-{channel}", actor=admin,
                channel=ChannelRef(workspace, channel, channel.lower()),
                name="daily setup", args={"time": post_time},
            ))
            assert reply is not None and reply.message is not None
            assert post_time in reply.message.plain(), reply.message.plain()
    finally:
        await app.stop()


class SlackPortOnly:
    """The real Slack port of an app, without Socket Mode; `close()` ends its HTTP session."""

    def __init__(self, app: App, api_url: str) -> None:
        self.session = aiohttp.ClientSession()
        client = make_client(BOT_TOKEN, api_url, TUNING)
        client.session = self.session
        self.port = SlackPort(client, Pacer(0, 0), app.metrics)
        self.port.bot_user_id, self.port.bot_id = BOT_USER, BOT_ID
        app.services.chats[Platform.SLACK] = self.port

    async def close(self) -> None:
        await self.session.close()


async def unposted(app: App) -> int:
    """Daily posts claimed or due but not confirmed as posted."""
    async with app.store.session() as session:
        return int(await session.scalar(
            select(func.count()).select_from(DailyPost).where(DailyPost.posted_at.is_(None))
        ) or 0)


def posts_per_channel(messages: dict[str, list[dict[str, Any]]]) -> Counter[str]:
    """The fake Slack's top-level bot posts carrying a StudyBot marker, per channel."""
    found: Counter[str] = Counter()
    for channel, posted in messages.items():
        for message in posted:
            if message.get("user") == BOT_USER and marker_of(message) is not None \
                    and message.get("thread_ts") in (None, message.get("ts")):
                found[channel] += 1
    return found
