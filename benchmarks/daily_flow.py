"""A daily question set up and posted through the real dispatcher, and its members' events.

Used by the throughput and memory measurements: an admin runs `/daily setup` and `/daily now`
in a channel (posts go to a silent port), then members answer (half in the thread, half
through the Answer form, as platforms deliver them) and, after the close, review.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from benchmarks.common import START, write_pack
from bot.app import App, build
from bot.clock import FakeClock
from bot.config import Settings
from bot.core.events import CommandInvoked, FormSubmitted, Inbound, MessagePosted
from bot.core.ids import ChannelRef, MessageRef, Platform, ThreadRef, UserRef, WorkspaceRef
from bot.core.ports import NullChat
from bot.core.ui import Reply
from bot.store.tables import Account
from commands.daily.tables import DailyAnswer, DailyPost

ANSWER_TEXT = "KS test per feature every hour against the training sample; alert the owner."
REVIEW_FIELDS = {"c1": "4", "c2": "3", "c3": "5", "comment": "Clear and complete."}


def bench_app(url: str, folder: Path, clock: FakeClock | None = None) -> App:
    """The real app (bot/app.py) with the benchmark pack and a silent port per platform."""
    settings = Settings(database_url=url, extra_pack_dirs=[write_pack(folder / "packs")])
    app = build(settings, clock or FakeClock(START))
    for platform in (Platform.SLACK, Platform.DISCORD, Platform.CONSOLE):
        app.services.chats[platform] = NullChat(platform)
    return app


@dataclass
class Room:
    """One channel with a posted daily question."""

    app: App
    workspace: WorkspaceRef
    channel: ChannelRef
    post_id: int
    thread: ThreadRef
    run: str
    members: dict[int, UserRef] = field(default_factory=dict)

    @property
    def clock(self) -> FakeClock:
        clock = self.app.services.clock
        assert isinstance(clock, FakeClock)
        return clock

    def member(self, i: int) -> UserRef:
        if i not in self.members:
            self.members[i] = UserRef(self.workspace, f"U{i:06d}", f"member{i}")
        return self.members[i]

    def answer(self, i: int) -> Inbound:
        """Member i answers: even members in the thread, odd ones through the form."""
        actor, delivery = self.member(i), f"{self.run}:answer:{i}"
        if i % 2 == 0:
            ref = MessageRef(self.channel, f"msg-{self.run}-{i}", self.thread)
            return MessagePosted(delivery_id=delivery, actor=actor, channel=self.channel,
                                 text=ANSWER_TEXT, message=ref)
        return FormSubmitted(delivery_id=delivery, actor=actor, channel=self.channel,
                             form_id="daily.answer", context=str(self.post_id),
                             fields={"answer": ANSWER_TEXT})

    def review(self, i: int, answer_id: int) -> Inbound:
        return FormSubmitted(delivery_id=f"{self.run}:review:{i}:{answer_id}",
                             actor=self.member(i), channel=self.channel,
                             form_id="daily.review", context=str(answer_id),
                             fields=dict(REVIEW_FIELDS))


async def open_room(
    app: App, *, platform: Platform = Platform.SLACK, workspace: str = "TBENCH",
    channel: str = "CBENCH", run: str = "bench", quorum: int = 2,
) -> Room:
    """`/daily setup` and `/daily now` by an admin; returns the posted question's room."""
    ws = WorkspaceRef(platform, workspace, "Benchmark")
    where = ChannelRef(ws, channel, "bench")
    admin = UserRef(ws, "UADMIN", "admin", is_admin=True)
    setup = await app.dispatcher.handle(CommandInvoked(
        delivery_id=f"{run}:setup", actor=admin, channel=where, name="daily setup",
        args={"packs": "bench-daily", "quorum": str(quorum), "time": "09:00",
              "timezone": "UTC"},
    ))
    _expect(setup, "Next post", "daily setup")
    now = await app.dispatcher.handle(CommandInvoked(
        delivery_id=f"{run}:now", actor=admin, channel=where, name="daily now"))
    _expect(now, "Posting daily question", "daily now")
    await app.dispatcher.drain()
    async with app.store.session() as session:
        post = (await session.scalars(
            select(DailyPost).order_by(DailyPost.id.desc()).limit(1))).one()
    assert post.thread_id is not None, "the daily post got no thread"
    return Room(app, ws, where, post.id, ThreadRef(where, post.thread_id), run)


async def close_answers(room: Room) -> None:
    """Move the clock to the close and run what is due (review assignments)."""
    async with room.app.store.session() as session:
        post = await session.get(DailyPost, room.post_id)
        assert post is not None
        closes_at = post.closes_at
    room.clock.set(closes_at)
    await room.app.scheduler.run_due(closes_at)
    await room.app.dispatcher.drain()


async def answers_by_member(room: Room) -> dict[str, int]:
    """Account external id -> answer id, for the posted question."""
    async with room.app.store.session() as session:
        rows = await session.execute(
            select(Account.external_id, DailyAnswer.id)
            .join(DailyAnswer, DailyAnswer.account_id == Account.id)
            .where(DailyAnswer.post_id == room.post_id)
        )
        return {str(external): int(answer) for external, answer in rows}


@dataclass
class Delivered:
    """Events handled by a pool of concurrent deliveries: wall time and each one's latency."""

    seconds: float
    latencies: list[float]
    replies: list[Reply | None]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def deliver(app: App, events: Iterable[Inbound], concurrency: int) -> Delivered:
    """Hand every event to Dispatcher.handle, `concurrency` at a time (as adapters do)."""
    pending = iter(list(events))
    latencies: list[float] = []
    replies: list[Reply | None] = []

    async def worker() -> None:
        for event in pending:  # one shared iterator: each event is taken once
            began = time.perf_counter()
            reply = await app.dispatcher.handle(event)
            latencies.append(time.perf_counter() - began)
            replies.append(reply)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await app.dispatcher.drain()
    return Delivered(time.perf_counter() - began, latencies, replies)


def _expect(reply: Reply | None, words: str, what: str) -> None:
    text = reply.message.plain() if reply is not None and reply.message is not None else ""
    if words not in text:
        raise RuntimeError(f"/{what} did not work in the benchmark: {text or reply!r}")
