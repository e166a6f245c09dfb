"""StudyBot on Slack in Socket Mode, driven as members would, through the real slack_bolt app.

A test-only feature ("drill") gives a public post with buttons and a select, a form, an
admin-only command, an echo of member text, and a listener for thread messages, DMs and
reactions; the foundation's /help and /me run as declared.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.adapters.slack.adapter import SlackAdapter
from bot.clock import FakeClock
from bot.core.context import Context
from bot.core.errors import ConfigError
from bot.core.events import ActionPressed, FormSubmitted, MessagePosted, ReactionAdded
from bot.core.ids import mention
from bot.core.ui import (
    Button,
    ButtonStyle,
    Field,
    Form,
    FormField,
    Message,
    Reply,
    Select,
    SelectOption,
)
from bot.store.tables import ProcessedEvent
from commands.spec import ActionSpec, CommandSpec, Feature, FormSpec, ListenerSpec, Option
from tests.adapters.slack_driver import (
    ALICE,
    BOB,
    CAROL,
    LOUNGE,
    STUDY,
    TEST_TUNING,
    SlackDriver,
    build_app,
    slack_bot,
    slack_settings,
)
from tests.fakes.slack_api import FakeSlack


def drill_feature(seen: list[str], gate: asyncio.Event | None = None) -> Feature:
    """A small feature that exercises every kind of interaction."""

    async def start(ctx: Context) -> Reply:
        if gate is not None:
            await gate.wait()  # the ack must already be on its way
        return Reply.public(
            Message(
                title="Drill: **bias-variance**",
                text="Explain the trade-off.\n- bias\n- variance",
                fields=[Field("Topic", "core ML"), Field("Level", "2")],
                buttons=[
                    Button("Answer", "drill:q1", ButtonStyle.PRIMARY),
                    Button("Skip", "drill_skip:q1", ButtonStyle.DANGER),
                ],
                select=Select(
                    "drill_level:q1",
                    (SelectOption("Easy", "easy"), SelectOption("Hard", "hard", "for experts")),
                    placeholder="Level",
                ),
                footer="Day 1 of 42",
                marker="drill-q1",
            )
        )

    async def answer(ctx: Context) -> Reply:
        field = FormField("answer", "Your answer", multiline=True, placeholder="Be concise")
        return Reply.open(Form("drill_form", "Answer the drill", (field,), context=ctx.action_arg))

    async def skip(ctx: Context) -> Reply:
        actor = ctx.event.actor
        return Reply.replace(Message(text=f"Skipped by {mention(actor)}.", mentions=[actor]))

    async def level(ctx: Context) -> Reply:
        assert isinstance(ctx.event, ActionPressed)
        return Reply.private_text(f"Level set to {', '.join(ctx.event.values)}.")

    async def submitted(ctx: Context) -> Reply:
        event = ctx.event
        assert isinstance(event, FormSubmitted)
        text = f"{mention(event.actor)} answered {event.context}: {event.fields['answer']}"
        return Reply.public(Message(text=text, mentions=[event.actor]))

    async def echo(ctx: Context) -> Reply:
        return Reply.public(Message(title=ctx.args["text"], text=ctx.args["text"]))

    async def private(ctx: Context) -> Reply:
        return Reply(Message(text="private drill", buttons=[Button("Skip", "drill_skip:q9")]))

    async def admin_only(ctx: Context) -> Reply:
        return Reply.private_text("Admin drill ready.")

    async def listen(ctx: Context) -> Reply | None:
        event = ctx.event
        if isinstance(event, MessagePosted):
            seen.append(event.text)
            where = "DM" if event.is_direct else "thread"
            return Reply.public(Message(text=f"Noted in {where}: {event.text}"))
        if isinstance(event, ReactionAdded):
            seen.append(f":{event.emoji}:")
            return Reply.private_text(f"You reacted :{event.emoji}:")
        return None

    return Feature(
        name="Drill",
        commands=[
            CommandSpec("drill start", "Post a drill.", start, public=True),
            CommandSpec(
                "drill echo", "Show text.", echo, options=(Option("text", "t", required=True),)
            ),
            CommandSpec("drill admin", "Admins only.", admin_only, admin=True),
            CommandSpec("drill private", "A private message with a button.", private),
        ],
        actions=[
            ActionSpec("drill", answer, opens_form=True),
            ActionSpec("drill_skip", skip),
            ActionSpec("drill_level", level),
        ],
        forms=[FormSpec("drill_form", submitted)],
        listeners=[ListenerSpec("drill notes", listen)],
    )


@pytest.fixture
def seen() -> list[str]:
    return []


@pytest.fixture
async def slack(sqlite_url: str, clock: FakeClock, seen: list[str]) -> AsyncIterator[SlackDriver]:
    async with slack_bot(sqlite_url, clock, features=[drill_feature(seen)]) as driver:
        yield driver


def only(sent: list, kind: str):  # type: ignore[no-untyped-def]
    found = [s for s in sent if s.kind == kind]
    assert len(found) == 1, [(s.kind, s.readable) for s in sent]
    return found[0]


async def test_help_lists_every_declared_command_in_slack_spelling(slack: SlackDriver) -> None:
    reply = only(await slack.slash("help", user=ALICE), "ephemeral")
    assert reply.user == ALICE.id and reply.via == "response_url"
    for name, spec in slack.app.services.registry.commands.items():
        if not spec.admin:
            assert f"`/studybot {name}`" in reply.readable
    assert "`/studybot drill admin`" not in reply.readable  # admins only
    bare = only(await slack.slash("", user=ALICE), "ephemeral")
    assert bare.readable == reply.readable
    # One auth.test at start; bolt does not ask again on the first request.
    assert len(slack.fake.calls_to("auth.test")) == 1


async def test_timezone_is_stored_then_shown_by_me(slack: SlackDriver) -> None:
    out = await slack.slash("me timezone", zone="Europe/Berlin", user=ALICE)
    assert only(out, "ephemeral").readable == "Your timezone is now Europe/Berlin."
    profile = only(await slack.slash("me", user=ALICE), "ephemeral")
    assert "*Timezone*: Europe/Berlin" in profile.readable
    assert profile.blocks[0] == {
        "type": "header", "text": {"type": "plain_text", "text": "alice", "emoji": True}
    }
    other = only(await slack.slash("me", user=BOB), "ephemeral")
    assert "*Timezone*: UTC (channel default)" in other.readable


async def test_bad_input_gets_a_polite_private_answer(slack: SlackDriver) -> None:
    cases = {
        "me leaderboard show:maybe": "`show` must be one of on, off (got `maybe`).",
        "me timezone": "`zone` is required. Usage: `/studybot me timezone zone:string`",
        "me timezone zone:Mars/Base": "`Mars/Base` is not a timezone I know.",
        "fly away": "I don't know the command `/studybot fly away`. Try `/studybot help`.",
        'help command:"unclosed': "check the quotes",
    }
    for line, expected in cases.items():
        reply = only(await slack.slash(line, user=BOB), "ephemeral")
        assert expected in reply.readable, (line, reply.readable)
    assert not [s for s in slack.sent if s.kind == "message"]


async def test_admin_commands_follow_slack_admin_status(slack: SlackDriver) -> None:
    refused = only(await slack.slash("drill admin", user=ALICE), "ephemeral")
    assert "Only workspace admins" in refused.readable
    allowed = only(await slack.slash("drill admin", user=CAROL), "ephemeral")
    assert allowed.readable == "Admin drill ready."
    # users.info is asked once per member, then cached for a while.
    asked = [c.args["user"] for c in slack.fake.calls_to("users.info")]
    assert sorted(asked) == [ALICE.id, CAROL.id]


async def test_buttons_select_and_form(slack: SlackDriver) -> None:
    post = only(await slack.slash("drill start", user=ALICE), "message")
    assert post.channel == STUDY and post.thread_ts is None
    assert post.metadata == {"event_type": "studybot_post", "event_payload": {"marker": "drill-q1"}}
    assert post.readable.splitlines() == [
        "Drill: bias-variance",
        "Explain the trade-off.",
        "• bias",
        "• variance",
        "*Topic*: core ML",
        "*Level*: 2",
        "[Answer] [Skip]",
        "{Level: Easy | Hard}",
        "Day 1 of 42",
    ]
    assert post.button("Answer")["style"] == "primary"

    chosen = only(await slack.choose(post, "Hard", user=BOB), "ephemeral")
    assert (chosen.user, chosen.readable) == (BOB.id, "Level set to hard.")

    opened = only(await slack.press(post, "Answer", user=BOB), "view")
    assert opened.user == BOB.id and opened.view is not None
    assert opened.view["title"]["text"] == "Answer the drill"
    assert "<input answer: Your answer>" in opened.readable

    answered = only(await slack.submit_form({"answer": "more data, less variance"}, user=BOB),
                    "message")
    assert answered.channel == STUDY
    assert answered.readable == "<@U0BOB> answered q1: more data, less variance"

    edited = only(await slack.press(post, "Skip", user=ALICE), "update")
    assert (edited.channel, edited.ts) == (STUDY, post.ts)
    assert edited.readable == "Skipped by <@U0ALICE>."
    assert slack.fake.message(STUDY, post.ts)["text"] == "Skipped by <@U0ALICE>."  # type: ignore[index]


async def test_a_public_answer_where_the_bot_is_not_invited_is_shown_privately(
    slack: SlackDriver,
) -> None:
    shown = only(await slack.slash("drill start", channel=LOUNGE, user=ALICE), "ephemeral")
    assert shown.user == ALICE.id and "Drill: bias-variance" in shown.readable
    assert shown.readable.endswith("Invite me with /invite @StudyBot to post here.")


async def test_a_form_opened_too_late_gets_an_apology(slack: SlackDriver) -> None:
    post = only(await slack.slash("drill start"), "message")
    slack.fake.trigger_seconds = -1  # every trigger_id has expired by the time it is used
    late = only(await slack.press(post, "Answer", user=BOB), "ephemeral")
    assert late.readable == "That took too long to open; please try again."


async def test_without_users_info_nobody_is_admin(slack: SlackDriver) -> None:
    slack.fake.fail_next("users.info", 503, times=4)  # the first try and every retry
    refused = only(await slack.slash("drill admin", user=CAROL), "ephemeral")
    assert "Only workspace admins" in refused.readable
    allowed = only(await slack.slash("drill admin", user=CAROL), "ephemeral")
    assert allowed.readable == "Admin drill ready."  # not cached while Slack failed


async def test_socket_mode_reconnects_when_slack_asks(slack: SlackDriver) -> None:
    await slack.fake.socket.disconnect()
    await slack.fake.socket.wait_for_connections(2)
    assert len(slack.fake.calls_to("apps.connections.open")) == 2
    reply = only(await slack.slash("help"), "ephemeral")
    assert "`/studybot help`" in reply.readable


async def test_a_button_on_a_private_reply_edits_it_through_the_response_url(
    slack: SlackDriver,
) -> None:
    private = only(await slack.slash("drill private", user=ALICE), "ephemeral")
    assert private.readable == "private drill\n[Skip]"
    edited = only(await slack.press(private, "Skip", user=ALICE), "update")
    assert edited.via == "response_url" and edited.readable == "Skipped by <@U0ALICE>."
    assert not slack.fake.calls_to("chat.update")  # an ephemeral message has no ts to update


async def test_thread_messages_dms_and_reactions_reach_listeners(
    slack: SlackDriver, seen: list[str]
) -> None:
    post = only(await slack.slash("drill start"), "message")
    assert await slack.say("just chatting at the top level") == []  # not for the bot

    noted = only(await slack.say("my answer: regularise", user=BOB, thread=post), "message")
    assert (noted.channel, noted.thread_ts) == (STUDY, post.ts)
    assert noted.readable == "Noted in thread: my answer: regularise"

    dm = only(await slack.dm("hello bot", user=ALICE), "message")
    assert dm.channel == slack.fake.dm_channel(ALICE.id) and dm.thread_ts is None
    assert dm.readable == "Noted in DM: hello bot"

    reacted = only(await slack.react(post, "fire", user=BOB), "ephemeral")
    assert (reacted.user, reacted.readable) == (BOB.id, "You reacted :fire:")
    assert seen == ["my answer: regularise", "hello bot", ":fire:"]


async def test_a_redelivered_event_is_handled_once(slack: SlackDriver, seen: list[str]) -> None:
    post = only(await slack.slash("drill start"), "message")
    first = await slack.say("answer once", user=BOB, thread=post)
    again = await slack.redeliver()
    assert len(first) == 1 and again == []
    assert seen == ["answer once"]
    envelope = slack.fake.socket.envelopes[-1]
    assert envelope["retry_attempt"] == 1 and envelope["retry_reason"] == "timeout"
    duplicates = slack.dispatcher.metrics.registry.get_sample_value(
        "studybot_events_total",
        {"platform": "slack", "kind": "MessagePosted", "outcome": "duplicate"},
    )
    assert duplicates == 1
    async with slack.app.store.session() as session:
        rows = await session.scalar(
            select(func.count()).select_from(ProcessedEvent).where(
                ProcessedEvent.delivery_id.like("slack:Ev%")
            )
        )
    assert rows == 1


async def test_other_events_are_acked_and_ignored(slack: SlackDriver, seen: list[str]) -> None:
    post = only(await slack.slash("drill start"), "message")
    base = {"channel": STUDY, "ts": slack.fake.new_ts(), "thread_ts": post.ts, "team": "T0STUDY",
            "channel_type": "channel"}
    edited = {"type": "message", "subtype": "message_changed", **base,
              "message": {"text": "edited", "user": BOB.id}}
    from_bot = {"type": "message", "bot_id": "B0OTHER", "user": "U0OTHERBOT", "text": "beep",
                **base}
    from_us = {"type": "message", "bot_id": "B0BOT", "user": "U0BOT", "text": "ours", **base}
    joined = {"type": "member_joined_channel", "user": BOB.id, "channel": STUDY}
    for event in (edited, from_bot, from_us, joined):
        assert await slack.event(event) == []
    assert seen == []
    assert all(ack.payload is None for ack in slack.fake.socket.acks.values())


async def test_home_tab_shows_the_members_profile(slack: SlackDriver) -> None:
    await slack.slash("me timezone", zone="Asia/Kolkata", user=ALICE)
    home = only(await slack.open_home(user=ALICE), "home")
    assert home.user == ALICE.id and home.view is not None and home.view["type"] == "home"
    assert "*Timezone*: Asia/Kolkata" in home.readable
    assert "`/studybot help`" in home.readable
    assert await slack.redeliver() == []  # the same app_home_opened again: no second publish


async def test_member_text_never_pings(slack: SlackDriver) -> None:
    text = "<!channel> <!here|here> <!subteam^S123> <@U0BOB> & <b>"
    out = only(await slack.slash("drill echo", text=text, user=ALICE), "message")
    assert out.readable.splitlines()[0] == out.readable.splitlines()[1] == (
        "&lt;!channel&gt; &lt;!here|here&gt; &lt;!subteam^S123&gt; @U0BOB &amp; &lt;b&gt;"
    )
    assert out.blocks[0]["text"]["text"].startswith("&lt;!channel&gt;")
    assert "<!" not in out.text and "<@" not in out.text
    assert slack.fake.pings == []


async def test_the_ack_is_sent_before_the_work(sqlite_url: str, clock: FakeClock) -> None:
    gate = asyncio.Event()
    async with slack_bot(sqlite_url, clock, features=[drill_feature([], gate)]) as slack:
        fake = slack.fake
        envelope = await fake.socket.push("slash_commands", {
            "team_id": "T0STUDY", "channel_id": STUDY, "channel_name": "study",
            "user_id": ALICE.id, "user_name": "alice", "command": "/studybot",
            "text": "drill start", "response_url": fake.issue_response_url(STUDY, ALICE.id),
            "trigger_id": fake.issue_trigger(ALICE.id),
        })
        ack = await fake.socket.ack_of(envelope)  # acked while the handler is still waiting
        assert ack.latency < 1 and not [s for s in fake.sent if s.kind == "message"]
        gate.set()
        await slack.adapter.idle()
        assert [s.kind for s in fake.sent] == ["message"]


@pytest.mark.parametrize("which", ["slack_bot_token", "slack_app_token"])
async def test_a_refused_token_is_a_configuration_error(
    sqlite_url: str, clock: FakeClock, which: str
) -> None:
    fake = FakeSlack(clock.now)
    await fake.start()
    try:
        revoked = {"slack_bot_token": "xoxb-revoked", "slack_app_token": "xapp-revoked"}
        settings = slack_settings(sqlite_url, fake.api_url).model_copy(
            update={which: revoked[which]}
        )
        app = build_app(settings, clock)
        adapter = SlackAdapter(app.dispatcher, settings, tuning=TEST_TUNING)
        with pytest.raises(ConfigError, match="Slack refused SLACK_"):
            await adapter.start()
        assert not adapter.connected
        await app.store.close()
    finally:
        await fake.stop()
