"""What is due, asked of the tables: posts, window closes, review ends, and stale claims.

Pure questions: `due(services, until)` reads the database and the clock and returns work; it
changes nothing. Slots are listed from each channel's schedule (see timing.py). A slot that
was missed while the bot was down is made up only if it is the latest one and its answer
window is still open: after a long outage a channel gets today's question, not a burst of old
ones, and never a question whose answers would already be closed. Each slot given up this way
is logged once (a note in the store, so a restart or a second instance does not log it again).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from functools import partial

from bot.core.context import Services
from bot.core.outbox import STALE
from bot.store.tables import Note
from bot.store.upsert import insert_once
from commands.daily import queries
from commands.daily.closing import close_post, end_reviews
from commands.daily.posting import retry_post, run_slot
from commands.daily.tables import DailyPost
from commands.daily.timing import parse_time, slots_between
from commands.spec import DueWork, JobSpec, Wakeup

log = logging.getLogger(__name__)

CATCH_UP = timedelta(days=8)  # the latest missed slot of any weekly schedule is this recent


def _platforms(services: Services) -> list[str]:
    # Only workspaces whose platform runs in this process: a console on a shared database
    # must not post to Discord channels.
    return [str(platform) for platform in services.chats]


async def due_posts(services: Services, until: datetime) -> list[DueWork]:
    now = services.clock.now()
    work: list[DueWork] = []
    async with services.store.session() as session:
        schedules = await queries.active_schedules(session, _platforms(services))
        since = (now - CATCH_UP - timedelta(days=1)).date()  # a day of slack for local dates
        claimed = await queries.claimed_slots(session, [s.channel_id for s in schedules], since)
        stale = await queries.unposted(session, _platforms(services))
    missed: list[tuple[int, date, datetime, str]] = []
    for schedule in schedules:
        start = max(schedule.active_since, now - CATCH_UP)
        slots = list(slots_between(schedule.post_time, schedule.timezone, schedule.days,
                                   start, until))
        window = timedelta(hours=schedule.window_hours)
        for i, slot in enumerate(slots):
            if (schedule.channel_id, slot.day.isoformat()) in claimed:
                continue
            if i + 1 < len(slots) and slots[i + 1].at <= now:
                # missed while down, and a later slot is due too: give it up
                missed.append((schedule.channel_id, slot.day, slot.at, "a later one is due"))
                continue
            if slot.at + window <= now:
                # missed while down past its answer window: posting it now helps nobody
                missed.append((schedule.channel_id, slot.day, slot.at,
                               f"its {schedule.window_hours} h answer window is over"))
                continue
            work.append(DueWork(
                slot.at,
                f"daily:post:{schedule.channel_id}:{slot.day.isoformat()}",
                partial(run_slot, schedule_id=schedule.id, day=slot.day, at=slot.at),
            ))
    for post in stale:
        at = post.claimed_at + STALE
        if at <= until:
            work.append(DueWork(at, f"daily:repost:{post.id}:{post.claimed_at.isoformat()}",
                                partial(retry_post, post_id=post.id, claimed_at=post.claimed_at)))
    if missed:
        async with services.store.session() as session:
            noted = await queries.noted(session, [_skip_key(c, d) for c, d, _, _ in missed])
        work += [
            DueWork(at, f"daily:skip:{channel_id}:{day.isoformat()}",
                    partial(skip_slot, channel_id=channel_id, day=day, why=why))
            for channel_id, day, at, why in missed
            if _skip_key(channel_id, day) not in noted
        ]
    return work


def _skip_key(channel_id: int, day: date) -> str:
    return f"daily:skipped:{channel_id}:{day.isoformat()}"


async def skip_slot(services: Services, channel_id: int, day: date, why: str) -> None:
    """Give up a slot missed while the bot was down: note it (once, for every instance), log."""
    now = services.clock.now()
    async with services.store.session() as session:
        if await queries.post_by_slot(session, channel_id, day.isoformat()) is not None:
            return  # another instance posted it meanwhile
        if not await insert_once(session, Note, {"key": _skip_key(channel_id, day),
                                                 "value": f"skipped at {now.isoformat()}"}):
            return
    log.warning("daily question of channel %s for %s skipped: the bot was down over it and %s",
                channel_id, day.isoformat(), why)


async def due_closes(services: Services, until: datetime) -> list[DueWork]:
    async with services.store.session() as session:
        posts = await queries.unclosed(session, _platforms(services))
    return _phase_work(posts, until, "close", close_post)


async def due_review_ends(services: Services, until: datetime) -> list[DueWork]:
    async with services.store.session() as session:
        posts = await queries.unreviewed(session, _platforms(services))
    return _phase_work(posts, until, "reviewed", end_reviews)


PhaseRun = Callable[..., Awaitable[None]]


def _phase_work(
    posts: list[DailyPost], until: datetime, phase: str, run: PhaseRun
) -> list[DueWork]:
    """A phase (the close, the review end) of each post: due at its time, or when its claim has
    gone stale (the run that took it died); the run is told which claim it may take over."""
    claimed_column, due_column = {
        "close": ("close_claimed_at", "closes_at"),
        "reviewed": ("review_claimed_at", "review_ends_at"),
    }[phase]
    work = []
    for post in posts:
        claimed: datetime | None = getattr(post, claimed_column)
        at: datetime = getattr(post, due_column) if claimed is None else claimed + STALE
        if at <= until:
            suffix = "" if claimed is None else f":{claimed.isoformat()}"
            work.append(DueWork(at, f"daily:{phase}:{post.id}{suffix}",
                                partial(run, post_id=post.id, expected=claimed)))
    return work


async def post_wakeups(services: Services) -> list[Wakeup]:
    """One cron wake-up per running schedule, at its post time in its own timezone."""
    async with services.store.session() as session:
        schedules = await queries.active_schedules(session, _platforms(services))
    wakeups = []
    for schedule in schedules:
        at = parse_time(schedule.post_time)
        wakeups.append(Wakeup(
            key=f"daily:{schedule.channel_id}",
            hour=at.hour,
            minute=at.minute,
            days=tuple(int(d) for d in schedule.days),
            timezone=schedule.timezone,
        ))
    return wakeups


JOBS = [
    JobSpec("daily.post", due_posts, wakeups=post_wakeups),
    JobSpec("daily.close", due_closes),
    JobSpec("daily.review_end", due_review_ends),
]
