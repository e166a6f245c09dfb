"""Production's exact wake-ups: one cron job per running channel, rebuilt on every change."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.clock import FakeClock
from scheduler.runner import MISFIRE_GRACE_SECONDS, Scheduler
from tests.commands.daily_support import start_bot
from tests.harness import ConsoleBot


@pytest.fixture
async def bot(sqlite_url: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[ConsoleBot]:
    running = await start_bot(sqlite_url, clock, tmp_path)
    yield running
    await running.stop()


async def started(scheduler: Scheduler) -> None:
    """Start as production does, and wait for the runs at start to finish."""
    scheduler.start()
    await asyncio.wait_for(scheduler.caught_up.wait(), 5)
    await scheduler.sync_wakeups()


async def stopped(scheduler: Scheduler) -> None:
    scheduler.pause()
    await scheduler.drain()
    scheduler.stop()


def next_fire(scheduler: Scheduler, after: datetime) -> list[datetime]:
    fires = []
    for job in scheduler.wakeup_jobs().values():
        assert isinstance(job.trigger, CronTrigger)
        fire = job.trigger.get_next_fire_time(None, after)
        assert fire is not None
        fires.append(fire.astimezone(UTC))
    return fires


async def test_wakeups_follow_setup_pause_and_resume(bot: ConsoleBot) -> None:
    scheduler = bot.app.scheduler
    await started(scheduler)  # inside the running loop, as production does
    try:
        assert scheduler.wakeup_jobs() == {}
        await bot.say("/daily setup time:10:00 timezone:Europe/Berlin days:weekdays")
        jobs = scheduler.wakeup_jobs()
        assert len(jobs) == 1
        job = next(iter(jobs.values()))
        assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS and job.coalesce is True
        saturday = datetime(2026, 12, 5, 12, tzinfo=UTC)
        assert next_fire(scheduler, saturday) == [datetime(2026, 12, 7, 9, tzinfo=UTC)]

        await bot.say("/daily setup time:11:15")  # replaced at once, same job id
        assert list(scheduler.wakeup_jobs()) == list(jobs)
        assert next_fire(scheduler, saturday) == [datetime(2026, 12, 7, 10, 15, tzinfo=UTC)]

        await bot.say("/daily pause")
        assert scheduler.wakeup_jobs() == {}
        await bot.say("/daily resume")
        assert len(scheduler.wakeup_jobs()) == 1
    finally:
        await stopped(scheduler)


async def test_wakeups_are_rebuilt_from_the_tables_at_start(bot: ConsoleBot) -> None:
    await bot.say("/daily setup time:06:00 timezone:Asia/Kolkata")  # scheduler not running
    fresh = Scheduler(bot.app.services)
    await started(fresh)
    try:
        assert next_fire(fresh, datetime(2026, 12, 1, 8, tzinfo=UTC)) == [
            datetime(2026, 12, 2, 0, 30, tzinfo=UTC)
        ]
    finally:
        await stopped(fresh)
