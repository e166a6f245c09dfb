"""Runs the console: wires a ConsoleSession to the App, plays a script or reads a terminal."""

from __future__ import annotations

import asyncio
import secrets
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.adapters.console.port import WORKSPACE, ConsolePort
from bot.adapters.console.repl import ConsoleSession
from bot.app import App
from bot.core.events import Inbound
from bot.core.ids import Platform, UserRef
from bot.core.ports import ChatPort
from bot.core.ui import Reply
from bot.store.members import known_admins, remember_admin


class ConsoleAdapter:
    """The console as an adapter of the App: its port prints, its session reads lines."""

    platform = Platform.CONSOLE

    def __init__(self, app: App, write: Callable[[str], None]) -> None:
        self.app = app
        clock = app.services.clock
        images = Path(app.services.settings.console_images_dir)
        # Unique per run: a replayed script on the same database must not look like a redelivery.
        run_id = secrets.token_hex(3)
        self.console_port = ConsolePort(write, images, run_id, clock.now)
        self.port: ChatPort = self.console_port
        self.write = write
        self.session: ConsoleSession | None = None

    @property
    def connected(self) -> bool:
        return True

    async def start(self) -> None:
        async with self.app.store.session() as session:
            admins = await known_admins(session, WORKSPACE)
        self.session = ConsoleSession(self, self.console_port, self.write, admins)

    async def stop(self) -> None:
        await self.app.dispatcher.drain()

    # ConsoleApp protocol
    def now(self) -> datetime:
        return self.app.services.clock.now()

    async def dispatch(self, event: Inbound) -> Reply | None:
        return await self.app.dispatcher.handle(event)

    async def settle(self) -> None:
        await self.app.dispatcher.drain()

    async def advance(self, target: datetime) -> None:
        await self.app.scheduler.run_due(target)
        await self.app.dispatcher.drain()

    async def remember_admin(self, user: UserRef) -> None:
        async with self.app.store.session() as session:
            await remember_admin(session, user, self.now())


async def play(adapter: ConsoleAdapter, lines: TextIO, *, echo: bool) -> None:
    """Play lines (a script or a terminal) through the console session."""
    session = adapter.session
    assert session is not None
    interactive = lines.isatty()
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            try:
                line = await loop.run_in_executor(None, input, session.prompt())
            except EOFError:
                break
            await adapter.advance(adapter.now())
        else:
            line = lines.readline()
            if not line:
                break
        if echo and line.strip():
            adapter.write(f"{session.user}> {line.rstrip()}")
        await session.feed(line)


def stdout_writer() -> Callable[[str], None]:
    def write(text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    return write
