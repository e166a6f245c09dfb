"""What is due, asked of the tables: posts, window closes, review ends, and stale claims.

Pure questions: `due(services, until)` reads the database and the clock and returns work; it
changes nothing. Slots are listed from each channel's schedule (see timing.py). A slot that
was missed while the bot was down is made up only if it is the latest one: after a long
outage a channel gets today's question, not a burst of old ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from bot.core.context import Services
from commands.daily import queries
from commands.daily.closing import close_post, end_reviews
from commands.daily.posting import retry_post, run_slot
from commands.daily.sending import STALE
from commands.daily.timing import parse_time, slots_between
from commands.spec import DueWork, JobSpec, Wakeup

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
    for schedule in schedules:
        start = max(schedule.active_since, now - CATCH_UP)
        slots = list(slots_between(schedule.post_time, schedule.timezone, schedule.days,
                                   start, until))
        for i, slot in enumerate(slots):
            if (schedule.channel_id, slot.day.isoformat()) in claimed:
                continue
            if i + 1 < len(slots) and slots[i + 1].at <= now:
                continue  # missed while down, and a later slot is due too: skip it
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
    return work


async def due_closes(services: Services, until: datetime) -> list[DueWork]:
    async with services.store.session() as session:
        posts = await queries.unclosed(session, _platforms(services))
    work = []
    for post in posts:
        claimed = post.close_claimed_at
        at = post.closes_at if claimed is None else claimed + STALE
        if at <= until:
            suffix = "" if claimed is None else f":{claimed.isoformat()}"
            work.append(DueWork(at, f"daily:close:{post.id}{suffix}",
                                partial(close_post, post_id=post.id, expected=claimed)))
    return work


async def due_review_ends(services: Services, until: datetime) -> list[DueWork]:
    async with services.store.session() as session:
        posts = await queries.unreviewed(session, _platforms(services))
    work = []
    for post in posts:
        claimed = post.review_claimed_at
        at = post.review_ends_at if claimed is None else claimed + STALE
        if at <= until:
            suffix = "" if claimed is None else f":{claimed.isoformat()}"
            work.append(DueWork(at, f"daily:reviewed:{post.id}{suffix}",
                                partial(end_reviews, post_id=post.id, expected=claimed)))
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
