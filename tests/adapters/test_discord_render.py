"""Rendering neutral messages and forms for Discord (pure, no network)."""

from __future__ import annotations

import re

import discord

from bot.adapters.discord.inbound import form_values
from bot.adapters.discord.render import (
    ACTION_TEMPLATE,
    carries_marker,
    emoji_for,
    emoji_name,
    encode_marker,
    form_custom_id,
    parse_form_custom_id,
    render_form,
    render_message,
)
from bot.core.ui import Button, Field, Form, FormField, Message


def test_form_ids_carry_any_context() -> None:
    form = Form("review:v2", "Review", (FormField("score", "Score"),), context="a:b|c 7")
    custom_id = form_custom_id(form)
    assert len(custom_id) <= 100
    assert parse_form_custom_id(custom_id) == ("review:v2", "a:b|c 7")
    assert parse_form_custom_id("someone-elses-modal") is None
    assert parse_form_custom_id("sbf:99:short") is None


async def test_buttons_get_unique_ids_that_the_template_reads_back() -> None:
    rendered = render_message(Message(text="Vote", buttons=[
        Button("Yes", "vote:1"), Button("Also yes", "vote:1"), *[
            Button(f"B{i}", f"b:{i}") for i in range(30)]
    ]))
    assert rendered.view is not None and rendered.view.is_finished()
    ids = [item.custom_id for item in rendered.view.children]  # type: ignore[attr-defined]
    assert ids[:2] == ["sb:vote:1", "sb.1:vote:1"] and len(ids) == 25
    assert [re.fullmatch(ACTION_TEMPLATE, i)["action"] for i in ids[:2]] == ["vote:1"] * 2


def test_markers_are_invisible_and_found_again() -> None:
    hidden = encode_marker("daily:42")
    assert hidden.strip("\u200b\u200c\u200d\u2060\u2063") == ""
    assert carries_marker("Good morning" + hidden, "daily:42")
    assert not carries_marker("Good morning" + hidden, "daily:43")


async def test_limits_and_mentions() -> None:
    long = render_message(Message(text="x" * 5000, marker="m"))
    assert long.content is not None and len(long.content) <= 2000
    embed = render_message(Message(title="T" * 300, text="y" * 5000,
                                   fields=[Field("", "")] * 30)).embed
    assert embed is not None and len(embed) <= 6000 and len(embed.fields) == 25
    assert embed.fields[0].name == "\u200b"
    none = render_message(Message(text="@everyone")).allowed_mentions
    assert none.to_dict() == {"parse": [], "users": []}


async def test_forms_become_modals() -> None:
    modal = render_form(Form("f", "A" * 60, (
        FormField("answer", "Your answer", multiline=True, max_length=9000),
        FormField("note", "Note", required=False, placeholder="optional"),
    )))
    data = modal.to_dict()
    assert data["custom_id"] == "sbf:1:f" and len(data["title"]) == 45
    inputs = [row["components"][0] for row in data["components"]]
    assert inputs[0]["style"] == discord.TextStyle.paragraph.value
    assert inputs[0]["max_length"] == 4000 and inputs[1]["required"] is False
    labelled = [{"type": 18, "component": {"type": 4, "custom_id": "answer", "value": "42"}}]
    assert form_values(labelled) == {"answer": "42"}


def test_emoji_names_both_ways() -> None:
    assert emoji_for("white_check_mark") == "✅" and emoji_for(":tada:") == "🎉"
    assert emoji_for("🔥") == "🔥" and emoji_for("party:123") == "party:123"
    assert emoji_name(discord.PartialEmoji(name="👍")) == "thumbsup"
    assert emoji_name(discord.PartialEmoji(name="🦄")) == "🦄"
    assert emoji_name(discord.PartialEmoji(name="party", id=123)) == "party:123"
