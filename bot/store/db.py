"""The Store: engine, sessions and migrations for SQLite and PostgreSQL from the same code."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.core.errors import ConfigError, StoreUnavailable
from bot.store.url import describe, sqlite_path

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


class Store:
    """Owns the engine; `session()` is one unit of work (commit on success, rollback on error)."""

    def __init__(self, url: URL, *, pool_size: int = 10) -> None:
        self.url = url
        self.dialect = url.get_backend_name()
        kwargs: dict[str, Any] = {}
        if self.dialect == "postgresql":
            # A server restart leaves dead pooled connections: test each one before use.
            kwargs.update(pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size)
        else:
            # No pre-ping for a file: its connection cannot go stale, and the ping cost a
            # thread round trip through aiosqlite on every transaction.
            path = sqlite_path(url)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time; queueing our own transactions on the loop is fairer
        # and much faster under bursts than SQLite's sleeping busy handler. The owner check
        # lets a task that already holds it open a nested (read) session as before.
        self._turn = asyncio.Lock() if self.dialect == "sqlite" else None
        self._owner: asyncio.Task[Any] | None = None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One transaction: commits when the block ends, rolls back on any exception."""
        turn = self._turn
        me = asyncio.current_task()
        if turn is None or self._owner is me:
            async with self._transaction() as session:
                yield session
            return
        async with turn:
            self._owner = me
            try:
                async with self._transaction() as session:
                    yield session
            finally:
                self._owner = None

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        try:
            async with self._sessions() as session, session.begin():
                yield session
        except (OperationalError, OSError, ConnectionError) as exc:
            if _is_unreachable(exc):
                raise StoreUnavailable(str(exc)) from exc
            raise

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except (OperationalError, OSError, DBAPIError):
            return False

    async def migrate(self) -> None:
        """Upgrade to the newest schema; refuse a database written by a newer StudyBot."""
        try:
            async with self.engine.begin() as conn:
                await conn.run_sync(_upgrade)
        except (OSError, ConnectionError) as exc:
            raise ConfigError(
                f"cannot reach the database at {describe(self.url)}: {exc}; check DATABASE_URL "
                "and that the server is running"
            ) from exc
        except OperationalError as exc:
            raise ConfigError(
                f"cannot open the database at {describe(self.url)}: {exc.orig}; check "
                "DATABASE_URL and that the server is running"
            ) from exc

    async def close(self) -> None:
        await self.engine.dispose()


def _upgrade(conn: Connection) -> None:
    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    # Feature migrations branch from 0001, so a database has one head per branch.
    heads = MigrationContext.configure(conn).get_current_heads()
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = [head for head in heads if head not in known]
    if unknown:
        current = ", ".join(unknown)
        raise ConfigError(
            f"the database is at schema revision {current}, written by a newer StudyBot; "
            "upgrade StudyBot (or point DATABASE_URL at another database)"
        )
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "heads")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _is_unreachable(exc: BaseException) -> bool:
    if isinstance(exc, OSError | ConnectionError | asyncio.TimeoutError):
        return True
    text_ = str(exc).lower()
    return any(
        word in text_ for word in ("connection refused", "could not connect", "connection was")
    )
