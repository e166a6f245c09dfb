"""The weekly recap: every Monday at 09:00 (channel time) in each daily channel, or in the home
channel of a workspace that earned points lately; claimed per channel and ISO week.

The recap covers the previous Monday-Sunday in the channel's timezone: top members by points,
the longest live streaks, the most helpful reviewers (ledger reason `review_helpful` or
`helpful_review`), the most-missed questions (wrong `quiz_answer` / `daily_answer` activity,
grouped by the question id at the end of the activity ref, e.g. `daily:12:la-svd-1`), and the
mock interviews done (distinct refs of `mock_interview` activity: both partners share one ref).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Services
from bot.core.ids import MessageRef
from bot.core.outbox import STALE, post_once
from bot.core.ports import ChannelGone
from bot.store.members import display_names
from bot.store.tables import Activity, Channel, Person, PointsEntry, Workspace
from bot.store.upsert import insert_once
from commands.leaderboard.tables import PointsHistogram, Recap
from commands.spec import DueWork
from commands.streaks.queries import longest_current
from commands.streaks.schedule import day_start, home_channel, schedules, show_day, zone_of
from commands.streaks.service import can_send, channel_ref

log = logging.getLogger(__name__)

RECAP_TIME = time(9, 0)
GRACE = timedelta(days=2)  # a recap later than this (the bot was down) is skipped
TOP = 5
# Ledger reasons of a review its author found helpful (the brief's name, and the daily feature's).
HELPFUL = ("review_helpful", "helpful_review")


@dataclass(frozen=True)
class RecapData:
    """What one recap shows."""

    title: str
    top: list[tuple[str, int]] = field(default_factory=list)
    streaks: list[tuple[str, int]] = field(default_factory=list)
    reviewers: list[tuple[str, int]] = field(default_factory=list)
    missed: list[tuple[str, int]] = field(default_factory=list)
    mock_interviews: int = 0

    @property
    def empty(self) -> bool:
        return not (self.top or self.reviewers or self.missed or self.mock_interviews)


def last_recap_time(until: datetime, zone: str) -> datetime:
    """The latest Monday 09:00 in `zone` at or before `until`, as UTC."""
    tz = zone_of(zone)
    monday = until.astimezone(tz).date()
    monday -= timedelta(days=monday.weekday())
    at = datetime.combine(monday, RECAP_TIME, tzinfo=tz).astimezone(UTC)
    if at > until:
        at = datetime.combine(monday - timedelta(weeks=1), RECAP_TIME, tzinfo=tz).astimezone(UTC)
    return at


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


async def recap_channels(session: AsyncSession, since: date) -> list[int]:
    """Daily channels, plus the home channel of workspaces with points since `since`."""
    chosen = {channel_id for channel_id, _ in await schedules(session, None)}
    with_daily = set(
        await session.scalars(select(Channel.workspace_id).where(Channel.id.in_(chosen)))
    ) if chosen else set()
    active = await session.scalars(
        select(PointsHistogram.workspace_id)
        .where(
            PointsHistogram.period_kind == "week",
            PointsHistogram.period_start >= since,
            PointsHistogram.members > 0,
        )
        .distinct()
    )
    for workspace_id in set(active) - with_daily:
        channel = await home_channel(session, workspace_id)
        if channel is not None:
            chosen.add(channel.id)
    return sorted(chosen)


async def due_recaps(services: Services, until: datetime) -> list[DueWork]:
    """Each recap channel's latest Monday recap, unless done (a few queries for all channels)."""
    wanted: dict[int, tuple[datetime, str]] = {}
    async with services.store.session() as session:
        ids = await recap_channels(session, until.date() - timedelta(days=15))
        rows = await session.execute(
            select(Channel, Workspace)
            .join(Workspace, Workspace.id == Channel.workspace_id)
            .where(Channel.id.in_(ids))
        ) if ids else None
        for channel, workspace in rows or ():
            if not can_send(services, workspace):
                continue
            at = last_recap_time(until, channel.timezone)
            if until - at > GRACE or at < channel.created_at:
                continue
            wanted[channel.id] = (at, week_label(at.astimezone(zone_of(channel.timezone)).date()))
        claims = {
            (row.channel_id, row.week): row
            for row in await session.execute(
                select(Recap.channel_id, Recap.week, Recap.claimed_at, Recap.sent_at).where(
                    Recap.channel_id.in_(list(wanted)),
                    Recap.week.in_({week for _, week in wanted.values()}),
                )
            )
        } if wanted else {}
    work: list[DueWork] = []
    for channel_id, (at, week) in sorted(wanted.items()):
        claimed = claims.get((channel_id, week))
        if claimed is not None:
            if claimed.sent_at is not None:
                continue
            at = max(at, claimed.claimed_at + STALE)  # its run died or failed: retry
            if at > until:
                continue
        work.append(DueWork(at, f"leaderboard.recap:{channel_id}:{week}",
                            _post(channel_id, week, at)))
    return work


def _post(channel_id: int, week: str, at: datetime) -> Callable[[Services], Awaitable[None]]:
    async def run(services: Services) -> None:
        from commands.leaderboard.views import recap_message

        now = services.clock.now()
        async with services.store.session() as session:
            await insert_once(
                session, Recap, {"channel_id": channel_id, "week": week, "claimed_at": now}
            )
            if await _done(session, channel_id, week):
                return
            channel = await session.get(Channel, channel_id)
            assert channel is not None
            workspace = await session.get(Workspace, channel.workspace_id)
            assert workspace is not None
            data = await gather(session, services, workspace, channel, at)
        ref: MessageRef | None = None
        if not data.empty:  # a quiet week has nothing to say: done without a message
            try:
                ref = await post_once(services, f"recap:{channel_id}:{week}",
                                      channel_ref(workspace, channel), recap_message(data))
            except ChannelGone:
                log.warning("recap for channel %s: the channel is gone", channel_id)
            else:
                if ref is None:
                    return  # another run is posting it right now
        async with services.store.session() as session:
            row = await session.scalar(
                select(Recap).where(Recap.channel_id == channel_id, Recap.week == week)
            )
            if row is not None:
                row.message_id = ref.id if ref is not None else None
                row.sent_at = services.clock.now()

    return run


async def _done(session: AsyncSession, channel_id: int, week: str) -> bool:
    sent_at = await session.scalar(
        select(Recap.sent_at).where(Recap.channel_id == channel_id, Recap.week == week)
    )
    return sent_at is not None


async def gather(
    session: AsyncSession,
    services: Services,
    workspace: Workspace,
    channel: Channel,
    at: datetime,
) -> RecapData:
    """The recap of the week before the Monday of `at`, in the channel's timezone."""
    monday = at.astimezone(zone_of(channel.timezone)).date() - timedelta(weeks=1)
    sunday = monday + timedelta(days=6)
    start, end = day_start(monday, channel.timezone), day_start(sunday + timedelta(days=1),
                                                                 channel.timezone)
    ws = workspace.id
    visible = (PointsEntry.workspace_id == ws, PointsEntry.created_at >= start,
               PointsEntry.created_at < end, Person.on_leaderboard.is_(True))
    total = func.sum(PointsEntry.points)
    top = list(await session.execute(
        select(PointsEntry.person_id, total)
        .join(Person, Person.id == PointsEntry.person_id)
        .where(*visible)
        .group_by(PointsEntry.person_id)
        .having(total > 0)
        .order_by(total.desc(), PointsEntry.person_id)
        .limit(TOP)
    ))
    helpful = func.count()
    reviewers = list(await session.execute(
        select(PointsEntry.person_id, helpful)
        .join(Person, Person.id == PointsEntry.person_id)
        .where(*visible, PointsEntry.reason.in_(HELPFUL))
        .group_by(PointsEntry.person_id)
        .order_by(helpful.desc(), PointsEntry.person_id)
        .limit(3)
    ))
    streaks = await longest_current(session, ws, 3, monday)
    in_week = (Activity.workspace_id == ws, Activity.local_day >= monday,
               Activity.local_day <= sunday)
    misses = await session.scalars(
        select(Activity.ref).where(
            *in_week,
            Activity.kind.in_(("quiz_answer", "daily_answer")),
            Activity.correct.is_(False),
        )
    )
    missed: Counter[str] = Counter()
    for ref in misses:
        question = services.packs.question(ws, ref.rsplit(":", 1)[-1])
        if question is not None:
            missed[question.prompt] += 1
    mocks = await session.scalar(
        select(func.count(distinct(Activity.ref))).where(*in_week,
                                                         Activity.kind == "mock_interview")
    )
    people = {p for p, _ in top} | {p for p, _ in reviewers} | {p for p, _ in streaks}
    named = await display_names(session, ws, people)
    return RecapData(
        title=f"{show_day(monday)} to {show_day(sunday)}",
        top=[(named.get(p, "someone"), int(v)) for p, v in top],
        streaks=[(named.get(p, "someone"), n) for p, n in streaks],
        reviewers=[(named.get(p, "someone"), int(n)) for p, n in reviewers],
        missed=[(_short(prompt), n) for prompt, n in missed.most_common(3)],
        mock_interviews=int(mocks or 0),
    )


def _short(prompt: str, size: int = 140) -> str:
    flat = " ".join(prompt.split())
    return flat if len(flat) <= size else flat[: size - 1] + "…"
