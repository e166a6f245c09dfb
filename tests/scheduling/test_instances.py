"""Two instances on one database post 200 scheduled daily questions at once: one each.

Each App has its own Store engine, its own scheduler and its own Slack port (its own HTTP
session) to the same fake Slack, as two processes would. Both run the due fan-out at the same
time; the fake's own state says how many questions each channel got.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.app import App, build
from bot.clock import FakeClock
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

CHANNELS = channel_ids(200)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    clock = FakeClock(POST_AT)
    slack = FakeSlack(clock.now)
    slack.add_user(ADMIN, "admin", admin=True)
    for channel in CHANNELS:
        slack.add_channel(channel, channel.lower(), [BOT_USER, ADMIN])
    await slack.start()
    yield slack
    await slack.stop()
    assert not slack.unknown, slack.unknown


async def test_two_instances_post_each_of_200_scheduled_questions_once(
    pg_url: str, fake: FakeSlack
) -> None:
    from tests.conftest import _truncate  # the any_db_url clean-up, for this PostgreSQL test

    apps: list[App] = []
    ports: list[SlackPortOnly] = []
    try:
        for _ in range(2):
            app = build(settings_for(pg_url, fake.api_url), FakeClock(POST_AT))
            apps.append(app)
        await _truncate(apps[0].store)
        await set_up_channels(pg_url, CHANNELS)
        for app in apps:
            await app.prepare()
            ports.append(SlackPortOnly(app, fake.api_url))
        assert apps[0].store.engine is not apps[1].store.engine

        ran = await asyncio.gather(*(app.scheduler.run_due(POST_AT) for app in apps))
        assert sum(ran) >= 200  # both found the work; the claims shared it out
    finally:
        for port in ports:
            await port.close()
        for app in apps:
            await app.stop()

    per_channel = posts_per_channel(fake.messages)
    assert set(per_channel) == set(CHANNELS)
    assert set(per_channel.values()) == {1}, per_channel.most_common(3)
    assert len(fake.calls_to("chat.postMessage")) == 200
    checker = build(settings_for(pg_url), FakeClock(POST_AT))
    try:
        assert await unposted(checker) == 0
    finally:
        await checker.store.close()
