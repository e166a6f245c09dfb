"""Benchmark: 200 members answer one race question in the same instant; p50/p99 per press.

    .venv/bin/python -m benchmarks.quiz_race                      # a fresh SQLite file
    .venv/bin/python -m benchmarks.quiz_race --db postgresql://127.0.0.1:5432/bench

Every press goes through the real dispatcher (its own transaction), as an adapter delivers it;
the platforms want each answered within 3 seconds. Posts go nowhere (a silent chat port).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bot.app import build
from bot.clock import FakeClock
from bot.config import Settings
from bot.core.ids import Platform
from bot.core.ports import NullChat
from commands.quiz.bench import race_presses

DEADLINE = 3.0


async def run(url: str, presses: int, rounds: int) -> bool:
    app = build(Settings(database_url=url), FakeClock(datetime(2026, 12, 1, 8, tzinfo=UTC)))
    await app.prepare()
    app.services.chats[Platform.CONSOLE] = NullChat(Platform.CONSOLE)
    ok = True
    try:
        for n in range(rounds):
            timings = await race_presses(
                app.services, app.dispatcher, presses, run=f"{secrets.token_hex(3)}-{n}"
            )
            print(f"round {n + 1}: {timings.report()}")
            ok = ok and timings.percentile(99) < DEADLINE and timings.winners == 1
            ok = ok and timings.errors == 0
    finally:
        await app.stop()
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    ok = asyncio.run(run(url, args.presses, args.rounds))
    print("OK: every press answered within 3 s" if ok else "FAILED: see the rounds above")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
