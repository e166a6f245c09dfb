"""Thread replies survive a crash between the platform keeping them and the bot confirming them.

The daily close is a reply in the question's thread. The bot's port "dies" right after the
platform kept the close (its id is never stored); two minutes later the retry takes the stale
claim over and looks inside the thread for the marker (Slack `conversations.replies`, Discord
the thread's history, after Discord forgot the nonce), finds the close, confirms it and goes on
with the answer cards: one close in the thread, on both platforms, with the real clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.core.ids import ChannelRef, MessageRef, Platform, ThreadRef
from bot.core.ui import Message
from bot.store.tables import Send
from tests.adapters.discord_driver import discord_bot, fake_discord
from tests.adapters.slack_driver import ALICE, CAROL, slack_bot
from tests.commands.daily_support import write_pack
from tests.fakes.discord_rest import BOB as DISCORD_BOB
from tests.fakes.discord_rest import CAROL as DISCORD_CAROL
from tests.fakes.discord_rest import STUDY_ID
from tests.scheduling.support import RecordingPort, count_rows
from tests.scheduling.test_discord_reconcile import ids_follow

POST_AT = datetime(2026, 12, 1, 9, 1, tzinfo=UTC)
CLOSE_AT = datetime(2026, 12, 2, 9, 1, tzinfo=UTC)


class Crash(Exception):
    """The process died here (the scheduler logs it and moves on; the claim stays)."""


@dataclass
class DiesAfterFirstReply(RecordingPort):
    """Dies once, right after the platform kept the first reply in a thread."""

    died: bool = False

    async def post(
        self, channel: ChannelRef, message: Message, *, thread: ThreadRef | None = None
    ) -> MessageRef:
        kept = await super().post(channel, message, thread=thread)
        if thread is not None and not self.died:
            self.died = True
            raise Crash("killed after the platform kept a thread reply")
        return kept


async def test_slack_finds_a_thread_reply_it_kept_before_a_crash(
    sqlite_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    async with slack_bot(sqlite_url, clock) as slack:
        from bot.packs.loader import load_many

        (loaded,) = load_many(sorted(write_pack(tmp_path / "packs").glob("*.yaml")))
        assert loaded.pack is not None
        slack.app.services.packs.bundled[loaded.pack.id] = loaded.pack
        await slack.slash("daily setup", user=CAROL, time="09:00", packs="daily-test",
                          reveal="blind")
        app = slack.app
        await app.scheduler.run_due(POST_AT)
        post = slack.last("message")
        assert "Daily question #1" in post.readable
        await slack.press(post, "Answer", user=ALICE)
        await slack.submit_form({"answer": "2"}, user=ALICE)

        dying = DiesAfterFirstReply(app.services.chats[Platform.SLACK])
        app.services.chats[Platform.SLACK] = dying
        await app.scheduler.run_due(CLOSE_AT)  # the close is kept, then the crash
        await app.scheduler.run_due(CLOSE_AT + timedelta(minutes=3))  # stale: look, then go on
        await slack.dispatcher.drain()

        thread = [s for s in slack.fake.sent
                  if s.kind == "message" and s.thread_ts == post.ts]
        closes = [s for s in thread if "answers are closed" in s.readable]
        assert len(closes) == 1, [s.readable[:60] for s in thread]
        assert len(thread) == 2, [s.readable[:60] for s in thread]  # the close and one card
        assert slack.fake.calls_to("conversations.replies"), "the retry must look in the thread"
        assert await count_rows(app, Send) >= 2


async def test_discord_finds_a_thread_reply_it_kept_before_a_crash(
    sqlite_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    packs = write_pack(tmp_path / "packs")
    async with fake_discord() as fake, discord_bot(
        sqlite_url, clock, fake=fake, extra_pack_dirs=[str(packs)]
    ) as driver:
        ids_follow(fake, clock)
        await driver.slash("daily setup", user=DISCORD_CAROL, time="09:00", packs="daily-test")
        app = driver.app
        await app.scheduler.run_due(POST_AT)
        await driver.settle()
        post = [m for m in driver.sent if m.channel_id == STUDY_ID and not m.ephemeral][-1]
        assert "Daily question #1" in post.text and post.thread_id is not None
        opened = await driver.press(post, "Answer", user=DISCORD_BOB)
        await driver.submit_form(opened, {"answer": "2"}, user=DISCORD_BOB)
        await driver.settle()

        dying = DiesAfterFirstReply(app.services.chats[Platform.DISCORD])
        app.services.chats[Platform.DISCORD] = dying
        await app.scheduler.run_due(CLOSE_AT)  # the close is kept, then the crash
        for message in fake.messages.values():
            message.nonce = None  # minutes later Discord has forgotten the nonce
        await app.scheduler.run_due(CLOSE_AT + timedelta(minutes=3))
        await driver.settle()

        thread = [m for m in driver.sent if m.channel_id == post.thread_id]
        closes = [m for m in thread if "answers are closed" in m.text]
        assert len(closes) == 1, [m.text[:60] for m in thread]
        assert any(m.buttons and m.buttons[0].startswith("Review #") for m in thread)
        history = fake.requests("GET", f"/channels/{post.thread_id}/messages")
        assert history, "the retry must look in the thread"
