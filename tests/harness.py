"""Story-test helpers: drive the real app through the console adapter and read what it showed."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.adapters.console.runner import ConsoleAdapter
from bot.app import App, build
from bot.clock import FakeClock
from bot.config import Settings


@dataclass
class ConsoleBot:
    """The whole bot behind the console; `say` plays one line and returns what appeared."""

    app: App
    adapter: ConsoleAdapter
    lines: list[str] = field(default_factory=list)

    @classmethod
    async def start(cls, settings: Settings, clock: FakeClock) -> ConsoleBot:
        app = build(settings, clock)
        await app.prepare()
        lines: list[str] = []
        adapter = ConsoleAdapter(app, lines.append)
        app.attach(adapter)
        await app.start(schedule=False)
        return cls(app, adapter, lines)

    async def say(self, line: str, as_: str | None = None) -> list[str]:
        session = self.adapter.session
        assert session is not None
        if as_ is not None and as_ != session.user:
            await session.feed(f"!as {as_}")
        before = len(self.lines)
        await session.feed(line)
        return self.lines[before:]

    async def play(self, script: str) -> list[str]:
        before = len(self.lines)
        for line in script.strip().splitlines():
            await self.say(line.strip())
        return self.lines[before:]

    async def stop(self) -> None:
        await self.app.stop()
