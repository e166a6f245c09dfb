"""Catch-up at start: what fell due while the bot was down runs at once, and only once.

The clock starts on Tuesday 2026-12-01 08:00 UTC. A channel posts at 09:00 with a short
answer window; the bot is "down" between two App instances on the same database (the first
one stopped, the clock moved, a fresh one built and started with its scheduler, as
production restarts). A slot still inside its window is posted late, once; a slot whose
window is over is skipped and logged, once, and the next day's post still happens.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.console.runner import ConsoleAdapter
from bot.app import App
from bot.clock import FakeClock
from bot.core.ids import Platform
from bot.store.tables import Note
from tests.harness import ConsoleBot
from tests.scheduling.support import (
    Unreachable,
    console_app,
    console_settings,
    count_rows,
    daily_posts,
    start_and_catch_up,
)

SKIPPED = "skipped: the bot was down over it"


async def set_up_channel(url: str, clock: FakeClock, tmp_path: Path, window: int) -> None:
    bot = await ConsoleBot.start(console_settings(url, tmp_path), clock)
    out = await bot.say(f"/daily setup time:09:00 window:{window}")
    assert any("09:00" in line for line in out), out
    await bot.stop()  # the bot goes down before 09:00


async def restart(url: str, clock: FakeClock, tmp_path: Path, when: datetime) -> list[str]:
    """Start a fresh instance at `when`, let it catch up, stop it; what it showed."""
    clock.set(when)
    app, _adapter, lines = await console_app(console_settings(url, tmp_path), clock)
    try:
        await start_and_catch_up(app)
    finally:
        await app.stop()
    return lines


async def claimed_but_unsent(
    url: str, clock: FakeClock, tmp_path: Path, window: int
) -> tuple[App, ConsoleAdapter, list[str]]:
    """The 09:00 question is claimed at 09:00, but the platform refuses it."""
    await set_up_channel(url, clock, tmp_path, window=window)
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    app, adapter, lines = await console_app(console_settings(url, tmp_path), clock)
    app.services.chats[Platform.CONSOLE] = Unreachable(adapter.console_port)
    await app.scheduler.run_due(clock.now())
    return app, adapter, lines


def questions(lines: list[str]) -> list[str]:
    return [line for line in lines if "Daily question #" in line and "closed" not in line]


async def test_down_over_the_post_time_inside_the_window_posts_late_once(
    sqlite_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    await set_up_channel(sqlite_url, clock, tmp_path, window=3)
    late = await restart(sqlite_url, clock, tmp_path, datetime(2026, 12, 1, 10, 30, tzinfo=UTC))
    assert len(questions(late)) == 1, late
    assert "Daily question #1" in questions(late)[0]
    again = await restart(sqlite_url, clock, tmp_path, datetime(2026, 12, 1, 10, 40, tzinfo=UTC))
    assert questions(again) == []

    app, _adapter, _lines = await console_app(console_settings(sqlite_url, tmp_path), clock)
    posts = await daily_posts(app)
    await app.store.close()
    assert [(p.slot, p.posted_at is not None) for p in posts] == [("2026-12-01", True)]
    # posted late, with its full window from the moment it was posted
    assert posts[0].claimed_at == datetime(2026, 12, 1, 10, 30, tzinfo=UTC)


async def test_down_past_the_window_skips_and_logs_once_then_the_next_day_posts(
    sqlite_url: str, clock: FakeClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="commands.daily.jobs")
    await set_up_channel(sqlite_url, clock, tmp_path, window=2)
    late = await restart(sqlite_url, clock, tmp_path, datetime(2026, 12, 1, 11, 30, tzinfo=UTC))
    assert questions(late) == []
    skipped = [r.getMessage() for r in caplog.records if SKIPPED in r.getMessage()]
    assert len(skipped) == 1 and "2026-12-01" in skipped[0], skipped
    assert "2 h answer window is over" in skipped[0]

    caplog.clear()
    again = await restart(sqlite_url, clock, tmp_path, datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    assert questions(again) == []
    assert not [r for r in caplog.records if SKIPPED in r.getMessage()]  # logged once only

    next_day = await restart(sqlite_url, clock, tmp_path,
                             datetime(2026, 12, 2, 9, 5, tzinfo=UTC))
    assert len(questions(next_day)) == 1 and "Daily question #1" in questions(next_day)[0]
    app, _adapter, _lines = await console_app(console_settings(sqlite_url, tmp_path), clock)
    posts = await daily_posts(app)
    notes = await count_rows(app, Note)
    await app.store.close()
    assert [p.slot for p in posts] == ["2026-12-02"]
    assert notes >= 1


async def test_a_week_down_makes_up_only_the_latest_slot_inside_its_window(
    sqlite_url: str, clock: FakeClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="commands.daily.jobs")
    await set_up_channel(sqlite_url, clock, tmp_path, window=24)
    # back on Saturday 10:00: Tuesday to Friday are given up, Saturday's is posted late
    late = await restart(sqlite_url, clock, tmp_path, datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    assert len(questions(late)) == 1 and "Sat 5" in questions(late)[0], late
    skipped = sorted(r.getMessage() for r in caplog.records if SKIPPED in r.getMessage())
    assert [s.split(" for ")[1][:10] for s in skipped] == [
        "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"
    ]


async def test_a_claim_left_before_a_long_outage_is_given_up_not_posted_days_late(
    sqlite_url: str, clock: FakeClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The 09:00 question was claimed, then the platform failed and the bot went down for two
    days: its answer window is long over, so it is given up (logged), not posted late."""
    caplog.set_level(logging.WARNING, logger="commands.daily.posting")
    app, _adapter, lines = await claimed_but_unsent(sqlite_url, clock, tmp_path, window=3)
    await app.stop()
    assert questions(lines) == []

    late = await restart(sqlite_url, clock, tmp_path, datetime(2026, 12, 3, 8, 0, tzinfo=UTC))
    assert questions(late) == [], late
    given_up = [r.getMessage() for r in caplog.records if "given up" in r.getMessage()]
    assert len(given_up) == 1 and "answer window closed" in given_up[0], given_up
    app, _adapter, _lines = await console_app(console_settings(sqlite_url, tmp_path), clock)
    due = [w.key for w in await app.scheduler.collect(clock.now())]
    posts = await daily_posts(app)
    await app.store.close()
    assert not [key for key in due if key.startswith("daily:repost")], due  # no retry loop
    assert [(p.slot, p.posted_at, p.closed_at is not None) for p in posts] == [
        ("2026-12-01", None, True)
    ]


async def test_a_question_removed_from_the_packs_is_given_up_once(
    sqlite_url: str, clock: FakeClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="commands.daily.posting")
    app, adapter, lines = await claimed_but_unsent(sqlite_url, clock, tmp_path, window=24)
    (post,) = await daily_posts(app)
    packs = app.services.packs
    for pack_id, pack in list(packs.bundled.items()):  # its pack was taken out meanwhile
        if post.question_id in pack.by_id:
            del packs.bundled[pack_id]
    app.services.chats[Platform.CONSOLE] = adapter.console_port
    for minutes in (3, 6, 9):
        clock.set(datetime(2026, 12, 1, 9, minutes, tzinfo=UTC))
        await app.scheduler.run_due(clock.now())
    await app.stop()
    assert questions(lines) == []
    given_up = [r.getMessage() for r in caplog.records if "given up" in r.getMessage()]
    assert len(given_up) == 1 and "gone from the packs" in given_up[0], given_up
