"""StudyBot on Slack in HTTP mode: signed requests to the bot's own /slack/events endpoint.

Requests are signed with slack_sdk's real SignatureVerifier; a wrong signature or a timestamp
older than five minutes is refused with 401 and nothing is handled.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.clock import FakeClock
from bot.core.context import Context
from bot.core.events import FormSubmitted
from bot.core.ui import Button, Form, FormField, Message, Reply
from commands.spec import ActionSpec, CommandSpec, Feature, FormSpec
from tests.adapters.slack_driver import ALICE, BOB, STUDY, Delivery, SlackDriver, slack_bot
from tests.fakes.slack_api import SIGNING_SECRET, TEAM_ID


def note_feature() -> Feature:
    """A private message with a button that opens a form; the form's answer is posted."""

    async def start(ctx: Context) -> Reply:
        return Reply(Message(text="Leave a note?", buttons=[Button("Write", "note:n1")]))

    async def write(ctx: Context) -> Reply:
        field = FormField("note", "Note", max_length=200)
        return Reply.open(Form("note_form", "A note", (field,), context=ctx.action_arg))

    async def submitted(ctx: Context) -> Reply:
        assert isinstance(ctx.event, FormSubmitted)
        return Reply.public(Message(text=f"Note {ctx.event.context}: {ctx.event.fields['note']}"))

    return Feature(
        name="Notes",
        commands=[CommandSpec("note", "Leave a note.", start)],
        actions=[ActionSpec("note", write, opens_form=True)],
        forms=[FormSpec("note_form", submitted)],
    )


@pytest.fixture
async def slack(sqlite_url: str, clock: FakeClock) -> AsyncIterator[SlackDriver]:
    async with slack_bot(sqlite_url, clock, mode="http", features=[note_feature()]) as driver:
        yield driver


async def test_commands_over_signed_http(slack: SlackDriver) -> None:
    helped = await slack.slash("help", user=ALICE)
    assert [s.kind for s in helped] == ["ephemeral"]
    assert "`/studybot me timezone`" in helped[0].readable
    await slack.slash("me timezone", zone="America/New_York", user=BOB)
    profile = await slack.slash("me", user=BOB)
    assert "*Timezone*: America/New_York" in profile[0].readable
    assert slack.statuses == [200, 200, 200]
    assert slack.adapter.connected


async def test_button_and_form_over_http(slack: SlackDriver) -> None:
    offer = (await slack.slash("note", user=ALICE))[0]
    opened = await slack.press(offer, "Write", user=ALICE)
    assert [s.kind for s in opened] == ["view"]
    posted = await slack.submit_form({"note": "ship it & smile"}, user=ALICE)
    assert [(s.kind, s.channel, s.readable) for s in posted] == [
        ("message", STUDY, "Note n1: ship it &amp; smile")
    ]


async def test_forged_and_stale_requests_are_refused(slack: SlackDriver) -> None:
    delivery = Delivery("slash_commands", {
        "team_id": TEAM_ID, "channel_id": STUDY, "user_id": ALICE.id, "user_name": "alice",
        "command": "/studybot", "text": "help", "trigger_id": "1.2.3",
        "response_url": slack.fake.issue_response_url(STUDY, ALICE.id),
    })
    assert await slack.post_signed(delivery, secret="not-the-secret") == 401
    assert await slack.post_signed(delivery, timestamp=int(time.time()) - 6 * 60) == 401
    await slack.adapter.idle()
    assert slack.sent == [] and not slack.fake.calls_to("users.info")
    assert await slack.post_signed(delivery, secret=SIGNING_SECRET) == 200  # the real one


async def test_events_api_retries_are_deduplicated(slack: SlackDriver) -> None:
    parent = slack.fake.member_post(STUDY, ALICE.id, "a question")
    await slack.say("an answer", user=BOB, thread=parent["ts"])
    await slack.redeliver()
    await slack.redeliver()
    assert slack.statuses == [200, 200, 200]
    sample = slack.dispatcher.metrics.registry.get_sample_value
    labels = {"platform": "slack", "kind": "MessagePosted"}
    assert sample("studybot_events_total", {**labels, "outcome": "ok"}) == 1
    assert sample("studybot_events_total", {**labels, "outcome": "duplicate"}) == 2


async def test_url_verification_and_healthz(slack: SlackDriver) -> None:
    challenge = Delivery("events_api", {"token": "t", "challenge": "c-123",
                                        "type": "url_verification"})
    assert await slack.post_signed(challenge) == 200
    assert slack.adapter.web is not None
    async with aiohttp.ClientSession() as http:
        async with http.get(slack.adapter.web.url + "/healthz") as response:
            assert response.status == 200 and await response.json() == {"ok": True}
        body = json.dumps(challenge.payload)
        async with http.post(slack.adapter.web.url + "/slack/events", data=body) as response:
            assert response.status == 401  # unsigned
