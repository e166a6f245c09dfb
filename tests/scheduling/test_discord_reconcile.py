"""Discord: a crash between Discord keeping the daily question and the bot confirming it.

The real discord.py client against the fake Discord. The bot's port "crashes" right after the
fake kept the post (the bot never stores its id), and once more in the middle of the takeover
that reconciles it; minutes later, past the nonce's short memory, the next run looks for the
bot's own post carrying the marker from the first claim on, finds it, confirms it and opens
its thread: one question in the channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count

from bot.clock import FakeClock
from bot.core.ids import ChannelRef, MessageRef, Platform, ThreadRef
from bot.core.ports import ChatPort
from bot.core.ui import Message
from tests.adapters.discord_driver import discord_bot, fake_discord
from tests.fakes.discord_rest import CAROL, DISCORD_EPOCH_MS, STUDY_ID, FakeDiscord
from tests.scheduling.fanout import unposted
from tests.scheduling.support import RecordingPort, daily_posts

POST_AT = datetime(2026, 12, 1, 9, 1, tzinfo=UTC)  # the 09:00 slot is due


def ids_follow(fake: FakeDiscord, clock: FakeClock) -> None:
    """Snowflakes carry the bot's clock, as Discord's carry the real time (the fake's own ids
    count fake seconds from 08:00, which a claim at 09:00 would never look back to)."""
    seq = count(1)

    def snowflake() -> int:
        n = next(seq)
        ms = int(clock.now().timestamp() * 1000) + n  # one millisecond apart: still ordered
        return ((ms - DISCORD_EPOCH_MS) << 22) | (n % 4096)

    fake.snowflake = snowflake  # type: ignore[method-assign]


class Crash(Exception):
    """The process died here (the scheduler logs it and moves on; the claim stays)."""


@dataclass
class CrashingPort(RecordingPort):
    """Dies right after a post was kept, or right when a takeover looks for it."""

    crash_after_post: bool = True
    crash_on_find: bool = False

    async def post(
        self, channel: ChannelRef, message: Message, *, thread: ThreadRef | None = None
    ) -> MessageRef:
        kept = await super().post(channel, message, thread=thread)
        if self.crash_after_post:
            raise Crash("killed after Discord kept the post")
        return kept

    async def find_post(
        self, channel: ChannelRef, marker: str, since: datetime, *, thread: ThreadRef | None = None
    ) -> MessageRef | None:
        if self.crash_on_find:
            raise Crash("killed while reconciling")
        return await super().find_post(channel, marker, since, thread=thread)


async def test_a_post_discord_kept_before_a_crash_is_found_and_confirmed_not_resent(
    sqlite_url: str, clock: FakeClock
) -> None:
    async with fake_discord() as fake, discord_bot(sqlite_url, clock, fake=fake) as driver:
        ids_follow(fake, clock)
        done = await driver.slash("daily setup", user=CAROL, time="09:00")
        assert "Next post: Tue 1 Dec 09:00" in done.text
        app = driver.app
        real: ChatPort = app.services.chats[Platform.DISCORD]
        crashing = CrashingPort(real)
        app.services.chats[Platform.DISCORD] = crashing

        await app.scheduler.run_due(POST_AT)  # kept by Discord, then the crash
        for message in fake.messages.values():
            message.nonce = None  # minutes later Discord has forgotten the nonce
        crashing.crash_after_post, crashing.crash_on_find = False, True
        await app.scheduler.run_due(POST_AT + timedelta(minutes=3))  # takeover, crash again
        assert await unposted(app) == 1
        assert [s.verb for s in crashing.sends] == ["post"]

        crashing.crash_on_find = False  # the next start looks from the first claim: found
        await app.scheduler.run_due(POST_AT + timedelta(minutes=30))
        await driver.settle()
        questions = [m for m in driver.sent
                     if m.channel_id == STUDY_ID and "Daily question #1" in m.text]
        assert len(questions) == 1, [m.text[:40] for m in questions]
        assert await unposted(app) == 0
        (post,) = await daily_posts(app)
        assert post.message_id == str(questions[0].id) and post.thread_id is not None
