"""Faults around the scheduler: the database out of reach for a while, and SIGTERM mid fan-out.

Database: the app talks to PostgreSQL through a TCP proxy of this test; cutting the proxy
(listener closed, connections reset) makes the database unreachable, restoring it brings it
back. A member is asked to try again in a moment, the scheduler's tick survives, and the next
tick catches up on what fell due meanwhile.

SIGTERM: the bot runs as production does (`bot.runtime.run_platforms`, Socket Mode to the fake
Slack, the real clock and pacing) in a child process, catching up at start on a daily post due
in 80 channels. SIGTERM mid fan-out: the scheduler pauses, the item in progress finishes, the
process exits 0; nothing is posted twice, and a restart posts the rest.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import build
from bot.clock import FakeClock, SystemClock
from bot.core.dispatch import DB_DOWN
from commands.daily.tables import DailyPost
from tests.fakes.slack_api import FakeSlack
from tests.scheduling.fanout import (
    ADMIN,
    BOT_USER,
    channel_ids,
    posts_per_channel,
    set_up_channels,
    settings_for,
    unposted,
)
from tests.scheduling.support import console_app, console_settings

ROOT = Path(__file__).resolve().parents[2]


class Proxy:
    """A TCP proxy to PostgreSQL on 127.0.0.1:5432 that can be cut and restored."""

    def __init__(self) -> None:
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def cut(self) -> None:
        """Stop listening and reset every open connection: the database is out of reach."""
        assert self._server is not None
        self._server.close()
        for writer in list(self._links):
            writer.transport.abort()
        self._links.clear()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._server = None

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.create_task(self._link(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", 5432)
        except OSError:
            writer.transport.abort()
            return
        self._links |= {writer, up_writer}
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        self._links -= {writer, up_writer}


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.transport.abort()


@pytest.fixture
async def proxy() -> AsyncIterator[Proxy]:
    link = Proxy()
    await link.open()
    yield link
    if link._server is not None:
        await link.cut()


async def test_database_out_of_reach_polite_reply_tick_survives_and_catches_up(
    pg_url: str, proxy: Proxy, clock: FakeClock, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.conftest import _truncate  # the any_db_url clean-up, for this PostgreSQL test

    url = pg_url.replace(":5432/", f":{proxy.port}/")
    app, adapter, lines = await console_app(console_settings(url, tmp_path), clock)
    await _truncate(app.store)
    await app.start(schedule=False)
    session = adapter.session
    assert session is not None
    try:
        await session.feed("/daily setup time:09:00")
        assert any("09:00" in line for line in lines), lines

        await proxy.cut()
        clock.set(datetime(2026, 12, 1, 9, 5, tzinfo=UTC))
        await session.feed("!as alice")
        before = len(lines)
        await session.feed("/me")
        assert lines[before:] == [f"[only alice] {DB_DOWN}"]
        caplog.set_level(logging.WARNING, logger="scheduler.runner")
        assert await app.scheduler.tick() == 0  # no exception: the next tick tries again
        assert "database unavailable" in caplog.text
        assert not any("Daily question #1" in line for line in lines)

        await proxy.open()  # the database is back, on the same address
        clock.set(datetime(2026, 12, 1, 9, 5, 20, tzinfo=UTC))
        assert await app.scheduler.tick() >= 1
        await app.dispatcher.drain()
        assert sum("Daily question #1 ·" in line for line in lines) == 1
        before = len(lines)
        await session.feed("/me")
        assert DB_DOWN not in "\n".join(lines[before:])
        assert await app.scheduler.tick() == 0  # caught up: nothing twice
    finally:
        await app.stop()


@pytest.fixture
async def live_slack() -> AsyncIterator[FakeSlack]:
    """A fake Slack on the real clock: the child bot runs on the real clock too."""
    slack = FakeSlack(SystemClock().now)
    slack.add_user(ADMIN, "admin", admin=True)
    await slack.start()
    yield slack
    await slack.stop()
    assert not slack.unknown, slack.unknown


class PostWatch:
    """Sets an event once the fake has kept `goal` chat.postMessage calls."""

    def __init__(self, fake: FakeSlack) -> None:
        self.count = 0
        self.goal = 0
        self.reached = asyncio.Event()
        original = fake.m_chat_postMessage

        def post(args: dict[str, Any]) -> dict[str, Any]:
            result = original(args)
            self.count += 1
            if self.count >= self.goal:
                self.reached.set()
            return result

        fake.m_chat_postMessage = post  # type: ignore[method-assign]

    async def wait_for(self, goal: int) -> None:
        self.goal = goal
        self.reached.clear()
        if self.count < goal:
            await asyncio.wait_for(self.reached.wait(), 30)


async def run_until_sigterm(db_url: str, fake: FakeSlack, watch: PostWatch, goal: int) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.scheduling.child_runtime", db_url, fake.api_url,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await watch.wait_for(goal)
    finally:
        proc.send_signal(signal.SIGTERM)
        printed, _ = await asyncio.wait_for(proc.communicate(), 30)
    text = printed.decode(errors="replace")
    assert proc.returncode == 0, text[-3000:]
    return text


async def test_sigterm_mid_fan_out_finishes_the_item_in_progress_and_exits_0(
    live_slack: FakeSlack, tmp_path: Path
) -> None:
    channels = channel_ids(80)
    for channel in channels:
        live_slack.add_channel(channel, channel.lower(), [BOT_USER, ADMIN])
    db_url = f"sqlite:///{tmp_path / 'bot.db'}"
    now = SystemClock().now()
    # set up two hours ago for a post half an hour ago: due now, inside its answer window
    await set_up_channels(db_url, channels, at=now - timedelta(hours=2),
                          post_time=(now - timedelta(minutes=30)).strftime("%H:%M"))
    watch = PostWatch(live_slack)

    printed = await run_until_sigterm(db_url, live_slack, watch, 10)
    assert "shutting down" in printed
    first = posts_per_channel(live_slack.messages)
    assert set(first.values()) == {1}
    assert 10 <= len(first) < len(channels), len(first)  # it stopped between items
    checker = build(settings_for(db_url), FakeClock(now))
    try:
        assert await unposted(checker) == 0  # the item in progress was finished, confirmed
        async with checker.store.session() as session:
            claimed = await session.scalar(select(func.count()).select_from(DailyPost))
        assert claimed == len(first)
    finally:
        await checker.store.close()

    await run_until_sigterm(db_url, live_slack, watch, len(channels))  # a restart does the rest
    assert posts_per_channel(live_slack.messages) == {channel: 1 for channel in channels}
