"""Upgrading a database that already has ledger lines: revision 0006 fills the leaderboard
aggregates from them (members off the boards included), on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from sqlalchemy import Connection, text

from bot.store.db import Store, alembic_config
from bot.store.url import async_url
from commands.leaderboard.totals import read_aggregates, rebuild
from tests.conftest import PG_ADMIN, postgres_reachable


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database with no schema at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    if not postgres_reachable():
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable")
    name = f"studybot_mig_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN.replace("postgresql://", "postgres://")
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield f"postgresql://127.0.0.1:5432/{name}"
    conn = await asyncpg.connect(admin)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


def _upgrade(conn: Connection, target: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, target)


async def test_upgrading_fills_the_aggregates_from_the_existing_ledger(empty_url: str) -> None:
    store = Store(async_url(empty_url))
    try:
        async with store.engine.begin() as conn:
            await conn.run_sync(_upgrade, "0001")
        start = datetime(2026, 11, 20, 12, tzinfo=UTC)
        async with store.engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO workspaces (id, platform, external_id, name, settings, created_at) "
                "VALUES (1, 'slack', 'T1', 'T1', '{}', :at)"), {"at": start})
            for pid, shown in ((1, True), (2, True), (3, False)):
                await conn.execute(text(
                    "INSERT INTO people (id, display_name, on_leaderboard, created_at) "
                    "VALUES (:id, :name, :shown, :at)"),
                    {"id": pid, "name": f"p{pid}", "shown": shown, "at": start})
            for i in range(30):
                await conn.execute(text(
                    "INSERT INTO points_ledger (key, workspace_id, person_id, points, reason, "
                    "ref, topic, created_at) VALUES (:key, 1, :pid, :points, 'daily_answer', "
                    "'', :topic, :at)"),
                    {"key": f"k{i}", "pid": 1 + i % 3, "points": 1 + i % 4,
                     "topic": ("coding", None, "deep_learning")[i % 3],
                     "at": start + timedelta(days=i % 20, hours=i)})
        await store.migrate()  # every head, 0006 among them
        async with store.session() as session:
            upgraded = await read_aggregates(session, 1)
            await rebuild(session, 1)
        async with store.session() as session:
            rebuilt = await read_aggregates(session, 1)
        assert upgraded[0] and upgraded == rebuilt
        # The hidden member has totals but is not counted on any board.
        assert any(3 in members for members in upgraded[0].values())
        assert all(not visible for members in upgraded[0].values()
                   for pid, (_, visible) in members.items() if pid == 3)
    finally:
        await store.close()
