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
_ME, _TOP, _ABOVE, _BELOW = 0, 1, 2, 3  # which part of a combined statement a row is from


def _named(parts: CompoundSelect[int, int, bool, int]) -> Select[int, int, bool, int, str]:
    """Rows of `parts` (person, points, visible, part) with the member's name in this workspace."""
    rows = parts.subquery()
    return (
        select(rows.c.person_id, rows.c.points, rows.c.visible, rows.c.part,
               func.coalesce(func.nullif(Account.display_name, ""), Person.display_name))
        .select_from(rows)
        .join(Person, Person.id == rows.c.person_id)
        .outerjoin(Account, and_(Account.person_id == rows.c.person_id,
                                 Account.workspace_id == bindparam("ws")))
    )


def _part(order: Select[int, int, bool, int]) -> Select[int, int, bool, int]:
    return order.subquery().select()


def _params(key: BoardKey, **more: object) -> dict[str, object]:
    return {"ws": key.workspace_id, "kind": key.kind, "start": key.start, "topic": key.topic,
            **more}


@cache
def _top_and_me(size: int) -> Select[int, int, bool, int, str]:
    columns = (TOTALS.c.person_id, TOTALS.c.points, TOTALS.c.visible)
    top = (
        select(*columns, literal(_TOP).label("part"))
        .where(_SHOWN)
        .order_by(TOTALS.c.points.desc(), TOTALS.c.person_id.desc())
        .limit(size)
    )
    me = select(*columns, literal(_ME).label("part")).where(
        _BOARD, TOTALS.c.person_id == bindparam("person")
    )
    return _named(union_all(_part(top), me))


@cache
def _around(count: int) -> Select[int, int, bool, int, str]:
    columns = (TOTALS.c.person_id, TOTALS.c.points, TOTALS.c.visible)
    above = (
        select(*columns, literal(_ABOVE).label("part"))
        .where(_SHOWN, _HERE > _MINE)
        .order_by(TOTALS.c.points.asc(), TOTALS.c.person_id.asc())
        .limit(count)
    )
    below = (
        select(*columns, literal(_BELOW).label("part"))
        .where(_SHOWN, _HERE < _MINE)
        .order_by(TOTALS.c.points.desc(), TOTALS.c.person_id.desc())
        .limit(count)
    )
    return _named(union_all(_part(above), _part(below)))


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


async def top_and_member(
    session: AsyncSession, key: BoardKey, person_id: int | None, size: int
) -> tuple[list[Entry], tuple[int, bool, str] | None]:
    """The visible top `size` (ranked, named) and the member's (points, visible, name)."""
    rows = (await session.execute(_top_and_me(size), _params(key, person=person_id))).all()
    top = sorted((r for r in rows if r.part == _TOP), key=lambda r: (-r.points, -r.person_id))
    entries: list[Entry] = []
    for i, row in enumerate(top):
        # Everyone with more points is listed before this row, so its rank is read off the list.
        rank = entries[-1].rank if entries and entries[-1].points == row.points else i + 1
        entries.append(Entry(rank, row.person_id, row.points, row[4]))
    mine = next(((r.points, bool(r.visible), r[4]) for r in rows if r.part == _ME), None)
    return entries, mine


async def neighbours(
    session: AsyncSession, key: BoardKey, person_id: int, points: int, count: int
) -> tuple[list[Entry], list[Entry]]:
    """Visible members just above and just below, nearest first (rank not yet known: 0)."""
    rows = await session.execute(_around(count), _params(key, points=points, person=person_id))
    up: list[Entry] = []
    down: list[Entry] = []
    for row in rows:
        (up if row.part == _ABOVE else down).append(Entry(0, row.person_id, row.points, row[4]))
    up.sort(key=lambda e: (e.points, e.person_id))
    down.sort(key=lambda e: (-e.points, -e.person_id))
    return up, down


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


async def board(
    session: AsyncSession,
    key: BoardKey,
    person_id: int | None,
    *,
    size: int = 10,
    around: int = 1,
) -> Board:
    """The board for `key` seen by `person_id`: top `size`, their rank and `around` neighbours.

    Three indexed statements (top and the member's row; the neighbours; the histogram sum),
    none reading more than the top, a few neighbours, one member's row and the board's distinct
    totals: a few milliseconds at 100k members (see bench.py).
    """
    top, mine = await top_and_member(session, key, person_id, size)
    above: list[Entry] = []
    below: list[Entry] = []
    listed = next((e for e in top if e.person_id == person_id), None)
    if person_id is not None and mine is not None and mine[1] and listed is None:
        above, below = await neighbours(session, key, person_id, mine[0], around)
    wanted = [e.points for e in above + below] + ([mine[0]] if mine is not None else [])
    ranked, higher = await counts_above(session, key, wanted)
    me_entry = None
    if person_id is not None and mine is not None:
        me_entry = listed or Entry(1 + higher[mine[0]], person_id, mine[0], mine[2])

    def ranked_entry(e: Entry) -> Entry:
        return Entry(1 + higher[e.points], e.person_id, e.points, e.name)

    return Board(
        key=key,
        top=top,
        ranked=ranked,
        me=me_entry,
        me_hidden=mine is not None and not mine[1],
        above=[ranked_entry(e) for e in reversed(above)],
        below=[ranked_entry(e) for e in below],
    )
