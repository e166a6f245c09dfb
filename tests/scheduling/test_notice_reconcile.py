"""Pairing notes survive crashes too: every message is sent once, none is lost.

A pairing round on Slack and on Discord (the real slack_bolt and discord.py clients against the
fakes) is played twice: once cleanly, once with a process that dies right after the platform
kept *each* message it sends (the announcement in the channel, the intro in the group DM or
private thread, each interviewer's questions by DM), before the bot could record it. Runs two
minutes later take the stale claims over, look for the marker where the message went (Discord
has forgotten the nonce by then), confirm what they find and send only what is missing. Both
runs end with the same messages, each exactly once. A DM that keeps failing is retried later
instead of being lost.
"""

from __future__ import annotations

import shutil
import unicodedata
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.clock import FakeClock
from bot.core.ids import ChannelRef, MessageRef, Platform, ThreadRef, UserRef
from bot.core.ui import Message
from tests.adapters.discord_driver import DiscordDriver, discord_bot, fake_discord
from tests.adapters.slack_driver import ALICE, BOB, SlackDriver, slack_bot
from tests.fakes.discord_rest import ALICE as DISCORD_ALICE
from tests.fakes.discord_rest import BOB as DISCORD_BOB
from tests.fakes.discord_rest import FakeDiscord
from tests.fakes.slack_api import FakeSlack
from tests.scheduling.support import RecordingPort
from tests.scheduling.test_discord_reconcile import ids_follow

PAIRED_AT = datetime(2026, 12, 2, 9, tzinfo=UTC)  # round 1 closes and pairs on Wednesday


class Crash(Exception):
    """The process died here (the scheduler logs it and moves on; the claims stay)."""


@dataclass
class DiesAfterEachKept(RecordingPort):
    """Dies once per marked message, right after the platform kept it."""

    killed: set[str] = field(default_factory=set)

    def _die_once(self, message: Message) -> None:
        if message.marker and message.marker not in self.killed:
            self.killed.add(message.marker)
            raise Crash(f"killed after {message.marker} was kept")

    async def post(
        self, channel: ChannelRef, message: Message, *, thread: ThreadRef | None = None
    ) -> MessageRef:
        kept = await super().post(channel, message, thread=thread)
        self._die_once(message)
        return kept

    async def send_dm(self, user: UserRef, message: Message) -> MessageRef:
        kept = await super().send_dm(user, message)
        self._die_once(message)
        return kept


def seen(fake: FakeSlack) -> Counter[tuple[str, str]]:
    """Every message the bot posted: (where, text). DMs and group DMs are named by members."""
    def place(channel: str) -> str:
        info = fake.channels[channel]
        if info["is_im"] or info["is_mpim"]:
            return "dm:" + ",".join(sorted(info["members"]))
        return channel

    return Counter((place(s.channel), s.readable) for s in fake.sent if s.kind == "message")


async def through_the_round(clock: FakeClock, step: Callable[[], Awaitable[None]]) -> None:
    """From the opening to past the pairing, a step every 3 minutes (a retry comes two minutes
    after the claim it takes over)."""
    for moment in (clock.now(), PAIRED_AT):
        clock.set(moment)
        for _ in range(12):
            await step()
            clock.advance(timedelta(minutes=3))


def second_database(sqlite_url: str) -> str:
    """A copy of the freshly migrated database, for the second run."""
    fresh = sqlite_url.removeprefix("sqlite:///")
    return f"sqlite:///{shutil.copy(fresh, fresh.replace('.db', '-crash.db'))}"


async def play_round(slack: SlackDriver, clock: FakeClock) -> None:
    await slack.slash("pair join", user=ALICE, level="mid", availability="Thu 18:00-21:00")
    await slack.slash("pair join", user=BOB, level="mid", availability="Thu 18:00-21:00")

    async def step() -> None:
        await slack.app.scheduler.run_due(clock.now())
        await slack.dispatcher.drain()

    await through_the_round(clock, step)


async def test_pairing_messages_kept_before_crashes_are_found_not_resent(
    sqlite_url: str, clock: FakeClock
) -> None:
    start = clock.now()
    crash_url = second_database(sqlite_url)
    async with slack_bot(sqlite_url, clock) as clean:
        await play_round(clean, clock)
        expected = seen(clean.fake)
    assert any("round 1 is open" in text for _, text in expected)
    assert any("Mock interview, round 1" in text for _, text in expected)
    assert sum("Your technical question" in text for _, text in expected) == 2

    again = FakeClock(start)  # the same days again (a FakeClock never goes back)
    async with slack_bot(crash_url, again) as slack:
        dying = DiesAfterEachKept(slack.app.services.chats[Platform.SLACK])
        slack.app.services.chats[Platform.SLACK] = dying
        await play_round(slack, again)
        got = seen(slack.fake)
    assert len(dying.killed) >= 6  # announcement, intro, four questions: each killed once
    assert [item for item, n in got.items() if n > 1] == []
    assert got == expected


@dataclass
class DmsFailFirst(RecordingPort):
    """Every DM fails the first time it is tried (the platform was down for a moment)."""

    failed: set[str] = field(default_factory=set)

    async def send_dm(self, user: UserRef, message: Message) -> MessageRef:
        if message.marker not in self.failed:
            self.failed.add(message.marker or "")
            raise ConnectionError("Slack unreachable")
        return await super().send_dm(user, message)


async def test_a_failing_pairing_dm_is_retried_not_lost(sqlite_url: str, clock: FakeClock) -> None:
    async with slack_bot(sqlite_url, clock) as slack:
        flaky = DmsFailFirst(slack.app.services.chats[Platform.SLACK])
        slack.app.services.chats[Platform.SLACK] = flaky
        await play_round(slack, clock)
        got = seen(slack.fake)
    questions = [text for (_, text), n in got.items() if "Your technical question" in text]
    assert len(questions) == 2 and flaky.failed
    assert all(n == 1 for n in got.values())


def seen_on_discord(fake: FakeDiscord) -> Counter[tuple[str, str]]:
    """The same on Discord: private threads and DMs named by their members."""
    def place(channel_id: int) -> str:
        channel = fake.channels[channel_id]
        if channel.recipient is not None:
            return f"dm:{channel.recipient.username}"
        if channel.type == 12:
            return "thread:" + ",".join(str(m) for m in sorted(channel.members))
        return str(channel_id)

    def visible(text: str) -> str:  # without the invisible marker, which differs per run
        return "".join(c for c in text if unicodedata.category(c) != "Cf")

    return Counter((place(m.channel_id), visible(m.text))
                   for m in fake.sent_by_bot() if not m.ephemeral)


async def play_round_on_discord(driver: DiscordDriver, clock: FakeClock) -> None:
    for user in (DISCORD_ALICE, DISCORD_BOB):
        await driver.slash("pair join", user=user, level="mid", availability="Thu 18:00-21:00")

    async def step() -> None:
        await driver.app.scheduler.run_due(clock.now())
        await driver.settle()
        for message in driver.fake.messages.values():
            message.nonce = None  # Discord forgets nonces within minutes

    await through_the_round(clock, step)


async def test_discord_finds_pairing_messages_in_threads_and_dms_after_crashes(
    sqlite_url: str, clock: FakeClock
) -> None:
    start = clock.now()
    crash_url = second_database(sqlite_url)
    async with fake_discord() as fake, discord_bot(sqlite_url, clock, fake=fake) as clean:
        ids_follow(fake, clock)
        await play_round_on_discord(clean, clock)
        expected = seen_on_discord(fake)
    assert any(place.startswith("thread:") and "Mock interview, round 1" in text
               for place, text in expected)
    assert sum("Your technical question" in text for _, text in expected) == 2

    again = FakeClock(start)
    async with fake_discord() as fake, discord_bot(crash_url, again, fake=fake) as driver:
        ids_follow(fake, again)
        dying = DiesAfterEachKept(driver.app.services.chats[Platform.DISCORD])
        driver.app.services.chats[Platform.DISCORD] = dying
        await play_round_on_discord(driver, again)
        got = seen_on_discord(fake)
    assert len(dying.killed) >= 6
    assert [item for item, n in got.items() if n > 1] == []
    assert got == expected
