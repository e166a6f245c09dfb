"""The store on SQLite and PostgreSQL: identity, idempotent writes, the ledger, dedupe."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.core.ids import ChannelRef, Platform, UserRef, WorkspaceRef
from bot.store.activity import activity_days, record_activity
from bot.store.db import Store
from bot.store.ledger import award, points_value, total
from bot.store.members import ensure_account, ensure_channel, ensure_workspace
from bot.store.tables import Account, Person, PointsEntry, ProcessedEvent
from bot.store.upsert import insert_once

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
GUILD = WorkspaceRef(Platform.DISCORD, "111", "ML prep")
TEAM = WorkspaceRef(Platform.SLACK, "T1", "ML prep")


async def test_workspace_channel_and_account_are_created_once(any_store: Store) -> None:
    for _ in range(2):
        async with any_store.session() as s:
            ws = await ensure_workspace(s, GUILD, NOW)
            ch = await ensure_channel(s, ws, ChannelRef(GUILD, "c1", "study"), NOW)
            account, person = await ensure_account(s, ws, UserRef(GUILD, "u1", "Alice"), NOW)
    async with any_store.session() as s:
        assert await s.scalar(select(func.count()).select_from(Account)) == 1
        assert await s.scalar(select(func.count()).select_from(Person)) == 1
    assert ch.name == "study" and account.person_id == person.id


async def test_same_user_id_in_two_workspaces_is_two_accounts(any_store: Store) -> None:
    async with any_store.session() as s:
        a = await ensure_workspace(s, GUILD, NOW)
        b = await ensure_workspace(s, TEAM, NOW)
        acc_a, _ = await ensure_account(s, a, UserRef(GUILD, "u1", "Alice"), NOW)
        acc_b, _ = await ensure_account(s, b, UserRef(TEAM, "u1", "Alice"), NOW)
    assert acc_a.id != acc_b.id and acc_a.person_id != acc_b.person_id


async def test_concurrent_first_sight_makes_one_account(any_store: Store) -> None:
    async with any_store.session() as s:
        ws = await ensure_workspace(s, GUILD, NOW)

    async def see() -> int:
        async with any_store.session() as s:
            workspace = await ensure_workspace(s, GUILD, NOW)
            account, _ = await ensure_account(s, workspace, UserRef(GUILD, "u9", "Zed"), NOW)
            return account.id

    ids = await asyncio.gather(*(see() for _ in range(5)), return_exceptions=True)
    good = {i for i in ids if isinstance(i, int)}
    assert len(good) == 1
    async with any_store.session() as s:
        count = await s.scalar(
            select(func.count()).select_from(Account).where(Account.workspace_id == ws.id)
        )
    assert count == 1


async def test_ledger_awards_once_per_key_and_sums(any_store: Store) -> None:
    async with any_store.session() as s:
        ws = await ensure_workspace(s, GUILD, NOW)
        _, person = await ensure_account(s, ws, UserRef(GUILD, "u1", "Alice"), NOW)
        first = await award(s, key="answer:q1:alice", workspace_id=ws.id, person_id=person.id,
                            points=10, reason="answer", now=NOW)
        again = await award(s, key="answer:q1:alice", workspace_id=ws.id, person_id=person.id,
                            points=10, reason="answer", now=NOW)
        other = await award(s, key="review:a1:alice", workspace_id=ws.id, person_id=person.id,
                            points=3, reason="review", now=NOW)
        assert (first, again, other) == (True, False, True)
        assert await total(s, ws.id, person.id) == 13
        assert await s.scalar(select(func.count()).select_from(PointsEntry)) == 2


async def test_processed_event_is_inserted_once(any_store: Store) -> None:
    async with any_store.session() as s:
        assert await insert_once(s, ProcessedEvent, {"delivery_id": "slack:Ev1",
                                                     "received_at": NOW})
        assert not await insert_once(s, ProcessedEvent, {"delivery_id": "slack:Ev1",
                                                         "received_at": NOW})


async def test_failed_unit_of_work_rolls_back(any_store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with any_store.session() as s:
            await ensure_workspace(s, GUILD, NOW)
            raise RuntimeError("boom")
    async with any_store.session() as s:
        assert await s.scalar(select(func.count()).select_from(Account)) == 0
        ws = await ensure_workspace(s, GUILD, NOW)
    assert ws.created_at == NOW  # aware UTC round trip


async def test_datetimes_come_back_aware_utc(any_store: Store) -> None:
    later = NOW + timedelta(hours=5)
    async with any_store.session() as s:
        ws = await ensure_workspace(s, TEAM, later)
    async with any_store.session() as s:
        again = await ensure_workspace(s, TEAM, NOW)
    assert again.id == ws.id and again.created_at == later
    assert again.created_at.tzinfo is not None


async def test_naive_datetimes_are_refused(any_store: Store) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        async with any_store.session() as s:
            await ensure_workspace(s, GUILD, datetime(2026, 1, 1))


async def test_activity_is_recorded_once_per_ref(any_store: Store) -> None:
    async with any_store.session() as s:
        ws = await ensure_workspace(s, GUILD, NOW)
        _, person = await ensure_account(s, ws, UserRef(GUILD, "u1", "Alice"), NOW)
        for ref, day in (("q1", date(2026, 12, 1)), ("q1", date(2026, 12, 1)),
                         ("q2", date(2026, 12, 2))):
            await record_activity(s, workspace_id=ws.id, person_id=person.id,
                                  kind="daily_answer", ref=ref, at=NOW, local_day=day)
        days = await activity_days(s, ws.id, person.id, ("daily_answer",))
    assert days == [date(2026, 12, 1), date(2026, 12, 2)]


def test_points_value_reads_workspace_overrides() -> None:
    assert points_value({}, "answer", 10) == 10
    assert points_value({"points": {"answer": 4}}, "answer", 10) == 4
    assert points_value({"points": {"answer": "x"}}, "answer", 10) == 10
