"""The Slack adapter's pure parts: text safety, Block Kit limits, payload translation, the
command line, and the manifests in deploy/ (checked against the code that uses them)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.adapters.slack import inbound
from bot.adapters.slack.files import trusted
from bot.adapters.slack.manifest import (
    EVENT_SCOPES,
    FEATURE_SCOPES,
    METHOD_SCOPES,
    PLACEHOLDER_URL,
    bot_scopes,
    build_manifest,
    manifest_yaml,
)
from bot.adapters.slack.mrkdwn import clip, parse_command, to_mrkdwn, to_plain
from bot.adapters.slack.render import (
    FormOrigin,
    fallback_text,
    form_view,
    message_blocks,
    post_metadata,
)
from bot.core.errors import UserError
from bot.core.ids import Platform, UserRef, WorkspaceRef
from bot.core.ui import Button, Field, Form, FormField, Image, Message, Select, SelectOption
from commands import all_features
from commands.spec import Registry

ROOT = Path(__file__).resolve().parents[2]
WS = WorkspaceRef(Platform.SLACK, "T0STUDY")
ALICE = UserRef(WS, "U0ALICE", "alice")


# --- text safety ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<!channel> look", "&lt;!channel&gt; look"),
        ("<!here> <!everyone>", "&lt;!here&gt; &lt;!everyone&gt;"),
        ("<!subteam^S1|@ml>", "&lt;!subteam^S1|@ml&gt;"),
        ("<!date^1^{date}|x>", "&lt;!date^1^{date}|x&gt;"),
        ("a & b < c > d", "a &amp; b &lt; c &gt; d"),
        ("&lt;!channel&gt;", "&amp;lt;!channel&amp;gt;"),  # already-escaped text stays literal
        # A URL becomes a plain link; the member's own link markup stays literal text.
        ("<https://evil.example|click> me", "&lt;<https://evil.example>|click&gt; me"),
        ("hi <@U0BOB> and <@U0EVE|eve>", "hi @U0BOB and @eve"),  # not listed: no ping
    ],
)
def test_member_text_cannot_ping_or_inject_markup(text: str, shown: str) -> None:
    assert to_mrkdwn(text) == shown


def test_only_listed_mentions_ping() -> None:
    text = "<@U0ALICE> pairs with <@U0BOB>"
    assert to_mrkdwn(text, ["U0ALICE"]) == "<@U0ALICE> pairs with @U0BOB"
    assert to_plain(text) == "@U0ALICE pairs with @U0BOB"


def test_markdown_subset_becomes_mrkdwn() -> None:
    text = "**Daily** question, _think_ first:\n- `L2` loss\n* see https://ex.com/a?b=1&c=2."
    assert to_mrkdwn(text) == (
        "*Daily* question, _think_ first:\n• `L2` loss\n"
        "• see <https://ex.com/a?b=1&amp;c=2>."
    )
    assert to_mrkdwn("`/daily setup` and `/studybot help` and `**x**` - y") == (
        "`/studybot daily setup` and `/studybot help` and `**x**` - y"
    )
    assert to_mrkdwn("```\n- a <b>\n**c**```") == "```\n- a &lt;b&gt;\n**c**```"


def test_clip_never_cuts_an_entity_or_a_link() -> None:
    assert clip("ab &amp; cd", 6) == "ab …"
    assert clip("see <https://example.com/x>", 12) == "see …"
    assert clip("short", 10) == "short"


# --- Block Kit ------------------------------------------------------------------------------


def test_message_blocks_respect_slack_limits() -> None:
    message = Message(
        title="T" * 200,
        text="line\n" * 1500,
        fields=[Field(f"f{i}", "v" * 2100) for i in range(12)] + [Field("wide", "w", False)],
        buttons=[Button(f"B{i}", f"b:{i}") for i in range(30)],
        select=Select("s", tuple(SelectOption(f"o{i}", f"v{i}") for i in range(120)), max_values=3),
        footer="end",
    )
    blocks = message_blocks(message)
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) == 150
    sections = [b for b in blocks if b["type"] == "section"]
    assert all(len(b["text"]["text"]) <= 3000 for b in sections if "text" in b)
    assert all(len(b.get("fields", [])) <= 10 for b in sections)
    assert all(len(f["text"]) <= 2000 for b in sections for f in b.get("fields", []))
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(b["elements"]) for b in actions] == [25, 5, 1]
    select = actions[-1]["elements"][0]
    assert select["type"] == "multi_static_select" and len(select["options"]) == 100
    assert select["max_selected_items"] == 3
    assert blocks[-1] == {"type": "context", "elements": [
        {"type": "mrkdwn", "text": "end", "verbatim": True}]}


def test_a_very_long_message_keeps_its_buttons() -> None:
    message = Message(fields=[Field(f"f{i}", "v", False) for i in range(80)],
                      buttons=[Button("Answer", "a:1")], footer="f")
    blocks = message_blocks(message)
    assert len(blocks) == 50
    assert [b["type"] for b in blocks[-3:]] == ["context", "actions", "context"]
    assert "too long" in blocks[-3]["elements"][0]["text"]


def test_image_note_and_fallback_and_metadata() -> None:
    message = Message(text="**Chart**", image=Image("c.png", b"x", "a <b> chart"), marker="m1",
                      mentions=[ALICE])
    assert message_blocks(message)[-1]["elements"][0]["text"] == "(image: a &lt;b&gt; chart)"
    assert len(message_blocks(message, image_note=False)) == 1
    assert fallback_text(message) == "*Chart*"
    assert post_metadata(message) == {"event_type": "studybot_post",
                                      "event_payload": {"marker": "m1"}}
    assert post_metadata(Message(text="x")) is None


def test_form_view_and_its_metadata_round_trip() -> None:
    form = Form(
        "daily_answer", "Answer today's question, please",
        (FormField("answer", "Answer", multiline=True, max_length=4000, placeholder="p"),
         FormField("confidence", "Confidence", required=False, default="3")),
        context="q42",
    )
    origin = FormOrigin("daily_answer", "q42", "C0STUDY", "1.1", "1.2", False)
    view = form_view(form, origin)
    assert view["title"]["text"] == "Answer today's question…"
    assert len(view["title"]["text"]) <= 24
    first, second = view["blocks"]
    assert first["element"]["max_length"] == 3000 and first["element"]["multiline"] is True
    assert second["optional"] is True and second["element"]["initial_value"] == "3"
    assert FormOrigin.load(view["private_metadata"]) == origin
    assert FormOrigin.load("not json") == FormOrigin("")


# --- inbound payloads -------------------------------------------------------------------------


def test_command_text_is_parsed_like_the_console() -> None:
    assert parse_command("") == ("help", {})
    assert parse_command("daily setup time:09:00") == ("daily setup", {"time": "09:00"})
    assert parse_command('help command:"me timezone"') == ("help", {"command": "me timezone"})
    assert parse_command("help command:\u201cme timezone\u201d") == (
        "help", {"command": "me timezone"})
    assert parse_command("pair with:&lt;@U0BOB|bob&gt; note:a&amp;b") == (
        "pair", {"with": "<@U0BOB|bob>", "note": "a&b"})
    with pytest.raises(UserError, match="check the quotes"):
        parse_command('help command:"open')


def test_every_declared_command_is_reachable_through_studybot() -> None:
    registry = Registry(all_features())
    for name, spec in registry.commands.items():
        words, _ = parse_command(name)
        assert registry.command_for(words.split())[0] is spec


def test_delivery_ids_are_stable_per_thing_delivered() -> None:
    command = {"team_id": "T0STUDY", "user_id": "U0ALICE", "channel_id": "C1", "text": "me",
               "trigger_id": "7.7", "channel_name": "directmessage"}
    event = inbound.command_event(command, ALICE)
    assert event.delivery_id == "slack:cmd:7.7" and event.channel is not None
    assert event.channel.name == "" and event.name == "me"
    action = {"type": "block_actions", "user": {"id": "U0ALICE"}, "team": {"id": "T0STUDY"},
              "container": {"message_ts": "5.5", "channel_id": "C1", "is_ephemeral": False},
              "message": {"ts": "5.5", "thread_ts": "4.4"},
              "actions": [{"action_id": "quiz:3", "action_ts": "9.9",
                           "selected_option": {"value": "b"}}]}
    pressed = inbound.action_event(action, ALICE)
    assert pressed.delivery_id == "slack:action:U0ALICE:9.9" and pressed.values == ("b",)
    assert pressed.message is not None and pressed.message.thread is not None
    assert pressed.message.thread.id == "4.4"
    view = {"type": "view_submission", "user": {"id": "U0ALICE"},
            "view": {"id": "V1", "hash": "h1", "private_metadata": FormOrigin("f", "c").dump(),
                     "state": {"values": {"a": {"a": {"value": "text"}}}}}}
    form = inbound.submission_event(view, ALICE)
    assert (form.delivery_id, form.form_id, form.context, form.fields) == (
        "slack:view:V1:h1", "f", "c", {"a": "text"})
    message = {"event_id": "Ev1", "team_id": "T0STUDY", "event": {
        "type": "message", "user": "U0ALICE", "channel": "D1", "ts": "2.2",
        "channel_type": "im", "text": "a &lt; b"}}
    posted = inbound.message_event(message, ALICE)
    assert (posted.delivery_id, posted.text, posted.is_direct) == ("slack:Ev1", "a < b", True)


@pytest.mark.parametrize(
    ("event", "wanted"),
    [
        ({"user": "U1", "ts": "2", "thread_ts": "1", "channel_type": "channel"}, True),
        ({"user": "U1", "ts": "1", "thread_ts": "1", "channel_type": "channel"}, False),
        ({"user": "U1", "ts": "2", "channel_type": "channel"}, False),
        ({"user": "U1", "ts": "2", "channel_type": "im"}, True),
        ({"user": "U1", "ts": "2", "channel_type": "mpim"}, True),
        ({"user": "U1", "ts": "2", "channel_type": "im", "subtype": "message_changed"}, False),
        ({"user": "U1", "ts": "2", "channel_type": "im", "bot_id": "B1"}, False),
        ({"user": "U0BOT", "ts": "2", "channel_type": "im"}, False),
        ({"user": "U1", "ts": "2", "thread_ts": "1", "subtype": "thread_broadcast"}, True),
    ],
)
def test_which_messages_reach_the_core(event: dict[str, str], wanted: bool) -> None:
    assert inbound.is_member_message(event, "U0BOT") is wanted


# --- manifests --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["socket", "http"])
def test_deploy_manifests_match_the_code(mode: str) -> None:
    path = ROOT / "deploy" / f"slack-manifest-{mode}.yaml"
    assert path.read_text(encoding="utf-8") == manifest_yaml(mode), (  # type: ignore[arg-type]
        f"regenerate it: studybot slack manifest --mode {mode} > {path.relative_to(ROOT)}"
    )
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data == build_manifest(mode)  # type: ignore[arg-type]
    commands = data["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/studybot"]
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["settings"]["socket_mode_enabled"] is (mode == "socket")
    assert set(data["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened", "message.channels", "message.groups", "message.im",
        "message.mpim", "reaction_added",
    }
    urls = [commands[0].get("url"), data["settings"]["interactivity"].get("request_url"),
            data["settings"]["event_subscriptions"].get("request_url")]
    assert urls == ([PLACEHOLDER_URL] * 3 if mode == "http" else [None] * 3)


def test_scopes_are_exactly_what_the_methods_and_events_need() -> None:
    needed = {"commands"} | {s for v in METHOD_SCOPES.values() for s in v} | {
        s for v in EVENT_SCOPES.values() for s in v} | {
        s for v in FEATURE_SCOPES.values() for s in v}
    assert set(bot_scopes()) == needed
    assert "files:read" in needed  # the pack import form's file input, and its download
    assert "chat:write.public" not in needed and "users:read.email" not in needed


@pytest.mark.parametrize(
    ("url", "wanted"),
    [
        ("https://files.slack.com/files-pri/T1-F1/download/pack.yaml", True),
        ("http://files.slack.com/files-pri/T1-F1/download/pack.yaml", False),  # not HTTPS
        ("https://files.slack.com.evil.example/files-pri/x", False),
        ("https://evilslack.com/files-pri/x", False),
        ("http://127.0.0.1:8123/files-pri/T1-F1/download/pack.yaml", True),  # the API host
        ("http://127.0.0.1:9999/files-pri/T1-F1/download/pack.yaml", False),
        ("", False),
    ],
)
def test_the_bot_token_goes_only_to_slack_or_the_configured_api(url: str, wanted: bool) -> None:
    assert trusted(url, "http://127.0.0.1:8123/api/") is wanted
