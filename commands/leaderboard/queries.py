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
from functools import cache

from sqlalchemy import (
    CompoundSelect,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    select,
    true,
    tuple_,
    union_all,
)
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


# Statements are built once with bind parameters: SQLAlchemy then reuses their compiled form,
# which matters when a whole board must answer in a few milliseconds.
_BOARD = and_(
    TOTALS.c.workspace_id == bindparam("ws"),
    TOTALS.c.period_kind == bindparam("kind"),
    TOTALS.c.period_start == bindparam("start"),
    TOTALS.c.topic == bindparam("topic"),
)
_SHOWN = and_(_BOARD, TOTALS.c.visible == true())
_HERE = tuple_(TOTALS.c.points, TOTALS.c.person_id)
_MINE = tuple_(bindparam("points"), bindparam("person"))
_MEMBER = select(TOTALS.c.points, TOTALS.c.visible).where(
    _BOARD, TOTALS.c.person_id == bindparam("person")
)
_NAMES = (
    select(Account.person_id, Account.display_name, Person.display_name)
    .join(Person, Person.id == Account.person_id)
    .where(Account.workspace_id == bindparam("ws"),
           Account.person_id.in_(bindparam("ids", expanding=True)))
)


def _params(key: BoardKey, **more: object) -> dict[str, object]:
    return {"ws": key.workspace_id, "kind": key.kind, "start": key.start, "topic": key.topic,
            **more}


@cache
def _top(size: int) -> Select[int, int]:
    return (
        select(TOTALS.c.person_id, TOTALS.c.points)
        .where(_SHOWN)
        .order_by(TOTALS.c.points.desc(), TOTALS.c.person_id.desc())
        .limit(size)
    )


@cache
def _around(count: int) -> CompoundSelect[int, int, int]:
    above = (
        select(TOTALS.c.person_id, TOTALS.c.points, literal(1).label("side"))
        .where(_SHOWN, _HERE > _MINE)
        .order_by(TOTALS.c.points.asc(), TOTALS.c.person_id.asc())
        .limit(count)
    )
    below = (
        select(TOTALS.c.person_id, TOTALS.c.points, literal(2).label("side"))
        .where(_SHOWN, _HERE < _MINE)
        .order_by(TOTALS.c.points.desc(), TOTALS.c.person_id.desc())
        .limit(count)
    )
    return union_all(above.subquery().select(), below.subquery().select())


@cache
def _counts(wanted: int) -> Select[*tuple[int, ...]]:
    columns = [func.coalesce(func.sum(HISTOGRAM.c.members), 0)] + [
        func.coalesce(
            func.sum(case((HISTOGRAM.c.points > bindparam(f"t{i}"), HISTOGRAM.c.members),
                          else_=0)),
            0,
        )
        for i in range(wanted)
    ]
    return select(*columns).where(
        HISTOGRAM.c.workspace_id == bindparam("ws"),
        HISTOGRAM.c.period_kind == bindparam("kind"),
        HISTOGRAM.c.period_start == bindparam("start"),
        HISTOGRAM.c.topic == bindparam("topic"),
    )


async def top_entries(session: AsyncSession, key: BoardKey, size: int) -> list[Entry]:
    rows = (await session.execute(_top(size), _params(key))).all()
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
    row = (await session.execute(_MEMBER, _params(key, person=person_id))).first()
    return (row[0], bool(row[1])) if row is not None else None


async def neighbours(
    session: AsyncSession, key: BoardKey, person_id: int, points: int, count: int
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Visible members just above and just below (person_id, points), nearest first."""
    rows = await session.execute(_around(count), _params(key, points=points, person=person_id))
    up: list[tuple[int, int]] = []
    down: list[tuple[int, int]] = []
    for person, value, side in rows:
        (up if side == 1 else down).append((person, value))
    return sorted(up, key=lambda r: (r[1], r[0])), sorted(down, key=lambda r: (-r[1], -r[0]))


async def counts_above(
    session: AsyncSession, key: BoardKey, totals: Sequence[int]
) -> tuple[int, dict[int, int]]:
    """(visible members on the board, {total: visible members with more points}).

    One pass over the board's histogram: as many rows as there are distinct totals.
    """
    wanted = sorted(set(totals))
    more = {f"t{i}": t for i, t in enumerate(wanted)}
    values = (await session.execute(_counts(len(wanted)), _params(key, **more))).one()
    return int(values[0]), {t: int(v) for t, v in zip(wanted, values[1:], strict=True)}


async def names(session: AsyncSession, workspace_id: int, person_ids: set[int]) -> dict[int, str]:
    """Display names of members in this workspace (their account name, else their own)."""
    if not person_ids:
        return {}
    rows = await session.execute(_NAMES, {"ws": workspace_id, "ids": sorted(person_ids)})
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
