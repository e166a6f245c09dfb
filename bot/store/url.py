"""DATABASE_URL handling: plain URLs in, async driver URLs out."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.core.errors import ConfigError

DEFAULT_URL = "sqlite:///studybot.db"


def async_url(plain: str) -> URL:
    """`sqlite:///x.db` -> sqlite+aiosqlite, `postgresql://` or `postgres://` -> asyncpg."""
    text = plain.strip()
    if text.startswith("postgres://"):
        text = "postgresql://" + text.removeprefix("postgres://")
    try:
        url = make_url(text)
    except ArgumentError as exc:
        raise ConfigError(
            f"DATABASE_URL `{plain}` is not a database URL; use sqlite:///path/to/file.db "
            "or postgresql://user@host/db"
        ) from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ConfigError(
                "DATABASE_URL must name an SQLite file (sqlite:///path/to/file.db); an "
                "in-memory database would lose everything at exit"
            )
        return url.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql":
        return url.set(drivername="postgresql+asyncpg")
    raise ConfigError(
        f"DATABASE_URL uses `{backend}`; StudyBot supports sqlite:/// and postgresql:// URLs"
    )


def sqlite_path(url: URL) -> Path | None:
    """The file behind an SQLite URL, or None for other databases."""
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    return Path(url.database).resolve()


def describe(url: URL) -> str:
    """The URL with its password hidden, for logs and `config check`."""
    return url.render_as_string(hide_password=True)
