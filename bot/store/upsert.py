"""insert_once and insert_returning: the idempotent writes every externally caused event uses.

Both run statements built once per dialect and table (memoised: they are immutable), with the
row's values as parameters, so SQLAlchemy reuses their compiled form on every call.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import CursorResult, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.dml import Insert

M = TypeVar("M", bound=DeclarativeBase)


async def insert_once(
    session: AsyncSession, model: type[DeclarativeBase], values: dict[str, Any]
) -> bool:
    """Insert a row unless a unique key already holds it; True when this call inserted it."""
    table: Table = model.__table__  # type: ignore[assignment]
    stmt = _ignoring(session.get_bind().dialect.name, table)
    # The values travel as parameters (not `.values(**values)`, which coerced every value into
    # a new statement on each call: a good part of an event's Python time).
    result = await session.execute(stmt, values)
    assert isinstance(result, CursorResult)
    return bool(result.rowcount == 1)


async def insert_returning(
    session: AsyncSession, model: type[M], values: dict[str, Any]
) -> M | None:
    """Insert a row unless a unique key already holds it: the new row, loaded into the session
    by the insert itself (RETURNING), or None when the key was taken. One statement where
    `insert_once` followed by a select takes two."""
    stmt = _returning(session.get_bind().dialect.name, model)
    # A list of one parameter set: the ORM's bulk insert, which returns mapped objects.
    found = await session.scalars(stmt, [values])
    return found.one_or_none()


@lru_cache(maxsize=256)
def _returning(dialect: str, model: type[DeclarativeBase]) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).on_conflict_do_nothing().returning(model)


@lru_cache(maxsize=256)
def _ignoring(dialect: str, table: Table) -> Insert:
    """`INSERT ... ON CONFLICT DO NOTHING` into `table`, built once per dialect and table.

    A Core statement on the Table (not the mapped class), so that executing it with a dict of
    values returns a CursorResult with a rowcount; the memo holds immutable statements only.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing()
