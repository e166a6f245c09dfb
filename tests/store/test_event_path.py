"""The store work every inbound event does, on SQLite and PostgreSQL: who-and-where in one
read, name changes kept, other instances' changes seen at once, inserts that return their row,
and several awards moving the leaderboard aggregates exactly as one at a time would."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event, func, select

from bot.core.ids import ChannelRef, Platform, UserRef, WorkspaceRef
from bot.store.db import Store
from bot.store.ledger import Grant, award, award_all, total
from bot.store.members import resolve, set_on_leaderboard
from bot.store.tables import Account, Channel, Person, Workspace
from bot.store.upsert import insert_returning
from bot.store.url import async_url
from commands.leaderboard.totals import read_aggregates, rebuild

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
TEAM = WorkspaceRef(Platform.SLACK, "T1", "ML prep")
STUDY = ChannelRef(TEAM, "C1", "study")
ALICE = UserRef(TEAM, "U1", "Alice")


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block."""
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        sent.append(statement)

    event.listen(store.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", record)


async def test_first_sight_creates_all_and_then_one_read_finds_all(any_store: Store) -> None:
    async with any_store.session() as s:
        first = await resolve(s, ALICE, STUDY, NOW)
        ids = (first.workspace.id, first.channel.id if first.channel else None,
               first.account.id, first.person.id)
    assert first.account.person_id == first.person.id
    assert first.person.display_name == "Alice" and first.person.on_leaderboard
    with statements(any_store) as sent:
        async with any_store.session() as s:
            again = await resolve(s, ALICE, STUDY, NOW)
            assert again.channel is not None
            assert (again.workspace.id, again.channel.id, again.account.id,
                    again.person.id) == ids
    assert len(sent) == 1, sent
    async with any_store.session() as s:
        for table in (Workspace, Channel, Account, Person):
            assert await s.scalar(select(func.count()).select_from(table)) == 1


async def test_a_new_channel_or_member_of_a_known_workspace_is_added(any_store: Store) -> None:
    async with any_store.session() as s:
        await resolve(s, ALICE, STUDY, NOW)
    bob = UserRef(TEAM, "U2", "Bob")
    async with any_store.session() as s:
        found = await resolve(s, bob, ChannelRef(TEAM, "C2", "random"), NOW)
        assert found.channel is not None and found.channel.name == "random"
        assert found.account.display_name == "Bob" and found.person.display_name == "Bob"
    async with any_store.session() as s:
        without = await resolve(s, bob, None, NOW)
        assert without.channel is None and without.account.id == found.account.id
        assert await s.scalar(select(func.count()).select_from(Workspace)) == 1
        assert await s.scalar(select(func.count()).select_from(Channel)) == 2
        assert await s.scalar(select(func.count()).select_from(Person)) == 2


async def test_new_names_from_the_platform_are_stored(any_store: Store) -> None:
    async with any_store.session() as s:
        await resolve(s, ALICE, STUDY, NOW)
    renamed = UserRef(TEAM, ALICE.id, "Alice Liddell")
    async with any_store.session() as s:
        await resolve(s, renamed, ChannelRef(TEAM, STUDY.id, "ml-study"), NOW)
    async with any_store.session() as s:
        # A reference without a name (some payloads carry none) changes nothing.
        await resolve(s, UserRef(TEAM, ALICE.id), ChannelRef(TEAM, STUDY.id), NOW)
    async with any_store.session() as s:
        assert await s.scalar(select(Channel.name)) == "ml-study"
        assert await s.scalar(select(Account.display_name)) == "Alice Liddell"


async def test_another_instance_changes_are_seen_by_the_next_event(any_db_url: str) -> None:
    """Two bots on one database: nothing read for an event may be an old copy."""
    one, two = Store(async_url(any_db_url)), Store(async_url(any_db_url))
    try:
        async with one.session() as s:
            before = await resolve(s, ALICE, STUDY, NOW)
            assert not before.account.is_admin and before.channel is not None
            assert before.channel.timezone == "UTC"
        async with two.session() as s:
            other = await resolve(s, ALICE, STUDY, NOW)
            assert other.channel is not None
            other.channel.timezone = "Europe/Berlin"
            other.account.is_admin = True
            other.workspace.settings = {"points": {"daily_answer": 7}}
            await set_on_leaderboard(s, other.person, False)
        async with one.session() as s:
            after = await resolve(s, ALICE, STUDY, NOW)
            assert after.channel is not None and after.channel.timezone == "Europe/Berlin"
            assert after.account.is_admin
            assert after.workspace.settings == {"points": {"daily_answer": 7}}
            assert not after.person.on_leaderboard
    finally:
        await one.close()
        await two.close()


async def test_concurrent_first_sight_makes_one_member(any_store: Store) -> None:
    async with any_store.session() as s:
        await resolve(s, ALICE, STUDY, NOW)
    zed = UserRef(TEAM, "U9", "Zed")

    async def see() -> tuple[int, int]:
        async with any_store.session() as s:
            found = await resolve(s, zed, STUDY, NOW)
            return found.account.id, found.person.id

    seen = set(await asyncio.gather(*(see() for _ in range(5))))
    assert len(seen) == 1
    async with any_store.session() as s:
        assert await s.scalar(select(func.count()).select_from(Account)) == 2
        assert await s.scalar(select(func.count()).select_from(Person)) == 2


async def test_insert_returning_gives_the_new_row_once(any_store: Store) -> None:
    values = {"platform": "slack", "external_id": "T7", "name": "seven", "settings": {},
              "created_at": NOW}
    async with any_store.session() as s:
        row = await insert_returning(s, Workspace, values)
        assert row is not None and row.id is not None and row.name == "seven"
        assert row.created_at == NOW
        row.name = "renamed in the same unit of work"
        assert await insert_returning(s, Workspace, {**values, "name": "other"}) is None
    async with any_store.session() as s:
        assert await s.scalar(select(Workspace.name)) == "renamed in the same unit of work"


async def test_awards_together_equal_awards_one_at_a_time(any_store: Store) -> None:
    async with any_store.session() as s:
        ws = (await resolve(s, ALICE, STUDY, NOW)).workspace.id
        bob = (await resolve(s, UserRef(TEAM, "U2", "Bob"), STUDY, NOW)).person.id
        alice = (await resolve(s, ALICE, STUDY, NOW)).person.id
    async with any_store.session() as s:
        await award(s, key="old", workspace_id=ws, person_id=alice, points=4, reason="t",
                    now=NOW, topic="ml")
        await award(s, key="bob", workspace_id=ws, person_id=bob, points=9, reason="t",
                    now=NOW, topic="ml")
    grants = [Grant("a", "answer", 2), Grant("b", "on_time", 1), Grant("old", "again", 4),
              Grant("c", "correct", 5)]
    async with any_store.session() as s:
        added = await award_all(s, grants, workspace_id=ws, person_id=alice, now=NOW,
                                ref="daily:1", topic="ml")
        assert added == [True, True, False, True]
        again = await award_all(s, grants, workspace_id=ws, person_id=alice, now=NOW,
                                ref="daily:1", topic="ml")
        assert again == [False, False, False, False]
        assert await total(s, ws, alice) == 4 + 2 + 1 + 5
    async with any_store.session() as s:
        incremental = await read_aggregates(s, ws)
        await rebuild(s, ws)
    async with any_store.session() as s:
        assert incremental == await read_aggregates(s, ws)
