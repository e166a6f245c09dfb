"""Leaderboard SQL on SQLite and PostgreSQL: fair ties, neighbours, hidden members, periods,
topics, workspaces kept apart, and aggregates that always equal a rebuild from the ledger."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime, timedelta

from bot.core.ids import Platform, UserRef, WorkspaceRef
from bot.store.db import Store
from bot.store.ledger import award
from bot.store.members import ensure_account, ensure_workspace, set_on_leaderboard
from bot.store.tables import Person
from commands.leaderboard.queries import Board, board
from commands.leaderboard.totals import board_key, read_aggregates, rebuild

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # a Wednesday


async def members(store: Store, names: list[str], team: str = "T1") -> tuple[int, dict[str, int]]:
    """A Slack-like workspace with these members: (workspace id, name -> person id)."""
    ref = WorkspaceRef(Platform.SLACK, team, team)
    async with store.session() as session:
        workspace = await ensure_workspace(session, ref, NOW)
        ids = {}
        for name in names:
            user = UserRef(ref, f"U{name}", name)
            _, person = await ensure_account(session, workspace, user, NOW)
            ids[name] = person.id
        return workspace.id, ids


async def give(
    store: Store, ws: int, person: int, points: int, *, key: str, at: datetime = NOW,
    topic: str | None = None,
) -> bool:
    async with store.session() as session:
        return await award(session, key=key, workspace_id=ws, person_id=person, points=points,
                           reason="test", now=at, topic=topic)


async def seen(
    store: Store, ws: int, person: int | None, period: str = "week", topic: str | None = None,
    size: int = 10,
) -> Board:
    async with store.session() as session:
        return await board(session, board_key(ws, period, NOW, topic), person, size=size)


def ranks(b: Board) -> list[tuple[int, str, int]]:
    return [(e.rank, e.name, e.points) for e in b.top]


async def test_ties_share_a_rank_and_the_next_rank_skips(any_store: Store) -> None:
    ws, ids = await members(any_store, ["ann", "ben", "cat", "dan"])
    for name, points in (("ann", 40), ("ben", 40), ("cat", 30), ("dan", 30)):
        await give(any_store, ws, ids[name], points, key=name)
    b = await seen(any_store, ws, ids["dan"])
    assert ranks(b) == [(1, "ben", 40), (1, "ann", 40), (3, "dan", 30), (3, "cat", 30)]
    assert b.me is not None and (b.me.rank, b.me.points) == (3, 30)
    assert b.ranked == 4


async def test_a_member_far_down_sees_their_rank_and_neighbours(any_store: Store) -> None:
    names = [f"m{i:02d}" for i in range(15)]
    ws, ids = await members(any_store, names)
    # m00 has 150 points, m01 140, ... m13 20, m14 10; m11 and m12 tie on 40.
    for i, name in enumerate(names):
        points = 40 if name == "m12" else 150 - 10 * i
        await give(any_store, ws, ids[name], points, key=name)
    b = await seen(any_store, ws, ids["m12"])
    assert [e.rank for e in b.top] == list(range(1, 11))
    assert b.me is not None and (b.me.rank, b.me.points) == (12, 40)
    # Among equal points the later member comes first, so m11 (same rank) sits just below.
    assert [(e.rank, e.name, e.points) for e in b.above] == [(11, "m10", 50)]
    assert [(e.rank, e.name, e.points) for e in b.below] == [(12, "m11", 40)]
    m13 = await seen(any_store, ws, ids["m13"])
    assert m13.me is not None and m13.me.rank == 14
    assert [(e.rank, e.name) for e in m13.above] == [(12, "m11")]
    assert [(e.rank, e.name) for e in m13.below] == [(15, "m14")]
    # The one at the very bottom has nobody below.
    last = await seen(any_store, ws, ids["m14"])
    assert last.me is not None and last.me.rank == 15
    assert [(e.rank, e.name) for e in last.above] == [(14, "m13")] and last.below == []


async def test_members_off_the_boards_are_skipped_but_keep_their_points(
    any_store: Store,
) -> None:
    ws, ids = await members(any_store, ["ann", "ben", "cat"])
    for name, points in (("ann", 50), ("ben", 40), ("cat", 30)):
        await give(any_store, ws, ids[name], points, key=name)
    async with any_store.session() as session:
        person = await session.get(Person, ids["ann"])
        assert person is not None
        await set_on_leaderboard(session, person, False)
    b = await seen(any_store, ws, ids["cat"])
    assert ranks(b) == [(1, "ben", 40), (2, "cat", 30)]
    assert b.ranked == 2 and b.me is not None and b.me.rank == 2
    hidden = await seen(any_store, ws, ids["ann"])
    assert hidden.me_hidden and hidden.me is not None
    assert (hidden.me.points, hidden.me.rank) == (50, 1)  # where they would stand


async def test_periods_follow_utc_weeks_and_months(any_store: Store) -> None:
    ws, ids = await members(any_store, ["ann", "ben"])
    sunday_night = datetime(2026, 11, 29, 23, 59, 59, tzinfo=UTC)
    monday = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    await give(any_store, ws, ids["ann"], 10, key="a1", at=sunday_night)  # last week, November
    await give(any_store, ws, ids["ben"], 5, key="b1", at=monday)  # this week, November
    await give(any_store, ws, ids["ann"], 3, key="a2", at=datetime(2026, 12, 1, tzinfo=UTC))
    assert ranks(await seen(any_store, ws, None, "week")) == [(1, "ben", 5), (2, "ann", 3)]
    assert ranks(await seen(any_store, ws, None, "month")) == [(1, "ann", 3)]
    assert ranks(await seen(any_store, ws, None, "all")) == [(1, "ann", 13), (2, "ben", 5)]
    assert board_key(ws, "week", NOW).start == date(2026, 11, 30)
    assert board_key(ws, "month", NOW).start == date(2026, 12, 1)


async def test_topic_boards_count_only_that_topic(any_store: Store) -> None:
    ws, ids = await members(any_store, ["ann", "ben"])
    await give(any_store, ws, ids["ann"], 10, key="a", topic="deep_learning")
    await give(any_store, ws, ids["ben"], 7, key="b", topic="coding")
    await give(any_store, ws, ids["ben"], 4, key="c", topic="deep_learning")
    assert ranks(await seen(any_store, ws, None, topic="deep_learning")) == [
        (1, "ann", 10), (2, "ben", 4)
    ]
    assert ranks(await seen(any_store, ws, None, topic="coding")) == [(1, "ben", 7)]
    assert ranks(await seen(any_store, ws, None)) == [(1, "ben", 11), (2, "ann", 10)]
    empty = await seen(any_store, ws, ids["ann"], topic="system_design")
    assert empty.top == [] and empty.me is None and empty.ranked == 0


async def test_workspaces_never_mix(any_store: Store) -> None:
    ws1, one = await members(any_store, ["ann"], team="T1")
    ws2, two = await members(any_store, ["zed"], team="T2")
    await give(any_store, ws1, one["ann"], 10, key="a")
    await give(any_store, ws2, two["zed"], 99, key="z")
    assert ranks(await seen(any_store, ws1, one["ann"])) == [(1, "ann", 10)]
    assert ranks(await seen(any_store, ws2, two["zed"])) == [(1, "zed", 99)]
    assert (await seen(any_store, ws1, two["zed"])).me is None


async def test_an_award_counts_once_and_the_aggregates_equal_a_rebuild(any_store: Store) -> None:
    ws, ids = await members(any_store, [f"m{i}" for i in range(8)])
    rng = random.Random(8)
    topics = [None, "coding", "deep_learning"]
    for i in range(60):
        person = rng.choice(list(ids.values()))
        at = NOW - timedelta(days=rng.randint(0, 70), minutes=rng.randint(0, 1000))
        points = rng.choice([1, 2, 3, 5, 10, -2])
        topic = rng.choice(topics)
        assert await give(any_store, ws, person, points, key=f"k{i}", at=at, topic=topic)
        # A redelivered award changes nothing.
        assert not await give(any_store, ws, person, points, key=f"k{i}", at=at, topic=topic)
    async with any_store.session() as session:
        incremental = await read_aggregates(session, ws)
    async with any_store.session() as session:
        await rebuild(session, ws)
    async with any_store.session() as session:
        rebuilt = await read_aggregates(session, ws)
    assert incremental == rebuilt
    totals, histogram = rebuilt
    for key, by_member in totals.items():
        counted: dict[int, int] = {}
        for value, visible in by_member.values():
            if visible:
                counted[value] = counted.get(value, 0) + 1
        assert histogram.get(key, {}) == counted


async def test_concurrent_awards_keep_the_histogram_exact(any_store: Store) -> None:
    ws, ids = await members(any_store, [f"m{i}" for i in range(6)])

    async def one(i: int) -> None:
        person = list(ids.values())[i % 6]
        await give(any_store, ws, person, 10, key=f"c{i}", topic="coding")

    # Members move through the same buckets at the same time (10 -> 20 -> 30 ...).
    await asyncio.gather(*(one(i) for i in range(36)))
    async with any_store.session() as session:
        incremental = await read_aggregates(session, ws)
        await rebuild(session, ws)
    async with any_store.session() as session:
        assert incremental == await read_aggregates(session, ws)
    b = await seen(any_store, ws, None, topic="coding")
    assert [e.points for e in b.top] == [60] * 6 and {e.rank for e in b.top} == {1}
