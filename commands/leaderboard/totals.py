"""Keeping the leaderboard aggregates in step with the ledger, and rebuilding them from it.

Periods are UTC calendar periods: the ISO week (from Monday), the calendar month, and all time.
`add_points` is called by `bot.store.ledger.award` when (and only when) it inserted a line, in
the same transaction, so the totals can never count an award twice or miss one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, and_, delete, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.tables import Person, PointsEntry
from commands.leaderboard.tables import PointsHistogram, PointsTotal

PERIODS = ("week", "month", "all")
ALL_TIME = date(1970, 1, 1)  # period_start of the all-time board
ALL_TOPICS = ""

TOTALS: Table = PointsTotal.__table__  # type: ignore[assignment]
HISTOGRAM: Table = PointsHistogram.__table__  # type: ignore[assignment]
PEOPLE: Table = Person.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class BoardKey:
    """Which board: a workspace, a period kind and its first day, a topic ("" = all)."""

    workspace_id: int
    kind: str
    start: date
    topic: str = ALL_TOPICS

    def where(self, table: Any) -> Any:
        """The equality conditions selecting this board's rows in `table`."""
        return and_(
            table.c.workspace_id == self.workspace_id,
            table.c.period_kind == self.kind,
            table.c.period_start == self.start,
            table.c.topic == self.topic,
        )

    def values(self) -> dict[str, Any]:
        return {
            "workspace_id": self.workspace_id,
            "period_kind": self.kind,
            "period_start": self.start,
            "topic": self.topic,
        }


def period_start(kind: str, day: date) -> date:
    """The first day of the period of `kind` that holds `day`."""
    if kind == "week":
        return day - timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    if kind == "all":
        return ALL_TIME
    raise ValueError(f"unknown period {kind!r}")


def board_key(workspace_id: int, kind: str, at: datetime, topic: str | None = None) -> BoardKey:
    """The board of `kind` that is current at `at` (UTC periods)."""
    day = at.astimezone(UTC).date()
    return BoardKey(workspace_id, kind, period_start(kind, day), topic or ALL_TOPICS)


def keys_for(workspace_id: int, at: datetime, topic: str | None) -> list[BoardKey]:
    """Every board one award counts on: each period, all topics and its own topic."""
    topics = [ALL_TOPICS] + ([topic] if topic else [])
    return [board_key(workspace_id, kind, at, t) for kind in PERIODS for t in topics]


async def add_points(
    session: AsyncSession,
    *,
    workspace_id: int,
    person_id: int,
    points: int,
    topic: str | None,
    at: datetime,
) -> None:
    """Move a member's totals (and, if they are on the boards, the histogram) by `points`.

    Four statements whatever the number of boards: lock the member, read their current totals,
    upsert the totals, upsert the histogram. The member's `people` row is locked (FOR NO KEY
    UPDATE on PostgreSQL; SQLite has one writer anyway), so awards to one member, and their
    leaving or rejoining the boards, happen one after the other and the old totals read here
    stay true until this transaction ends.
    """
    if points == 0:
        return
    visible = bool(
        await session.scalar(
            select(PEOPLE.c.on_leaderboard)
            .where(PEOPLE.c.id == person_id)
            .with_for_update(key_share=True)
        )
    )
    keys = keys_for(workspace_id, at, topic)
    current = await session.execute(
        select(TOTALS.c.period_kind, TOTALS.c.period_start, TOTALS.c.topic, TOTALS.c.points)
        .where(
            TOTALS.c.workspace_id == workspace_id,
            TOTALS.c.person_id == person_id,
            tuple_(TOTALS.c.period_kind, TOTALS.c.period_start, TOTALS.c.topic).in_(
                [(k.kind, k.start, k.topic) for k in keys]
            ),
        )
    )
    old = {(kind, start, t): value for kind, start, t, value in current}
    rows = [{**k.values(), "person_id": person_id, "points": points, "visible": visible}
            for k in keys]
    # One statement run with several parameter sets (executemany), not a multi-row VALUES:
    # SQLAlchemy cannot cache the compiled form of the latter, so every award compiled it anew.
    await session.execute(_upserts(_dialect(session)).totals, rows)
    if not visible:
        return
    moves: dict[tuple[BoardKey, int], int] = {}
    for k in keys:
        before = old.get((k.kind, k.start, k.topic))
        after = points + (before or 0)
        if before is not None:
            moves[(k, before)] = moves.get((k, before), 0) - 1
        moves[(k, after)] = moves.get((k, after), 0) + 1
    await _move_buckets(session, moves)


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


@dataclass(frozen=True)
class _Upserts:
    """The two aggregate upserts of one dialect, built once (their compiled forms are cached)."""

    totals: Any
    histogram: Any


@lru_cache(maxsize=4)
def _upserts(dialect: str) -> _Upserts:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    totals = insert(TOTALS)
    histogram = insert(HISTOGRAM)
    return _Upserts(
        totals=totals.on_conflict_do_update(
            index_elements=["workspace_id", "period_kind", "period_start", "topic", "person_id"],
            set_={"points": TOTALS.c.points + totals.excluded.points},
        ),
        histogram=histogram.on_conflict_do_update(
            index_elements=["workspace_id", "period_kind", "period_start", "topic", "points"],
            set_={"members": HISTOGRAM.c.members + histogram.excluded.members},
        ),
    )


async def _move_buckets(session: AsyncSession, moves: dict[tuple[BoardKey, int], int]) -> None:
    """Add `delta` members to each (board, total) bucket, in one execute (sorted, so that
    concurrent moves lock buckets in the same order; executemany keeps that order)."""
    rows = [
        {**key.values(), "points": value, "members": delta}
        for (key, value), delta in sorted(
            moves.items(), key=lambda m: (m[0][0].kind, m[0][0].start, m[0][0].topic, m[0][1])
        )
        if delta
    ]
    if not rows:
        return
    await session.execute(_upserts(_dialect(session)).histogram, rows)


async def set_visible(session: AsyncSession, person_id: int, visible: bool) -> None:
    """A member left (or rejoined) the boards: flip their rows and move them in the histogram.

    Called by `bot.store.members.set_on_leaderboard` after it changed `people.on_leaderboard`
    (which it updates first, so concurrent awards wait for this transaction).
    """
    rows = await session.execute(
        update(TOTALS)
        .where(TOTALS.c.person_id == person_id, TOTALS.c.visible == (not visible))
        .values(visible=visible)
        .returning(TOTALS.c.workspace_id, TOTALS.c.period_kind, TOTALS.c.period_start,
                   TOTALS.c.topic, TOTALS.c.points)
    )
    delta = 1 if visible else -1
    await _move_buckets(session, {(BoardKey(w, k, s, t), v): delta for w, k, s, t, v in rows})


@dataclass(frozen=True)
class Award:
    """The part of a ledger line the aggregates need."""

    person_id: int
    points: int
    topic: str | None
    at: datetime


def aggregate(workspace_id: int, awards: Iterable[Award]) -> dict[BoardKey, Counter[int]]:
    """Totals per board and member, computed from ledger lines (rebuilds and benchmarks)."""
    boards: dict[BoardKey, Counter[int]] = defaultdict(Counter)
    keys: dict[tuple[date, str | None], list[BoardKey]] = {}  # the boards depend on day and topic
    for award in awards:
        if award.points:
            day = award.at.astimezone(UTC).date()
            found = keys.get((day, award.topic))
            if found is None:
                found = keys[(day, award.topic)] = keys_for(workspace_id, award.at, award.topic)
            for key in found:
                boards[key][award.person_id] += award.points
    return boards


async def write_aggregates(
    session: AsyncSession,
    boards: dict[BoardKey, Counter[int]],
    hidden: set[int],
    *,
    chunk: int = 5000,
) -> None:
    """Bulk-insert totals and histogram rows for boards that hold no rows yet; members in
    `hidden` are off the boards."""
    totals: list[dict[str, Any]] = []
    buckets: list[dict[str, Any]] = []
    for key, members in boards.items():
        base = key.values()
        totals += [
            {**base, "person_id": p, "points": v, "visible": p not in hidden}
            for p, v in members.items()
        ]
        counts = Counter(v for p, v in members.items() if p not in hidden)
        buckets += [{**base, "points": v, "members": n} for v, n in counts.items()]
    for rows, table in ((totals, TOTALS), (buckets, HISTOGRAM)):
        for i in range(0, len(rows), chunk):
            await session.execute(insert(table), rows[i : i + chunk])


async def rebuild(session: AsyncSession, workspace_id: int) -> None:
    """Recompute a workspace's aggregates from its ledger (after a member is forgotten, or to
    check them); the ledger is the truth, the aggregates are only a fast copy of it."""
    await session.execute(delete(TOTALS).where(TOTALS.c.workspace_id == workspace_id))
    await session.execute(delete(HISTOGRAM).where(HISTOGRAM.c.workspace_id == workspace_id))
    rows = await session.stream(
        select(PointsEntry.person_id, PointsEntry.points, PointsEntry.topic, PointsEntry.created_at)
        .where(PointsEntry.workspace_id == workspace_id)
    )
    awards = [Award(r.person_id, r.points, r.topic, r.created_at) async for r in rows]
    hidden = set(
        await session.scalars(select(PEOPLE.c.id).where(PEOPLE.c.on_leaderboard.is_(False)))
    )
    await write_aggregates(session, aggregate(workspace_id, awards), hidden)


async def read_aggregates(
    session: AsyncSession, workspace_id: int
) -> tuple[dict[BoardKey, dict[int, tuple[int, bool]]], dict[BoardKey, dict[int, int]]]:
    """(totals with visibility, histogram) of a workspace as plain dicts, leaving out empty
    buckets (tests compare them with a rebuild)."""
    totals: dict[BoardKey, dict[int, tuple[int, bool]]] = defaultdict(dict)
    for r in await session.execute(select(TOTALS).where(TOTALS.c.workspace_id == workspace_id)):
        key = BoardKey(workspace_id, r.period_kind, r.period_start, r.topic)
        totals[key][r.person_id] = (r.points, r.visible)
    histogram: dict[BoardKey, dict[int, int]] = defaultdict(dict)
    for r in await session.execute(
        select(HISTOGRAM).where(HISTOGRAM.c.workspace_id == workspace_id, HISTOGRAM.c.members != 0)
    ):
        key = BoardKey(workspace_id, r.period_kind, r.period_start, r.topic)
        histogram[key][r.points] = r.members
    return dict(totals), dict(histogram)
