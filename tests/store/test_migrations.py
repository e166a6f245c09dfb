"""Migrations: an empty database upgrades to head and matches the models, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from bot.core.errors import ConfigError
from bot.store.db import Store
from bot.store.models import all_tables
from bot.store.url import async_url


def _diff(conn: Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, all_tables()))


async def test_empty_database_upgrades_and_matches_models(any_db_url: str) -> None:
    store = Store(async_url(any_db_url))
    try:
        await store.migrate()  # the fixture's database is at head already: a no-op upgrade
        async with store.engine.connect() as conn:
            diff = await conn.run_sync(_diff)
        assert diff == []
    finally:
        await store.close()


async def test_fresh_sqlite_file_from_nothing(tmp_path: Path) -> None:
    store = Store(async_url(f"sqlite:///{tmp_path / 'new' / 'bot.db'}"))
    try:
        await store.migrate()
        async with store.engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
            mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
            fks = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
        assert (mode, fks) == ("wal", 1)
    finally:
        await store.close()


async def test_database_from_a_newer_version_is_refused(sqlite_url: str) -> None:
    store = Store(async_url(sqlite_url))
    try:
        async with store.engine.begin() as conn:
            # Every feature branch has its own head row; a newer StudyBot would add one more.
            await conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('zz99')"))
        with pytest.raises(ConfigError, match="newer StudyBot"):
            await store.migrate()
    finally:
        await store.close()


async def test_unreachable_postgres_is_one_clear_error() -> None:
    store = Store(async_url("postgresql://nobody@127.0.0.1:1/none"))
    try:
        with pytest.raises(ConfigError, match="cannot reach the database"):
            await store.migrate()
    finally:
        await store.close()
