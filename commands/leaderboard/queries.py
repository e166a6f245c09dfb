"""The leaderboard's SQL: a board's top, a member's rank and neighbours, from the aggregates.

Order on a board: more points first; among equal points, the later member id first (the rank
index is scanned in one direction only). Ranks are fair: equal points share a rank and the
next rank skips (1, 1, 3). A rank is 1 + the number of visible members with more points: one
sum over the board's histogram (as many rows as distinct totals, not as members). Members off
the boards are marked in the aggregates themselves, so no query reads `people`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, case, func, literal, select, true, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.tables import Account, Person
from commands.leaderboard.totals import HISTOGRAM, TOTALS, BoardKey


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


def _visible(key: BoardKey) -> Select[int, int]:
    return select(TOTALS.c.person_id, TOTALS.c.points).where(
        key.where(TOTALS), TOTALS.c.visible == true()
    )


async def top_entries(session: AsyncSession, key: BoardKey, size: int) -> list[Entry]:
    rows = (
        await session.execute(
            _visible(key).order_by(TOTALS.c.points.desc(), TOTALS.c.person_id.desc()).limit(size)
        )
    ).all()
    entries: list[Entry] = []
    for i, (person_id, points) in enumerate(rows):
        # Everyone with more points is listed before this row, so its rank is read off the list.
        rank = entries[-1].rank if entries and entries[-1].points == points else i + 1
        entries.append(Entry(rank, person_id, points))
    return entries


async def member_total(
    session: AsyncSession, key: BoardKey, person_id: int
) -> tuple[int, bool] | None:
    """(points, visible) of a member on a board, or None when they have no points there."""
    row = (
        await session.execute(
            select(TOTALS.c.points, TOTALS.c.visible).where(
                key.where(TOTALS), TOTALS.c.person_id == person_id
            )
        )
    ).first()
    return (row[0], bool(row[1])) if row is not None else None


async def neighbours(
    session: AsyncSession, key: BoardKey, person_id: int, points: int, count: int
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Visible members just above and just below (person_id, points), nearest first."""
    here = tuple_(TOTALS.c.points, TOTALS.c.person_id)
    mine = tuple_(points, person_id)
    above = (
        _visible(key)
        .add_columns(literal(1).label("side"))
        .where(here > mine)
        .order_by(TOTALS.c.points.asc(), TOTALS.c.person_id.asc())
        .limit(count)
    )
    below = (
        _visible(key)
        .add_columns(literal(2).label("side"))
        .where(here < mine)
        .order_by(TOTALS.c.points.desc(), TOTALS.c.person_id.desc())
        .limit(count)
    )
    rows = await session.execute(
        union_all(above.subquery().select(), below.subquery().select())
    )
    up: list[tuple[int, int]] = []
    down: list[tuple[int, int]] = []
    for person, value, side in rows:
        (up if side == 1 else down).append((person, value))
    return sorted(up, key=lambda r: (r[1], r[0])), sorted(down, key=lambda r: (-r[1], -r[0]))


async def counts_above(
    session: AsyncSession, key: BoardKey, totals: Sequence[int]
) -> tuple[int, dict[int, int]]:
    """(visible members on the board, {total: visible members with more points})."""
    wanted = sorted(set(totals))
    columns = [func.coalesce(func.sum(HISTOGRAM.c.members), 0)] + [
        func.coalesce(func.sum(case((HISTOGRAM.c.points > t, HISTOGRAM.c.members), else_=0)), 0)
        for t in wanted
    ]
    values = (await session.execute(select(*columns).where(key.where(HISTOGRAM)))).one()
    return int(values[0]), {t: int(v) for t, v in zip(wanted, values[1:], strict=True)}


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

    Five indexed queries, none reading more than the top, a few neighbours, one member's row
    and the histogram's distinct totals: fast at 100k members (see bench.py).
    """
    top = await top_entries(session, key, size)
    mine = await member_total(session, key, person_id) if person_id is not None else None
    above: list[tuple[int, int]] = []
    below: list[tuple[int, int]] = []
    listed = next((e for e in top if e.person_id == person_id), None)
    if person_id is not None and mine is not None and mine[1] and listed is None:
        above, below = await neighbours(session, key, person_id, mine[0], around)
    wanted = [v for _, v in above + below] + ([mine[0]] if mine is not None else [])
    ranked, higher = await counts_above(session, key, wanted)
    me_entry = None
    if person_id is not None and mine is not None:
        me_entry = listed or Entry(1 + higher[mine[0]], person_id, mine[0])
    around_entries = [Entry(1 + higher[v], p, v) for p, v in [*reversed(above), *below]]
    shown = {e.person_id for e in top + around_entries}
    shown |= {me_entry.person_id} if me_entry else set()
    named = await names(session, key.workspace_id, shown)

    def with_name(e: Entry) -> Entry:
        return Entry(e.rank, e.person_id, e.points, named.get(e.person_id, "someone"))

    return Board(
        key=key,
        top=[with_name(e) for e in top],
        ranked=ranked,
        me=with_name(me_entry) if me_entry else None,
        me_hidden=mine is not None and not mine[1],
        above=[with_name(e) for e in around_entries[: len(above)]],
        below=[with_name(e) for e in around_entries[len(above) :]],
    )
