"""Drive StudyBot on Slack as workspace members would, through the real slack_bolt app.

    async with slack_bot(settings_for, clock) as slack:          # Socket Mode by default
        out = await slack.slash("me timezone", zone="Europe/Berlin", user=ALICE)
        post = slack.last("message")
        await slack.press(post, "Answer", user=BOB)
        await slack.submit_form({"answer": "a convex loss"}, user=BOB)

Each action goes through the fake Slack (a Socket Mode envelope, or a signed HTTP request in
HTTP mode), waits for the ack (failing if it took 3 s or more) and for the bot to finish the
work, and returns what the bot made visible meanwhile (`Sent` records). `slack.sent` is the
whole transcript.
"""

from __future__ import annotations

import json
import re
import shlex
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.adapter import EVENTS_PATH, SlackAdapter
from bot.adapters.slack.client import SlackTuning
from bot.app import App, build
from bot.clock import FakeClock
from bot.config import Settings
from bot.core.dispatch import Dispatcher
from commands import all_features
from commands.spec import Feature, Registry
from scheduler.runner import Scheduler
from tests.fakes.slack_api import (
    APP_ID,
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    TEAM_ID,
    FakeSlack,
    Sent,
)
from tests.fakes.slack_socket import ACK_DEADLINE

# Fast retries for tests: Retry-After 0 and no jitter; no pacing (its own test checks it).
TEST_TUNING = SlackTuning(
    backoff_seconds=0.01,
    retry_jitter_seconds=0.0,
    channel_interval_seconds=0.0,
    global_interval_seconds=0.0,
    request_timeout_seconds=5,
)


@dataclass(frozen=True)
class Member:
    """A workspace member of the fake Slack."""

    id: str
    name: str
    admin: bool = False


ALICE = Member("U0ALICE", "alice")
BOB = Member("U0BOB", "bob")
CAROL = Member("U0CAROL", "carol", admin=True)
STUDY = "C0STUDY"
LOUNGE = "C0LOUNGE"


@dataclass
class Delivery:
    """One thing delivered to the bot, kept so a test can deliver it again."""

    kind: str  # slash_commands, interactive, events_api
    payload: dict[str, Any]
    attempt: int = 0


@dataclass
class SlackDriver:
    """The bot on a fake Slack; methods act as members, results are what the bot showed."""

    fake: FakeSlack
    adapter: SlackAdapter
    app: App
    mode: str
    http: aiohttp.ClientSession | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    @property
    def sent(self) -> list[Sent]:
        return self.fake.sent

    @property
    def dispatcher(self) -> Dispatcher:
        return self.app.dispatcher

    def last(self, kind: str | None = None, *, user: str | None = None) -> Sent:
        for item in reversed(self.fake.sent):
            if (kind is None or item.kind == kind) and (user is None or item.user == user):
                return item
        raise AssertionError(f"nothing of kind {kind} sent (for {user})")

    # --- members act ------------------------------------------------------------------------

    async def slash(
        self, command: str = "", /, *, user: Member = ALICE, channel: str = STUDY, **options: str
    ) -> list[Sent]:
        """`/studybot <command> name:value ...` as `user` in `channel`.

        Options named `user` or `channel` go inline: `slash("pair with user:<@U0BOB>")`."""
        line = " ".join([command, *(f"{k}:{_quote(v)}" for k, v in options.items())]).strip()
        payload = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "studygroup",
            "channel_id": channel,
            "channel_name": self.fake.channels[channel]["name"] or "directmessage",
            "user_id": user.id,
            "user_name": user.name,
            "command": "/studybot",
            "text": _slack_escape(line),
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.fake.issue_response_url(channel, user.id),
            "trigger_id": self.fake.issue_trigger(user.id),
        }
        return await self.deliver(Delivery("slash_commands", payload))

    async def press(self, message: Sent, label: str, *, user: Member = ALICE) -> list[Sent]:
        """Press the button labelled `label` on a message the bot showed."""
        button = message.button(label)
        action = {
            "type": "button",
            "action_id": button["action_id"],
            "block_id": "b1",
            "text": button["text"],
            "action_ts": self._action_ts(),
        }
        if "value" in button:
            action["value"] = button["value"]
        payload = self._block_actions(message, user, action)
        return await self.deliver(Delivery("interactive", payload))

    async def choose(
        self, message: Sent, *labels: str, user: Member = ALICE
    ) -> list[Sent]:
        """Pick option(s) by label in the message's select menu."""
        select = message.select()
        chosen = [o for o in select["options"] if o["text"]["text"] in labels]
        assert len(chosen) == len(labels), f"options {labels} not all in {select['options']}"
        action: dict[str, Any] = {
            "type": select["type"],
            "action_id": select["action_id"],
            "block_id": "b2",
            "action_ts": self._action_ts(),
        }
        if select["type"] == "multi_static_select":
            action["selected_options"] = chosen
        else:
            action["selected_option"] = chosen[0]
        payload = self._block_actions(message, user, action)
        return await self.deliver(Delivery("interactive", payload))

    async def submit_form(
        self,
        values: dict[str, str],
        *,
        user: Member = ALICE,
        view: Sent | None = None,
        files: dict[str, dict[str, Any]] | None = None,
    ) -> list[Sent]:
        """Fill and submit the modal last opened for `user` (or `view`).

        `files` maps a file input's block id to a file the member uploaded there
        (`fake.member_file(...)`)."""
        shown = view or self.last("view", user=user.id)
        assert shown.view is not None
        inputs = {b["block_id"]: b for b in shown.view["blocks"] if b["type"] == "input"}
        files = files or {}
        unknown = (set(values) | set(files)) - set(inputs)
        assert not unknown, f"the form has no fields {unknown}"
        state: dict[str, Any] = {}
        for block_id, block in inputs.items():
            element = block["element"]
            if element["type"] == "file_input":
                given = [files[block_id]] if block_id in files else []
                entry: dict[str, Any] = {"type": "file_input", "files": given}
            else:
                assert block_id not in files, f"{block_id} is not a file input"
                entry = {"type": "plain_text_input", "value": values.get(block_id)}
            state[block_id] = {element["action_id"]: entry}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "studygroup"},
            "user": self._user(user),
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "trigger_id": self.fake.issue_trigger(user.id),
            "view": {**shown.view, "state": {"values": state}},
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return await self.deliver(Delivery("interactive", payload))

    async def say(
        self,
        text: str,
        *,
        user: Member = ALICE,
        channel: str = STUDY,
        thread: Sent | str | None = None,
    ) -> list[Sent]:
        """A member writes a message (in a thread when `thread` is a message or a ts)."""
        thread_ts = thread.ts if isinstance(thread, Sent) else thread
        posted = self.fake.member_post(channel, user.id, text, thread_ts)
        event = {
            "type": "message",
            "channel": channel,
            "user": user.id,
            "text": _slack_escape(text),
            "ts": posted["ts"],
            "team": TEAM_ID,
            "channel_type": self.fake.channel_type(channel),
            "event_ts": posted["ts"],
            "client_msg_id": f"cm-{posted['ts']}",
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return await self.deliver(self._event(event))

    async def dm(self, text: str, *, user: Member = ALICE) -> list[Sent]:
        """A member writes to the bot in their DM with it."""
        return await self.say(text, user=user, channel=self.fake.dm_channel(user.id))

    async def react(self, message: Sent, emoji: str, *, user: Member = ALICE) -> list[Sent]:
        assert message.channel and message.ts
        event = {
            "type": "reaction_added",
            "user": user.id,
            "reaction": emoji,
            "item": {"type": "message", "channel": message.channel, "ts": message.ts},
            "item_user": "U0BOT",
            "event_ts": self.fake.new_ts(),
        }
        return await self.deliver(self._event(event))

    async def open_home(self, *, user: Member = ALICE) -> list[Sent]:
        event = {
            "type": "app_home_opened",
            "user": user.id,
            "channel": self.fake.dm_channel(user.id),
            "tab": "home",
            "event_ts": self.fake.new_ts(),
        }
        return await self.deliver(self._event(event))

    async def event(self, event: dict[str, Any]) -> list[Sent]:
        """Deliver any Events API event (e.g. a message_changed the bot must ignore)."""
        return await self.deliver(self._event(event))

    async def redeliver(self, delivery: Delivery | None = None) -> list[Sent]:
        """Slack delivers the same thing again (Events API retry / Socket Mode redelivery)."""
        again = delivery or self.deliveries[-1]
        return await self.deliver(replace(again, attempt=again.attempt + 1))

    # --- plumbing -----------------------------------------------------------------------------

    async def deliver(self, delivery: Delivery) -> list[Sent]:
        before = len(self.fake.sent)
        self.deliveries.append(delivery)
        if self.mode == "socket":
            envelope = await self.fake.socket.push(
                delivery.kind,
                delivery.payload,
                retry_attempt=delivery.attempt or None,
                retry_reason="timeout" if delivery.attempt else None,
            )
            ack = await self.fake.socket.ack_of(envelope)
            self.latencies.append(ack.latency)
        else:
            status = await self.post_signed(delivery)
            assert status == 200, f"HTTP delivery answered {status}"
        await self.adapter.idle()
        return self.fake.sent[before:]

    async def post_signed(
        self,
        delivery: Delivery,
        *,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
    ) -> int:
        """POST a delivery to the bot's /slack/events, signed like Slack signs it."""
        assert self.http is not None and self.adapter.web is not None
        body, content_type = _http_body(delivery)
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
        assert signature is not None
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
        }
        if delivery.attempt:
            headers["X-Slack-Retry-Num"] = str(delivery.attempt)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        started = time.monotonic()
        url = self.adapter.web.url + EVENTS_PATH
        async with self.http.post(url, data=body.encode(), headers=headers) as response:
            await response.read()
            latency = time.monotonic() - started
        self.latencies.append(latency)
        self.statuses.append(response.status)
        assert latency < ACK_DEADLINE, f"HTTP ack took {latency:.2f} s"
        return response.status

    def _event(self, event: dict[str, Any]) -> Delivery:
        payload = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": self.fake.new_id("Ev"),
            "event_time": int(self.app.services.clock.now().timestamp()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM_ID,
                    "user_id": "U0BOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return Delivery("events_api", payload)

    def _block_actions(
        self, message: Sent, user: Member, action: dict[str, Any]
    ) -> dict[str, Any]:
        ephemeral = message.kind == "ephemeral"
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": message.channel,
            "is_ephemeral": ephemeral,
        }
        if message.thread_ts:
            container["thread_ts"] = message.thread_ts
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user),
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "container": container,
            "trigger_id": self.fake.issue_trigger(user.id),
            "team": {"id": TEAM_ID, "domain": "studygroup"},
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
            # Slack issues a fresh response_url per interaction, tied to the pressed message.
            "response_url": self.fake.issue_response_url(
                message.channel, user.id, message.ts, ephemeral
            ),
            "actions": [action],
        }
        if message.channel:
            payload["channel"] = {
                "id": message.channel,
                "name": self.fake.channels[message.channel]["name"],
            }
        if not ephemeral and message.channel and message.ts:
            stored = self.fake.message(message.channel, message.ts)
            assert stored is not None, "the pressed message is gone"
            payload["message"] = stored
        return payload

    def _user(self, user: Member) -> dict[str, Any]:
        return {"id": user.id, "username": user.name, "name": user.name, "team_id": TEAM_ID}

    def _action_ts(self) -> str:
        return self.fake.new_ts()


def slack_settings(db_url: str, api_url: str, mode: str = "socket") -> Settings:
    return Settings(
        database_url=db_url,
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_mode=mode,  # type: ignore[arg-type]
        slack_api_url=api_url,
        web_port=0,
    )


def build_app(settings: Settings, clock: FakeClock, extra: Iterable[Feature] = ()) -> App:
    """The real app (bot/app.py); with `extra`, test-only features join the declared ones."""
    app = build(settings, clock)
    extra = list(extra)
    if not extra:
        return app
    services = replace(app.services, registry=Registry([*all_features(), *extra]))
    return App(services=services, dispatcher=Dispatcher(services), scheduler=Scheduler(services))


def add_members(fake: FakeSlack, members: Iterable[Member] = (ALICE, BOB, CAROL)) -> None:
    for member in members:
        fake.add_user(member.id, member.name, admin=member.admin)
    everyone = ["U0BOT", *(m.id for m in members)]
    fake.add_channel(STUDY, "study", everyone)
    fake.add_channel(LOUNGE, "lounge", [m.id for m in members])  # the bot is not in it


@asynccontextmanager
async def slack_bot(
    db_url: str,
    clock: FakeClock,
    *,
    mode: str = "socket",
    features: Iterable[Feature] = (),
    setup: Callable[[FakeSlack], None] | None = None,
) -> AsyncIterator[SlackDriver]:
    """A migrated app with the Slack adapter attached to a fresh fake Slack, started."""
    fake = FakeSlack(clock.now)
    add_members(fake)
    if setup is not None:
        setup(fake)
    await fake.start()
    settings = slack_settings(db_url, fake.api_url, mode)
    app = build_app(settings, clock, features)
    await app.prepare()
    adapter = SlackAdapter(app.dispatcher, settings, tuning=TEST_TUNING)
    app.attach(adapter)
    http = aiohttp.ClientSession() if mode == "http" else None
    try:
        await app.start(schedule=False)
        if mode == "socket":
            await fake.socket.wait_connected()
        yield SlackDriver(fake, adapter, app, mode, http)
    finally:
        await app.stop()
        if http is not None:
            await http.close()
        await fake.stop()
    assert not fake.unknown, f"the bot called methods the fake does not know: {fake.unknown}"
    assert not fake.bad_downloads, f"file downloads without the bot token: {fake.bad_downloads}"
    assert not fake.pings, f"the bot sent ping markup: {fake.pings}"


_MARKUP = re.compile(r"(<[@#!][^<>]*>)")


def _quote(value: str) -> str:
    return shlex.quote(value) if any(c.isspace() or c in "\"'" for c in value) else value


def _slack_escape(text: str) -> str:
    """Text as Slack delivers what a member typed: &, < and > escaped, markup kept."""
    parts = _MARKUP.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(parts)


def _http_body(delivery: Delivery) -> tuple[str, str]:
    if delivery.kind == "events_api":
        return json.dumps(delivery.payload), "application/json"
    if delivery.kind == "interactive":
        return urlencode({"payload": json.dumps(delivery.payload)}), (
            "application/x-www-form-urlencoded"
        )
    return urlencode(delivery.payload), "application/x-www-form-urlencoded"
