"""Helpers for the exactly-once tests: apps on one database, a recording port, post counts.

A `RecordingPort` wraps a real ChatPort and writes down every send (what, where, for whom), so
a test can check that no scheduled message was sent twice, whichever instance sent it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from bot.adapters.console.runner import ConsoleAdapter
from bot.app import App, build
from bot.clock import FakeClock
from bot.config import Settings
from bot.core.ids import ChannelRef, MessageRef, Platform, ThreadRef, UserRef
from bot.core.ports import ChatPort
from bot.core.ui import Message
from commands.daily.tables import DailyPost


def console_settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, console_images_dir=str(tmp_path / "images"))


async def console_app(
    settings: Settings, clock: FakeClock
) -> tuple[App, ConsoleAdapter, list[str]]:
    """A migrated app with the console attached (not started): what a restart builds."""
    app = build(settings, clock)
    await app.prepare()
    lines: list[str] = []
    adapter = ConsoleAdapter(app, lines.append)
    app.attach(adapter)
    return app, adapter, lines


async def start_and_catch_up(app: App) -> None:
    """Start as production does (scheduler on) and wait for the catch-up run at start."""
    await app.start(schedule=True)
    await asyncio.wait_for(app.scheduler.caught_up.wait(), 30)
    await app.dispatcher.drain()


@dataclass(frozen=True)
class Send:
    """One thing a port was asked to show: the verb, the place, who sees it and the text."""

    verb: str
    place: str
    thread: str | None
    user: str | None
    text: str
    buttons: tuple[str, ...] = ()


@dataclass
class RecordingPort:
    """A ChatPort that records every send and passes it on to the real port."""

    inner: ChatPort
    sends: list[Send] = field(default_factory=list)
    platform: Platform = field(init=False)

    def __post_init__(self) -> None:
        self.platform = self.inner.platform

    def _note(
        self,
        verb: str,
        place: ChannelRef,
        message: Message,
        thread: ThreadRef | None = None,
        user: UserRef | None = None,
    ) -> None:
        self.sends.append(Send(
            verb, place.id, thread.id if thread else None, user.id if user else None,
            message.plain(), tuple(b.action_id for b in message.buttons),
        ))

    async def post(
        self, channel: ChannelRef, message: Message, *, thread: ThreadRef | None = None
    ) -> MessageRef:
        self._note("post", channel, message, thread)
        return await self.inner.post(channel, message, thread=thread)

    async def open_thread(self, parent: MessageRef, name: str) -> ThreadRef:
        return await self.inner.open_thread(parent, name)

    async def send_dm(self, user: UserRef, message: Message) -> MessageRef:
        self._note("dm", ChannelRef(user.workspace, "dm"), message, user=user)
        return await self.inner.send_dm(user, message)

    async def open_private_space(
        self, channel: ChannelRef, users: list[UserRef], name: str
    ) -> ThreadRef | ChannelRef:
        return await self.inner.open_private_space(channel, users, name)

    async def send_private(self, channel: ChannelRef, user: UserRef, message: Message) -> None:
        self._note("private", channel, message, user=user)
        await self.inner.send_private(channel, user, message)

    async def update(self, ref: MessageRef, message: Message) -> None:
        await self.inner.update(ref, message)

    async def delete(self, ref: MessageRef) -> None:
        await self.inner.delete(ref)

    async def react(self, ref: MessageRef, emoji: str) -> None:
        await self.inner.react(ref, emoji)

    async def find_post(
        self, channel: ChannelRef, marker: str, since: datetime, *, thread: ThreadRef | None = None
    ) -> MessageRef | None:
        return await self.inner.find_post(channel, marker, since, thread=thread)

    async def find_dm(self, user: UserRef, marker: str, since: datetime) -> MessageRef | None:
        return await self.inner.find_dm(user, marker, since)


class Unreachable(RecordingPort):
    """The platform refuses every post (it is down)."""

    async def post(
        self, channel: ChannelRef, message: Message, *, thread: ThreadRef | None = None
    ) -> MessageRef:
        raise ConnectionError("the platform is down")


def doubles(sends: Iterable[Send]) -> list[tuple[Send, int]]:
    """Sends that happened more than once (same verb, place, person and content)."""
    return [(send, n) for send, n in Counter(sends).items() if n > 1]


async def daily_posts(app: App) -> list[DailyPost]:
    async with app.store.session() as session:
        return list(await session.scalars(select(DailyPost).order_by(DailyPost.id)))


async def count_rows(app: App, model: type) -> int:
    async with app.store.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)
