"""Every registered JobSpec obeys the simplest exactly-once rule: asking twice sends once.

A week of a study group is built through the console (a daily question with answers, a
pairing round with a chosen slot, streak reminders, a quiz against the clock, the Monday
recap; the platform refuses one streak reminder, which is sent again). At each step two App
instances (two Store engines, two schedulers, one chat platform) run `run_due` for the same
`until` at the same time, then each runs it once more.
Every send is recorded with the step it happened in: no step may send the same thing twice.
The test also checks that each registered job had due work at some step, so a job added
later is covered (or this test tells its author to give the world due work for it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, build
from bot.clock import FakeClock
from bot.core.ids import MessageRef, Platform, UserRef
from bot.core.ui import Message
from tests.commands.packs_support import TEAM_V1, import_by_form
from tests.commands.pairing_support import press, space_of
from tests.harness import ConsoleBot
from tests.scheduling.support import RecordingPort, Send, console_settings, doubles

AVAILABILITY = "Thu 18:00-21:00, Fri 18:00-21:00"


@dataclass
class World:
    """The console instance (A), a second instance (B) on the same database, one platform."""

    console: ConsoleBot
    other: App
    port: FirstReminderFails
    clock: FakeClock

    @property
    def apps(self) -> tuple[App, App]:
        return self.console.app, self.other


@dataclass
class FirstReminderFails(RecordingPort):
    """The platform refuses the first streak reminder once (so it has to be sent again)."""

    refused: int = 0

    async def send_dm(self, user: UserRef, message: Message) -> MessageRef:
        if "streak is at risk" in message.text and not self.refused:
            self.refused += 1
            raise ConnectionError("the platform hung up")
        return await super().send_dm(user, message)


@pytest.fixture
async def world(any_db_url: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[World]:
    settings = console_settings(any_db_url, tmp_path)
    console = await ConsoleBot.start(settings, clock)
    port = FirstReminderFails(console.adapter.console_port)
    console.app.services.chats[Platform.CONSOLE] = port
    other = build(settings, clock)  # its own Store engine and Scheduler
    await other.prepare()
    other.services.chats[Platform.CONSOLE] = port
    try:
        yield World(console, other, port, clock)
    finally:
        await other.stop()
        await console.stop()


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=UTC)


def runs(world: World, job: str, outcome: str) -> float:
    """How often both instances ran work of `job` with this outcome (ok or error)."""
    return sum(
        app.metrics.registry.get_sample_value(
            "studybot_scheduled_runs_total", {"job": job, "outcome": outcome}
        ) or 0.0
        for app in world.apps
    )


async def step(world: World, until: datetime) -> list[Send]:
    """Both instances at once, then each again, for the same `until`; what was sent."""
    first, second = world.apps
    before = len(world.port.sends)
    await asyncio.gather(first.scheduler.run_due(until), second.scheduler.run_due(until))
    for app in world.apps:
        await app.dispatcher.drain()
        await app.scheduler.run_due(until)
        await app.dispatcher.drain()
    return world.port.sends[before:]


async def test_every_job_sends_once_when_asked_twice_and_by_two_instances(world: World) -> None:
    say = world.console.say
    assert "09:00" in "\n".join(await say("/daily setup time:09:00"))
    for who in ("alice", "bob"):
        out = await say(f'/pair join level:mid availability:"{AVAILABILITY}"', as_=who)
        assert "You're in round 1" in out[0], out
    for who in ("alice", "carol"):
        await say("/streak remind state:on", as_=who)
    out = await say("/quiz count:2", as_="dave")
    assert any("Question 1" in line or "1/2" in line for line in out), out
    out = await import_by_form(world.console, TEAM_V1)  # instance B learns of it by packs.sync
    assert "Imported" in "\n".join(out), out

    stages = [at(1, 9) + timedelta(minutes=30), at(2, 10)]
    stages += [at(2, 16) + timedelta(hours=6 * i) for i in range(24)]
    by_stage: list[list[Send]] = []
    for number, until in enumerate(stages):
        by_stage.append(await step(world, until))
        if number == 0:  # the question is up: two members answer in its thread
            posted = [s for s in by_stage[0] if s.text.startswith("**Daily question #1")]
            assert len(posted) == 1, by_stage[0]
            await say("!thread")
            await say("My answer, with some detail about it.", as_="alice")
            await say("Another answer, also with detail.", as_="bob")
            await say("!channel")
        if number == 1:  # round 1 is paired: bob picks the first slot
            out = await press(world.console, "bob", "Slot 1",
                              space=space_of(world.console, "alice", "bob"))
            assert "picked a time" in "\n".join(out), out

    assert [p for ps in world.other.services.packs.imported.values() for p in ps] == ["team-pack"]
    registered = {job.name for job in world.console.app.services.registry.jobs}
    idle = sorted(name for name in registered if runs(world, name, "ok") == 0)
    assert idle == [], f"no due work in this world for {idle}: give it some"
    failed = {name: runs(world, name, "error") for name in registered}
    assert not any(failed.values()), failed
    for number, sends in enumerate(by_stage):
        assert doubles(sends) == [], f"sent twice at step {number} ({stages[number]})"
    everything = [s for sends in by_stage for s in sends]
    assert sum(s.text.startswith("**Daily question #1 ·") for s in everything) == 1
    assert sum("Daily question #1: answers are closed" in s.text for s in everything) == 1
    assert world.port.refused == 1  # the refused reminder was sent again, once (no doubles)
    reminders = [s for s in everything if "streak is at risk" in s.text]
    assert len({(s.user, s.text) for s in reminders}) == len(reminders) > 0
