"""Runs what is due, in time order; APScheduler is only the thin shell that asks often.

Features declare `JobSpec`s whose `due(services, until)` list the work due by `until`. The same
`run_due` serves production (an APScheduler job ticking on the loop), the console's `!time`
(with the clock stepped to each item's time, so everything happens in order) and tests.
"""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import FakeClock, OffsetClock
from bot.core.context import Services
from commands.spec import DueWork

log = logging.getLogger(__name__)

TICK_SECONDS = 20
MAX_STEPS = 100_000


class Scheduler:
    """Owns the APScheduler instance and the ordered run of due work."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._aps: AsyncIOScheduler | None = None
        self.ran = 0

    async def collect(self, until: datetime) -> list[DueWork]:
        found: list[DueWork] = []
        for job in self.services.registry.jobs:
            found += await job.due(self.services, until)
        found.sort(key=lambda w: (w.at, w.key))
        return found

    async def run_due(self, until: datetime) -> int:
        """Run everything due by `until`, earliest first; a settable clock steps along."""
        clock = self.services.clock
        done: set[str] = set()
        for _ in range(MAX_STEPS):
            pending = [w for w in await self.collect(until) if w.key not in done]
            if not pending:
                break
            work = pending[0]
            if isinstance(clock, FakeClock | OffsetClock):
                clock.set(work.at)
            try:
                await work.run(self.services)
            except Exception:
                log.exception("scheduled work %s failed", work.key)
            done.add(work.key)
            self.ran += 1
        if isinstance(clock, FakeClock | OffsetClock):
            clock.set(until)
        return len(done)

    def start(self) -> None:
        """Start ticking on the running loop (APScheduler must start inside it)."""
        self._aps = AsyncIOScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
        )
        self._aps.add_job(
            self._tick, IntervalTrigger(seconds=TICK_SECONDS), id="tick", replace_existing=True
        )
        self._aps.start()

    async def _tick(self) -> None:
        await self.run_due(self.services.clock.now())

    def pause(self) -> None:
        # shutdown() would cancel running jobs; pausing lets in-flight work finish.
        if self._aps is not None and self._aps.running:
            self._aps.pause()

    def stop(self) -> None:
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
        self._aps = None
