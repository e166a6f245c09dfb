"""Exactly once on SQLite and PostgreSQL: racing runs of due work, racing answers, crashes.

Due work run twice at the same moment (two instances, or a wake-up beside the tick) claims
once and posts once. A crash after a send but before its confirmation is reconciled through
the platform (`find_post` with the marker) instead of posting again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.adapters.console.port import STUDY, WORKSPACE
from bot.clock import FakeClock
from bot.core.events import FormSubmitted
from bot.core.ids import ChannelRef, MessageRef, Platform, ThreadRef, UserRef
from bot.core.ports import ChatPort
from bot.core.ui import Message
from bot.store.tables import PointsEntry, Send
from commands.daily.tables import DailyAnswer, DailyAssignment, DailyPost
from commands.spec import DueWork
from tests.commands.daily_support import count, start_bot, text
from tests.harness import ConsoleBot


@pytest.fixture
async def bot(any_db_url: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[ConsoleBot]:
    started = await start_bot(any_db_url, clock, tmp_path)
    yield started
    await started.stop()


async def due(bot: ConsoleBot, until: datetime, prefix: str) -> DueWork:
    found = [w for w in await bot.app.scheduler.collect(until) if w.key.startswith(prefix)]
    assert len(found) == 1, [w.key for w in found]
    return found[0]


def shown(bot: ConsoleBot, needle: str) -> int:
    return sum(needle in s.message.plain() for s in bot.adapter.console_port.shown)


async def twice_at_once(bot: ConsoleBot, work: DueWork) -> None:
    clock = bot.app.services.clock
    assert isinstance(clock, FakeClock)
    clock.set(work.at)
    services = bot.app.services
    await asyncio.gather(work.run(services), work.run(services))


async def test_racing_runs_post_and_close_once(bot: ConsoleBot, clock: FakeClock) -> None:
    await bot.say("/daily setup time:09:00 timezone:UTC packs:daily-test")
    await twice_at_once(bot, await due(bot, clock.now().replace(hour=10), "daily:post"))
    assert await count(bot, DailyPost) == 1
    assert shown(bot, "Daily question #1") == 1

    await bot.say("!thread")
    for who, answer in (("alice", "2"), ("bob", "1"), ("carol", "B")):
        await bot.say(answer, as_=who)
    work = await due(bot, clock.now().replace(day=2, hour=10), "daily:close")
    await twice_at_once(bot, work)
    assert shown(bot, "answers are closed") == 1
    assert shown(bot, "Answer #2 by bob") == 1
    assert shown(bot, "Please review answers") == 3
    assert await count(bot, DailyAssignment) == 6
    assert await count(bot, Send) == 5  # the close, three cards, the review requests


async def test_racing_copies_of_an_answer_store_one_answer(bot: ConsoleBot) -> None:
    await bot.say("/daily setup time:09:00 timezone:UTC packs:daily-test")
    await bot.say("!time +1h")
    alice = UserRef(WORKSPACE, "alice", "alice")

    def submit(delivery: str, answer: str) -> FormSubmitted:
        return FormSubmitted(delivery_id=delivery, actor=alice, channel=STUDY,
                             form_id="daily.answer", context="1", fields={"answer": answer})

    dispatcher = bot.app.dispatcher
    replies = await asyncio.gather(
        dispatcher.handle(submit("slack:E1", "2")),
        dispatcher.handle(submit("slack:E1", "2")),  # the same delivery, retried at once
        dispatcher.handle(submit("slack:E2", "B")),  # a second submission of the same answer
        return_exceptions=True,
    )
    assert not any(isinstance(r, BaseException) for r in replies), replies
    await dispatcher.drain()
    assert await count(bot, DailyAnswer) == 1
    assert await count(bot, PointsEntry) == 3  # answer, on time, correct: once each


class CrashAfterSend:
    """A chat port that sends, then loses the connection before the caller hears back.

    It fails once for each message whose title contains `title`; everything else passes.
    """

    def __init__(self, inner: ChatPort, title: str) -> None:
        self.inner = inner
        self.platform = inner.platform
        self.title = title
        self.crashed = 0

    async def post(
        self, channel: ChannelRef, message: Message, *, thread: ThreadRef | None = None
    ) -> MessageRef:
        ref = await self.inner.post(channel, message, thread=thread)
        if self.title in (message.title or "") and not self.crashed:
            self.crashed += 1
            raise ConnectionResetError("connection lost after the send")
        return ref

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


async def test_a_crash_between_send_and_confirm_never_posts_twice(
    bot: ConsoleBot, clock: FakeClock
) -> None:
    services = bot.app.services
    console = services.chats[Platform.CONSOLE]
    flaky = CrashAfterSend(console, "Daily question #1 ·")
    services.chats[Platform.CONSOLE] = flaky  # type: ignore[assignment]
    await bot.say("/daily setup time:09:00 timezone:UTC packs:daily-test")
    await bot.say("!time +1h")
    assert flaky.crashed == 1 and shown(bot, "Daily question #1") == 1
    async with bot.app.store.session() as session:
        post = await session.get(DailyPost, 1)
    assert post is not None and post.posted_at is None  # claimed, sent, not confirmed

    # Two minutes later the stale claim is taken over: found by its marker, not resent.
    await bot.say("!time +3m")
    assert shown(bot, "Daily question #1") == 1
    async with bot.app.store.session() as session:
        post = await session.get(DailyPost, 1)
    assert post is not None and post.posted_at is not None and post.thread_id is not None

    flaky.title, flaky.crashed = "answers are closed", 0
    await bot.say("!thread")
    await bot.say("2", as_="alice")
    out = text(await bot.say("!time +24h"))
    assert flaky.crashed == 1
    assert shown(bot, "answers are closed") == 1
    assert shown(bot, "Answer #1 by alice") == 1  # the retry finished the close
    async with bot.app.store.session() as session:
        post = await session.get(DailyPost, 1)
    assert post is not None and post.closed_at is not None, out
