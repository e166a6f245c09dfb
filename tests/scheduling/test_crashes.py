"""Crashes and rate limits during a daily fan-out to 200 Slack channels: one post each.

SIGKILL: the bot runs in a child process (tests/scheduling/child_fanout.py) against the fake
Slack of this process and an SQLite file. It is killed 20 times at seeded random points: at a
chat.postMessage before Slack keeps the message, right after Slack kept it (the bot never learns
its ts: the dangerous case), at the reconciling conversations.history call, or after a random
delay (during start-up, a claim or a confirm). Each restart comes 3 minutes later on the bot's
clock, so the claims a crash left unconfirmed are stale and reconciled. At the end every
channel has exactly one question.

A storm: Slack answers hundreds of calls with 429 (Retry-After 0, a few 1), then 503s and
dropped connections; every question is delivered, once. And posts Slack kept but answered with
a 500 are found again, not sent twice.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import build
from bot.clock import FakeClock
from commands.daily.tables import DailyPost
from tests.fakes.slack_api import FakeSlack
from tests.scheduling.fanout import (
    ADMIN,
    BOT_USER,
    POST_AT,
    SlackPortOnly,
    channel_ids,
    posts_per_channel,
    set_up_channels,
    settings_for,
    unposted,
)

ROOT = Path(__file__).resolve().parents[2]
CHANNELS = channel_ids(200)
KILLS = 20
RECONCILE_KILLS = 6  # the last kills hit runs that reconcile claims earlier crashes left
RESTART = timedelta(minutes=3)  # longer than the 2-minute staleness of an unconfirmed claim
SEED = 20261201


class KillSwitch:
    """Kills the child at the n-th call of a Slack method, before or after Slack answers it.

    Several methods may be armed at once: whichever countdown ends first fires."""

    def __init__(self, fake: FakeSlack) -> None:
        self.pid: int | None = None
        self.plan: dict[str, tuple[int, bool]] = {}
        self.kinds: list[str] = []
        for method in ("chat.postMessage", "conversations.history"):
            name = "m_" + method.replace(".", "_")
            # An instance attribute wins over the method the fake looks up by name.
            setattr(fake, name, self._wrap(method, getattr(fake, name)))

    def arm(self, pid: int, plan: dict[str, tuple[int, bool]]) -> None:
        """`plan` maps a method to (calls until the kill, kill after Slack answered)."""
        self.pid, self.plan = pid, dict(plan)

    def disarm(self) -> None:
        self.pid, self.plan = None, {}

    def _wrap(
        self, method: str, handler: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def call(args: dict[str, Any]) -> dict[str, Any]:
            fire: bool | None = None  # None: no kill; else whether it comes after the answer
            if self.pid is not None and method in self.plan:
                left, after = self.plan[method]
                self.plan[method] = (left - 1, after)
                if left == 1:
                    fire = after
            if fire is False:
                self._kill(f"{method} before")
                return {"ok": False, "error": "fatal_error"}  # nobody reads it
            result = handler(args)
            if fire is True:
                self._kill(f"{method} after")
            return result

        return call

    def _kill(self, kind: str) -> None:
        assert self.pid is not None
        os.kill(self.pid, signal.SIGKILL)
        self.kinds.append(kind)
        self.disarm()


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeSlack, FakeClock]]:
    clock = FakeClock(POST_AT)  # the fake's timestamps follow the bot's clock
    slack = FakeSlack(clock.now)
    slack.add_user(ADMIN, "admin", admin=True)
    for channel in CHANNELS:
        slack.add_channel(channel, channel.lower(), [BOT_USER, ADMIN])
    await slack.start()
    yield slack, clock
    await slack.stop()
    assert not slack.unknown, slack.unknown


async def check_once_each(fake: FakeSlack, db_url: str) -> None:
    per_channel = posts_per_channel(fake.messages)
    assert set(per_channel) == set(CHANNELS), sorted(set(CHANNELS) - set(per_channel))[:5]
    doubled = {c: n for c, n in per_channel.items() if n != 1}
    assert doubled == {}, doubled
    app = build(settings_for(db_url), FakeClock(POST_AT))
    try:
        assert await unposted(app) == 0
        async with app.store.session() as session:
            posts = list(await session.scalars(select(DailyPost)))
    finally:
        await app.store.close()
    assert len(posts) == 200
    stored = {message["ts"] for posted in fake.messages.values() for message in posted}
    assert all(post.message_id in stored for post in posts)  # the confirmed ids are the posts



async def run_until_posted(slack: FakeSlack, clock: FakeClock, url: str, attempts: int) -> None:
    """One process runs the fan-out, then again after each restart interval, until every
    channel has its question or `attempts` runs are spent."""
    app = build(settings_for(url, slack.api_url), clock)
    await app.prepare()
    port = SlackPortOnly(app, slack.api_url)
    try:
        for attempt in range(attempts):
            await app.scheduler.run_due(POST_AT + attempt * RESTART)
            if await unposted(app) == 0:
                break
    finally:
        await port.close()
        await app.stop()

async def test_sigkill_at_random_points_of_a_200_channel_fan_out_posts_once_each(
    fake: tuple[FakeSlack, FakeClock], tmp_path: Path
) -> None:
    slack, clock = fake
    db_url = f"sqlite:///{tmp_path / 'shared.db'}"
    await set_up_channels(db_url, CHANNELS)
    switch = KillSwitch(slack)
    rng = random.Random(SEED)
    loop = asyncio.get_running_loop()
    kills, runs, last = 0, 0, None
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    while runs < 45:
        clock.set(POST_AT + runs * RESTART)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.scheduling.child_fanout", db_url, slack.api_url,
            clock.now().isoformat(), cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        timer = None
        if kills < KILLS:
            left = 200 - len(posts_per_channel(slack.messages))
            roll = rng.random()
            if kills >= KILLS - RECONCILE_KILLS:
                # the fan-out runs through; the kill comes while reconciling a stale claim
                switch.arm(proc.pid, {"conversations.history": (1, rng.random() < 0.5)})
            elif roll < 0.15 and left > 60:
                timer = loop.call_later(rng.uniform(0.2, 1.8), _kill, proc.pid, switch)
            else:
                switch.arm(proc.pid, {"chat.postMessage": (rng.randint(1, 12), rng.random() < 0.5)})
        printed, _ = await asyncio.wait_for(proc.communicate(), 60)
        if timer is not None:
            timer.cancel()
        switch.disarm()
        runs += 1
        last = printed.decode(errors="replace")
        if proc.returncode == -signal.SIGKILL:
            kills += 1
            continue
        assert proc.returncode in (0, 3), last[-3000:]
        if proc.returncode == 0 and kills >= KILLS:
            break
    assert kills >= KILLS and last is not None and "unposted=0" in last, (kills, runs, last)
    # the dangerous moments were hit: killed after Slack kept a post, and while reconciling
    assert "chat.postMessage after" in switch.kinds, switch.kinds
    assert any(k.startswith("conversations.history") for k in switch.kinds), switch.kinds
    await check_once_each(slack, db_url)


async def claimed_unconfirmed(db_url: str) -> int:
    """Posts a crash left claimed but not confirmed (the next run reconciles them)."""
    app = build(settings_for(db_url), FakeClock(POST_AT))
    try:
        return await unposted(app)
    finally:
        await app.store.close()


def _kill(pid: int, switch: KillSwitch) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        switch.kinds.append("timer")
    except ProcessLookupError:
        pass  # it finished first


async def test_a_storm_of_429s_5xx_and_drops_delays_posts_but_every_one_arrives_once(
    fake: tuple[FakeSlack, FakeClock], sqlite_url: str
) -> None:
    slack, clock = fake
    await set_up_channels(sqlite_url, CHANNELS)
    rng = random.Random(SEED)
    for _ in range(400):
        slack.fail_next("chat.postMessage", 429, retry_after=1 if rng.random() < 0.005 else 0)
    slack.fail_next("chat.postMessage", 503, times=10)  # then server errors and drops:
    slack.drop_next("chat.postMessage", times=10)  # the bot looks before it sends again
    slack.fail_next("conversations.history", 429, times=20, retry_after=0)
    await run_until_posted(slack, clock, sqlite_url, attempts=10)
    limited = [c for c in slack.calls_to("chat.postMessage") if c.status == 429]
    assert len(limited) == 400
    await check_once_each(slack, sqlite_url)


async def test_posts_slack_kept_but_answered_with_an_error_are_not_posted_again(
    fake: tuple[FakeSlack, FakeClock], sqlite_url: str
) -> None:
    """Slack kept the message, then its answer was a 500: a blind retry would post it twice."""
    slack, clock = fake
    await set_up_channels(sqlite_url, CHANNELS)
    original = slack.m_chat_postMessage
    calls = 0

    def post(args: dict[str, Any]) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        result = original(args)
        if calls % 25 == 0:
            raise RuntimeError("kept, then failed")  # aiohttp answers 500
        return result

    slack.m_chat_postMessage = post  # type: ignore[method-assign]
    await run_until_posted(slack, clock, sqlite_url, attempts=5)
    await check_once_each(slack, sqlite_url)
