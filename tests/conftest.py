"""Shared fixtures: stores on SQLite and PostgreSQL, a fake clock, a console bot for stories."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.store.db import Store
from bot.store.tables import Base
from bot.store.url import async_url
from tests.harness import ConsoleBot

PG_ADMIN = os.environ.get("STUDYBOT_TEST_PG", "postgresql://127.0.0.1:5432/test")
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _run_aside(work: Coroutine[Any, Any, None]) -> None:
    """Run set-up work on its own loop in a thread: the fixture may be asked from a test's loop."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work).result()


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (migrating per test is slower)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    store = Store(async_url(f"sqlite:///{path}"))

    async def migrate() -> None:
        await store.migrate()
        await store.close()

    _run_aside(migrate())
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated to head."""
    if not postgres_reachable():
        if os.environ.get("STUDYBOT_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is required here but not reachable")
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable; store tests ran on SQLite")
    name = f"studybot_test_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN.replace("postgresql://", "postgres://")

    async def create() -> None:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        store = Store(async_url(f"postgresql://127.0.0.1:5432/{name}"))
        await store.migrate()
        await store.close()

    async def drop() -> None:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    _run_aside(create())
    yield f"postgresql://127.0.0.1:5432/{name}"
    _run_aside(drop())


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "studybot.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


async def _truncate(store: Store) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with store.engine.begin() as conn:
        from sqlalchemy import text

        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
async def any_db_url(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[str]:
    """Run the test on SQLite and on PostgreSQL (cleared before the test)."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    url: str = request.getfixturevalue("pg_url")
    store = Store(async_url(url))
    await _truncate(store)
    await store.close()
    yield url


@pytest.fixture
async def any_store(any_db_url: str) -> AsyncIterator[Store]:
    store = Store(async_url(any_db_url))
    yield store
    await store.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def console(sqlite_url: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[ConsoleBot]:
    """The console bot on a fresh SQLite database, for story tests."""
    settings = Settings(database_url=sqlite_url, console_images_dir=str(tmp_path / "images"))
    bot = await ConsoleBot.start(settings, clock)
    yield bot
    await bot.stop()
