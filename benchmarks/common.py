"""What several measurements share: a silent chat port, percentiles, temporary PostgreSQL
databases, the daily-question pack the benchmarks ask, and the repository's test fakes."""

from __future__ import annotations

import math
import os
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PG_ADMIN = os.environ.get("STUDYBOT_BENCH_PG", "postgresql://127.0.0.1:5432/test")

PACK = """
pack:
  id: bench-daily
  title: Benchmark pack
  version: 1
  description: One open question with a three-criterion rubric, for the benchmarks.
  author: StudyBot benchmarks
  license: CC0-1.0
  topics: [system_design]
questions:
  - id: bench-open
    topic: system_design
    subtopic: monitoring
    difficulty: medium
    kind: open
    prompt: How would you notice that a deployed model's inputs have drifted?
    model_answer: Compare live feature distributions with the training ones and alert.
    rubric:
      - Names a statistic that compares two distributions.
      - Says which features to watch and how often.
      - Sets an alert threshold and an owner.
    explanation: Drift shows first in the inputs; labels arrive late, so watch features.
"""


def write_pack(folder: Path) -> str:
    """The benchmark pack in `folder`; returns the folder for Settings.extra_pack_dirs."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench-daily.yaml").write_text(PACK, encoding="utf-8")
    return str(folder)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    if math.isinf(seconds):
        return "never (no ack)"
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


def fakes_available() -> bool:
    """The fakes live in tests/fakes of a source checkout; make them importable."""
    if not (ROOT / "tests" / "fakes").is_dir():
        return False
    if str(ROOT) not in sys.path:
        sys.path.append(str(ROOT))
    return True


# --- PostgreSQL ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Postgres:
    """Where the benchmark's PostgreSQL is (STUDYBOT_BENCH_PG, default 127.0.0.1:5432/test)."""

    admin_url: str = PG_ADMIN

    @property
    def host(self) -> str:
        return urlsplit(self.admin_url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return urlsplit(self.admin_url).port or 5432

    def reachable(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1):
                return True
        except OSError:
            return False

    def url_of(self, database: str) -> str:
        parts = urlsplit(self.admin_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{database}", "", ""))

    async def version(self) -> str | None:
        if not self.reachable():
            return None
        import asyncpg

        try:
            conn = await asyncpg.connect(self._dsn(self.admin_url))
        except (OSError, asyncpg.PostgresError):
            return None
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()

    @asynccontextmanager
    async def temporary(self, prefix: str) -> AsyncIterator[str]:
        """A fresh, empty database for one measurement, dropped afterwards."""
        import asyncpg

        name = f"studybot_bench_{prefix}_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(self._dsn(self.admin_url))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        try:
            yield self.url_of(name)
        finally:
            conn = await asyncpg.connect(self._dsn(self.admin_url))
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

    @staticmethod
    def _dsn(url: str) -> str:
        # asyncpg wants postgres:// or postgresql:// without a SQLAlchemy driver suffix.
        return url.replace("postgresql+asyncpg://", "postgresql://")
