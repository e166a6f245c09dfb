"""The leaderboard's SQL: a board's top, a member's rank and neighbours, from the aggregates.

Order on a board: more points first; among equal points, the later member id first (the rank
index is scanned in one direction only). Ranks are fair: equal points share a rank and the
next rank skips (1, 1, 3). A rank is 1 + the number of visible members with more points: the
histogram sum above that total, minus the hidden members above it (hidden members are few and
found through a partial index).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, Table, and_, case, false, func, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.tables import Account, Person
from commands.leaderboard.totals import HISTOGRAM, TOTALS, BoardKey

PEOPLE: Table = Person.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Entry:
    """One line of a board."""

    rank: int
    person_id: int
    points: int
    name: str = ""


@dataclass(frozen=True)
class Board:
    """A board as one member sees it: the top, their own line and their neighbours."""

    key: BoardKey
    top: list[Entry]
    ranked: int
    me: Entry | None = None
    me_hidden: bool = False
    above: list[Entry] = field(default_factory=list)
    below: list[Entry] = field(default_factory=list)


def _visible_rows(key: BoardKey) -> Select[int, int]:
    return (
        select(TOTALS.c.person_id, TOTALS.c.points)
        .select_from(TOTALS.join(PEOPLE, PEOPLE.c.id == TOTALS.c.person_id))
        .where(key.where(TOTALS), PEOPLE.c.on_leaderboard == true())
    )


async def top_entries(session: AsyncSession, key: BoardKey, size: int) -> list[Entry]:
    rows = (
        await session.execute(
            _visible_rows(key)
            .order_by(TOTALS.c.points.desc(), TOTALS.c.person_id.desc())
            .limit(size)
        )
    ).all()
    entries: list[Entry] = []
    for i, (person_id, points) in enumerate(rows):
        # Everyone with more points is listed before this row, so its rank is read off the list.
        rank = i + 1 if i == 0 or rows[i - 1][1] != points else entries[-1].rank
        entries.append(Entry(rank, person_id, points))
    return entries


async def hidden_points(session: AsyncSession, key: BoardKey) -> list[int]:
    """Totals of the members on this board who left the boards (driven by the partial index)."""
    rows = await session.execute(
        select(TOTALS.c.points)
        .select_from(
            PEOPLE.join(TOTALS, and_(key.where(TOTALS), TOTALS.c.person_id == PEOPLE.c.id))
        )
        .where(PEOPLE.c.on_leaderboard == false())
    )
    return [r[0] for r in rows]


async def counts_above(
    session: AsyncSession, key: BoardKey, totals: Sequence[int]
) -> tuple[int, dict[int, int]]:
    """(members on the board, {total: members with more points}), hidden members included.

    One pass over the board's histogram: as many rows as there are distinct totals.
    """
    wanted = sorted(set(totals))
    columns = [func.coalesce(func.sum(HISTOGRAM.c.members), 0)] + [
        func.coalesce(func.sum(case((HISTOGRAM.c.points > t, HISTOGRAM.c.members), else_=0)), 0)
        for t in wanted
    ]
    values = (await session.execute(select(*columns).where(key.where(HISTOGRAM)))).one()
    return int(values[0]), {t: int(v) for t, v in zip(wanted, values[1:], strict=True)}


async def member_total(session: AsyncSession, key: BoardKey, person_id: int) -> int | None:
    return await session.scalar(
        select(TOTALS.c.points).where(key.where(TOTALS), TOTALS.c.person_id == person_id)
    )


async def neighbours(
    session: AsyncSession, key: BoardKey, person_id: int, points: int, count: int
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Visible members just above and just below (person_id, points), nearest first."""
    here = tuple_(TOTALS.c.points, TOTALS.c.person_id)
    mine = tuple_(points, person_id)
    above = await session.execute(
        _visible_rows(key)
        .where(here > mine)
        .order_by(TOTALS.c.points.asc(), TOTALS.c.person_id.asc())
        .limit(count)
    )
    below = await session.execute(
        _visible_rows(key)
        .where(here < mine)
        .order_by(TOTALS.c.points.desc(), TOTALS.c.person_id.desc())
        .limit(count)
    )
    return [(p, v) for p, v in above], [(p, v) for p, v in below]


async def names(session: AsyncSession, workspace_id: int, person_ids: set[int]) -> dict[int, str]:
    """Display names of members in this workspace (their account name, else their own)."""
    if not person_ids:
        return {}
    rows = await session.execute(
        select(Account.person_id, Account.display_name, Person.display_name)
        .join(Person, Person.id == Account.person_id)
        .where(Account.workspace_id == workspace_id, Account.person_id.in_(person_ids))
    )
    return {pid: account or person for pid, account, person in rows}


async def board(
    session: AsyncSession,
    key: BoardKey,
    person_id: int | None,
    *,
    size: int = 10,
    around: int = 1,
) -> Board:
    """The board for `key` seen by `person_id`: top `size`, their rank and `around` neighbours.

    About ten indexed queries, none of which reads more than the board's top, the distinct
    totals above the member, and the hidden members: fast at 100k members (see bench.py).
    """
    top = await top_entries(session, key, size)
    hidden = await hidden_points(session, key)
    mine = await member_total(session, key, person_id) if person_id is not None else None
    me_hidden = False
    above: list[tuple[int, int]] = []
    below: list[tuple[int, int]] = []
    if person_id is not None and mine is not None:
        me_hidden = not await session.scalar(
            select(PEOPLE.c.on_leaderboard).where(PEOPLE.c.id == person_id)
        )
        if not me_hidden and all(e.person_id != person_id for e in top):
            above, below = await neighbours(session, key, person_id, mine, around)
    wanted = [v for _, v in above + below] + ([mine] if mine is not None else [])
    everyone, higher = await counts_above(session, key, wanted)

    def rank(total: int) -> int:
        return 1 + higher[total] - sum(1 for h in hidden if h > total)

    me_entry = None
    if person_id is not None and mine is not None:
        listed = next((e for e in top if e.person_id == person_id), None)
        me_entry = listed or Entry(rank(mine), person_id, mine)
    around_entries = [Entry(rank(v), p, v) for p, v in [*reversed(above), *below]]
    shown = {e.person_id for e in top + around_entries}
    shown |= {me_entry.person_id} if me_entry else set()
    named = await names(session, key.workspace_id, shown)

    def with_name(e: Entry) -> Entry:
        return Entry(e.rank, e.person_id, e.points, named.get(e.person_id, "someone"))

    return Board(
        key=key,
        top=[with_name(e) for e in top],
        ranked=everyone - len(hidden),
        me=with_name(me_entry) if me_entry else None,
        me_hidden=me_hidden,
        above=[with_name(e) for e in around_entries[: len(above)]],
        below=[with_name(e) for e in around_entries[len(above) :]],
    )


def start_label(key: BoardKey) -> date | None:
    return None if key.kind == "all" else key.start
