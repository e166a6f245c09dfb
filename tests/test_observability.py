"""Observability: /healthz readiness, /metrics, token-free logs, and a clean SIGTERM.

Readiness and metrics run on a real WebServer bound to port 0 and are read with aiohttp;
the shutdown test starts `studybot run` as a child process against the fake Slack.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import shutil
import signal
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.adapters.slack.adapter import EVENTS_PATH, SlackAdapter
from bot.app import build
from bot.clock import FakeClock
from bot.health import serve_health
from bot.logs import setup_logging
from bot.runtime import attach_platforms, web_server
from bot.web import WebServer
from tests.adapters.slack_driver import (
    ALICE,
    TEST_TUNING,
    SlackDriver,
    add_members,
    slack_settings,
)
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.harness import ConsoleBot

ROOT = Path(__file__).resolve().parents[1]


async def get(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


@asynccontextmanager
async def fake_slack(clock: FakeClock) -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(clock.now)
    add_members(fake)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def test_healthz_is_ready_only_when_the_platform_is_connected_and_the_db_answers(
    tmp_path: Path, clock: FakeClock
) -> None:
    folder = tmp_path / "db"
    async with fake_slack(clock) as fake:
        settings = slack_settings(f"sqlite:///{folder / 'bot.db'}", fake.api_url)
        app = build(settings, clock)
        shutil.rmtree(folder)  # the database is unreachable: its folder is gone
        app.web = WebServer("127.0.0.1", 0)
        serve_health(app.web, app)
        adapter = SlackAdapter(app.dispatcher, settings, tuning=TEST_TUNING, web=app.web)
        app.attach(adapter)
        await app.web.start()
        try:
            status, body = await get(app.web.url + "/healthz")
            assert status == 503
            assert body == {"ok": False, "database": "not answering",
                            "platforms": {"slack": "not connected"},
                            "not_ready": ["database", "slack"]}

            await adapter.start()
            await fake.socket.wait_connected()
            status, body = await get(app.web.url + "/healthz")
            assert status == 503
            assert body["platforms"] == {"slack": "connected"}
            assert body["not_ready"] == ["database"]

            folder.mkdir()  # the database answers again
            status, body = await get(app.web.url + "/healthz")
            assert (status, body["ok"], body["not_ready"]) == (200, True, [])
            assert body["database"] == "answering"
        finally:
            folder.mkdir(exist_ok=True)
            await app.stop()
        assert not app.web.started


async def test_metrics_show_events_latency_and_scheduled_runs_after_console_events(
    console: ConsoleBot,
) -> None:
    server = WebServer("127.0.0.1", 0)
    serve_health(server, console.app)
    await server.start()
    try:
        status, before = await get(server.url + "/metrics")
        assert status == 200
        assert 'platform="console"' not in before
        await console.say("/daily setup time:09:00 timezone:UTC")
        await console.say("!time +2h")  # the daily question is posted at 09:00
        status, text = await get(server.url + "/metrics")
    finally:
        await server.stop()
    assert status == 200
    assert ('studybot_events_total{kind="CommandInvoked",outcome="ok",platform="console"} 1.0'
            in text)
    assert 'studybot_event_seconds_count{kind="CommandInvoked",platform="console"} 1.0' in text
    assert 'studybot_scheduled_runs_total{job="daily.post",outcome="ok"} 1.0' in text
    for family in ("studybot_posts_total", "studybot_errors_total"):
        assert f"# TYPE {family} counter" in text
    assert console.app.metrics is console.app.dispatcher.metrics


async def test_one_web_server_serves_slack_http_health_and_metrics(
    sqlite_url: str, clock: FakeClock
) -> None:
    async with fake_slack(clock) as fake:
        settings = slack_settings(sqlite_url, fake.api_url, mode="http")
        app = build(settings, clock)
        await app.prepare()
        app.web = web_server(settings)
        assert app.web is not None
        serve_health(app.web, app)
        attach_platforms(app, settings)
        (adapter,) = app.adapters
        assert isinstance(adapter, SlackAdapter) and adapter.web is app.web
        adapter.tuning = TEST_TUNING
        async with aiohttp.ClientSession() as http:
            await app.start(schedule=False)
            try:
                driver = SlackDriver(fake, adapter, app, "http", http)
                helped = await driver.slash("help", user=ALICE)
                assert [s.kind for s in helped] == ["ephemeral"]
                assert driver.statuses == [200]
                status, body = await get(app.web.url + "/healthz")
                assert (status, body["platforms"]) == (200, {"slack": "connected"})
                status, text = await get(app.web.url + "/metrics")
                assert 'kind="CommandInvoked",outcome="ok",platform="slack"} 1.0' in text
                assert EVENTS_PATH == "/slack/events"
            finally:
                await app.stop()


def test_web_server_only_when_a_port_is_set_or_slack_http_needs_one() -> None:
    from bot.config import Settings

    assert web_server(Settings()) is None
    assert web_server(Settings(web_port=0)) is not None
    http = Settings(slack_bot_token="xoxb-1", slack_signing_secret="s", slack_mode="http")
    assert web_server(http) is not None


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    yield
    root.handlers[:], root.level = saved[0], saved[1]


@pytest.mark.parametrize("as_json", [False, True])
def test_logs_never_contain_a_token(
    as_json: bool, restore_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    known = "xoxb-1111-2222-known-secret-value"
    signing = "8f2a9c0d1e3b4a5f6e7d8c9b0a1f2e3d"
    shaped = "xapp-1-A0123-4567-abcdef"
    discord = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GabcDe.abcdefghijklmnopqrstuvwxyz0123"
    setup_logging("DEBUG", as_json, [known, signing])
    log = logging.getLogger("bot.test")
    log.info("connecting with %s and %s", known, signing)
    log.warning("a token-shaped value %s and a Discord one %s", shaped, discord)
    try:
        raise RuntimeError(f"the API refused {known} ({discord})")
    except RuntimeError:
        log.exception("call failed")
    logging.getLogger("slack_sdk.web").debug("headers: {'Authorization': 'Bearer %s'}", known)
    out = stream.getvalue()
    for secret in (known, signing, shaped, discord):
        assert secret not in out
    assert out.count("[redacted]") >= 7
    assert "RuntimeError" in out
    if as_json:
        records = [json.loads(line) for line in out.splitlines()]
        assert [r["level"] for r in records] == ["INFO", "WARNING", "ERROR", "DEBUG"]
        assert "[redacted]" in records[2]["exception"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _lines_until(stream: asyncio.StreamReader, seen: list[str], words: str) -> None:
    while True:
        raw = await stream.readline()
        if not raw:
            raise AssertionError(f"the bot stopped before logging {words!r}: {seen[-5:]}")
        seen.append(raw.decode())
        if words in seen[-1]:
            return


async def test_studybot_run_is_ready_then_exits_0_on_sigterm_without_logging_a_token(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with fake_slack(clock) as fake:
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.api_url,
            "STUDYBOT_WEB_PORT": str(port), "STUDYBOT_LOG_JSON": "true",
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--debug", "run", env=env, cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        assert proc.stderr is not None
        lines: list[str] = []
        try:
            await asyncio.wait_for(_lines_until(proc.stderr, lines, "StudyBot running"), 60)
            status, body = await get(f"http://127.0.0.1:{port}/healthz")
            assert (status, body["ok"]) == (200, True)
            status, text = await get(f"http://127.0.0.1:{port}/metrics")
            assert status == 200 and "studybot_events_total" in text
            proc.send_signal(signal.SIGTERM)
            _, rest = await asyncio.wait_for(proc.communicate(), 60)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert proc.returncode == 0
    lines += rest.decode().splitlines(keepends=True)
    records = [json.loads(line) for line in lines if line.strip()]
    messages = [r["message"] for r in records]
    assert any("shutting down" in m for m in messages)
    assert any(r["level"] == "DEBUG" for r in records)  # --debug: the libraries talk too
    everything = "".join(lines)
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in everything
