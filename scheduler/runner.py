"""Runs what is due, in time order; APScheduler is only the thin shell that asks often.

Features declare `JobSpec`s whose `due(services, until)` list the work due by `until`. The same
`run_due` serves production (an APScheduler job ticking on the loop), the console's `!time`
(with the clock stepped to each item's time, so everything happens in order) and tests.
Features may also declare `Wakeup`s (a channel's daily post time): production then adds a
CronTrigger per wake-up in its IANA timezone whose callback is the same `run_due(now)`, rebuilt
from the tables at start and whenever a feature reports a schedule change.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import FakeClock, OffsetClock
from bot.core.context import Services
from bot.core.errors import StoreUnavailable
from commands.spec import DueWork, Wakeup

log = logging.getLogger(__name__)

TICK_SECONDS = 20
MAX_STEPS = 100_000
WAKE_PREFIX = "wake:"
MISFIRE_GRACE_SECONDS = 300
_CRON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def cron_trigger(wakeup: Wakeup) -> CronTrigger:
    """The APScheduler trigger of a wake-up, in its own timezone (DST handled by APScheduler;
    a time repeated in the fall-back hour fires twice, and our claims make that harmless)."""
    return CronTrigger(
        day_of_week=",".join(_CRON_DAYS[d] for d in sorted(set(wakeup.days))),
        hour=wakeup.hour,
        minute=wakeup.minute,
        timezone=ZoneInfo(wakeup.timezone),
    )


class Scheduler:
    """Owns the APScheduler instance and the ordered run of due work."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._aps: AsyncIOScheduler | None = None
        self._tick_lock = asyncio.Lock()
        self.ran = 0
        # Set by pause(): a run stops before its next item (each item is claim, send, confirm).
        self._stopping = False
        self._runs: set[asyncio.Task[object]] = set()
        # Set once the catch-up run at start has finished (or failed); tests and /healthz wait.
        self.caught_up = asyncio.Event()
        services.schedule_listeners.append(self.sync_wakeups)

    async def collect(self, until: datetime) -> list[DueWork]:
        return [work for _job, work in await self._collect_named(until)]

    async def _collect_named(self, until: datetime) -> list[tuple[str, DueWork]]:
        """Due work with the name of the job that declared it (the metrics label)."""
        found: list[tuple[str, DueWork]] = []
        for job in self.services.registry.jobs:
            found += [(job.name, work) for work in await job.due(self.services, until)]
        found.sort(key=lambda item: (item[1].at, item[1].key))
        return found

    async def run_due(self, until: datetime) -> int:
        """Run everything due by `until`, earliest first; a settable clock steps along.

        Work due at the same instant runs as one batch (a fan-out to every channel posting at
        09:00 asks the jobs once, not once per channel); after each batch the jobs are asked
        again, so work that a batch made due (a close creates its notes) runs in time order.
        """
        clock = self.services.clock
        done: set[str] = set()
        for _ in range(MAX_STEPS):
            if self._stopping:
                break
            pending = [(j, w) for j, w in await self._collect_named(until) if w.key not in done]
            if not pending:
                break
            first = pending[0][1].at
            if isinstance(clock, FakeClock | OffsetClock):
                clock.set(first)
            for job, work in pending:
                if work.at != first or self._stopping:
                    break
                await self._run_one(job, work)
                done.add(work.key)
        if isinstance(clock, FakeClock | OffsetClock):
            clock.set(until)
        return len(done)

    async def _run_one(self, job: str, work: DueWork) -> None:
        metrics = self.services.metrics
        try:
            await work.run(self.services)
        except Exception:
            metrics.jobs.labels(job, "error").inc()
            metrics.errors.labels("scheduler").inc()
            log.exception("scheduled work %s failed", work.key)
        else:
            metrics.jobs.labels(job, "ok").inc()
        self.ran += 1

    def start(self) -> None:
        """Start ticking on the running loop (APScheduler must start inside it), and catch up
        at once on what fell due while the bot was down."""
        self._stopping = False
        self.caught_up.clear()
        self._aps = AsyncIOScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
        )
        self._aps.add_job(
            self.tick, IntervalTrigger(seconds=TICK_SECONDS), id="tick", replace_existing=True
        )
        # No trigger: each runs once, at once, on the loop (the jobs come from our own tables).
        self._aps.add_job(self.sync_wakeups, id="wakeups")
        self._aps.add_job(self.catch_up, id="catch-up")
        self._aps.start()

    async def catch_up(self) -> int:
        """The run at start: what fell due while the bot was down (each job's `due` decides
        what is still worth doing late; the claims make a second instance's run a no-op)."""
        try:
            ran = await self.tick()
            log.info("catch-up at start: %d scheduled item(s) ran", ran)
            return ran
        finally:
            self.caught_up.set()

    async def tick(self) -> int:
        """One run of everything due now; never raises (the next tick tries again)."""
        task = asyncio.current_task()
        if task is not None:
            self._runs.add(task)
        try:
            # A wake-up and the tick may fire together; one run at a time is enough.
            async with self._tick_lock:
                if self._stopping:
                    return 0
                return await self.run_due(self.services.clock.now())
        except StoreUnavailable as exc:
            self.services.metrics.errors.labels("scheduler").inc()
            log.warning("database unavailable, the next tick tries again: %s", exc)
        except Exception:
            self.services.metrics.errors.labels("scheduler").inc()
            log.exception("scheduler run failed; the next tick tries again")
        finally:
            if task is not None:
                self._runs.discard(task)
        return 0

    async def wakeups(self) -> list[Wakeup]:
        found: list[Wakeup] = []
        for job in self.services.registry.jobs:
            if job.wakeups is not None:
                found += await job.wakeups(self.services)
        return found

    async def sync_wakeups(self) -> None:
        """Add, replace or drop one cron job per declared wake-up (no-op when not started)."""
        aps = self._aps
        if aps is None:
            return
        try:
            wanted = {WAKE_PREFIX + w.key: w for w in await self.wakeups() if w.days}
        except Exception:
            log.exception("could not read the wake-ups; the tick still runs due work")
            return
        for job in aps.get_jobs():
            if job.id.startswith(WAKE_PREFIX) and job.id not in wanted:
                job.remove()
        for job_id, wakeup in wanted.items():
            aps.add_job(
                self.tick,
                cron_trigger(wakeup),
                id=job_id,
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=MISFIRE_GRACE_SECONDS,
            )

    def wakeup_jobs(self) -> dict[str, Job]:
        """The wake-up jobs now registered, by id (for status pages and tests)."""
        if self._aps is None:
            return {}
        return {job.id: job for job in self._aps.get_jobs() if job.id.startswith(WAKE_PREFIX)}

    def pause(self) -> None:
        """Stop starting work: no new runs, and a run in progress stops after its current item.

        shutdown() would cancel running jobs mid-send; pausing lets in-flight work finish."""
        self._stopping = True
        if self._aps is not None and self._aps.running:
            self._aps.pause()

    async def drain(self) -> None:
        """Wait until the runs in progress (after `pause()`: their current items) are done."""
        while self._runs:
            await asyncio.wait(list(self._runs))

    def stop(self) -> None:
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
        self._aps = None
