"""Buttons, selects and forms on Discord: persistent, and answered within 3 seconds."""

from __future__ import annotations

import asyncio

from bot.adapters.discord.adapter import DiscordTuning
from bot.clock import FakeClock
from bot.core.context import Context
from bot.core.events import ActionPressed, FormSubmitted
from bot.core.ui import Button, ButtonStyle, Form, FormField, Message, Reply, Select, SelectOption
from commands.spec import ActionSpec, CommandSpec, Feature, FormSpec
from tests.adapters.discord_driver import TEST_TUNING, discord_bot, fake_discord
from tests.fakes.discord_rest import ALICE, BOB

RELEASE: dict[str, asyncio.Event] = {}


def card(note: str = "") -> Message:
    return Message(
        title="Question 7",
        text="What is the bias-variance trade-off?" + (f"\n{note}" if note else ""),
        buttons=[
            Button("Answer", "card.answer:q7", ButtonStyle.PRIMARY),
            Button("Hint", "card.hint:q7"),
            Button("Slow", "card.slow:q7"),
        ],
        select=Select("card.level:q7", (SelectOption("Easy", "easy"), SelectOption("Hard", "hard")),
                      placeholder="How hard was it?"),
    )


async def show_card(ctx: Context) -> Reply:
    return Reply.public(card())


async def open_answer(ctx: Context) -> Reply:
    return Reply.open(Form(
        "card.answer", "Your answer",
        (FormField("answer", "Your answer", multiline=True), FormField("confidence", "Sure?",
                                                                        required=False)),
        context=ctx.action_arg,
    ))


async def hint(ctx: Context) -> Reply:
    who = ctx.event.actor.name
    return Reply.replace(card(note=f"_Hint shown to {who}: think about overfitting._"))


async def slow(ctx: Context) -> Reply:
    await RELEASE["slow"].wait()
    return Reply.replace(card(note="slowly updated"))


async def level(ctx: Context) -> Reply:
    event = ctx.event
    assert isinstance(event, ActionPressed)
    return Reply.private_text(f"Noted: {', '.join(event.values)} for {ctx.action_arg}.")


async def answered(ctx: Context) -> Reply:
    event = ctx.event
    assert isinstance(event, FormSubmitted)
    return Reply.private_text(
        f"Saved your answer to {event.context}: {event.fields['answer']!r} "
        f"(sure: {event.fields.get('confidence') or '-'})"
    )


CARDS = Feature(
    name="Cards (test)",
    commands=[CommandSpec("card", "Show a question card.", show_card, public=True)],
    actions=[
        ActionSpec("card.answer", open_answer, opens_form=True),
        ActionSpec("card.hint", hint),
        ActionSpec("card.slow", slow),
        ActionSpec("card.level", level),
    ],
    forms=[FormSpec("card.answer", answered)],
)


async def test_buttons_select_and_form(sqlite_url: str, clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock, features=[CARDS]) as driver:
        shown = await driver.slash("card")
        post = shown.message
        assert not post.ephemeral and post.buttons == ["Answer", "Hint", "Slow"]
        assert post.button("Answer")["custom_id"] == "sb:card.answer:q7"
        assert post.button("Answer")["style"] == 1
        assert post.select()["custom_id"] == "sb:card.level:q7"

        opened = await driver.press(post, "Answer", user=BOB)
        assert opened.kind == 9 and opened.modal is not None
        assert opened.modal["title"] == "Your answer"
        saved = await driver.submit_form(opened, {"answer": "Simple models underfit."})
        assert saved.ephemeral
        assert saved.text == "Saved your answer to q7: 'Simple models underfit.' (sure: -)"

        edited = await driver.press(post, "Hint", user=BOB)
        assert edited.kind == 7 and edited.message.id == post.id
        assert "Hint shown to Bob" in driver.fake.messages[post.id].text

        chosen = await driver.choose(post, "Hard", user=ALICE)
        assert chosen.ephemeral and chosen.text == "Noted: hard for q7."


async def test_a_slow_button_is_deferred_then_the_message_is_edited(sqlite_url: str,
                                                                    clock: FakeClock) -> None:
    tuning = DiscordTuning(**{**TEST_TUNING.__dict__, "defer_after": 0.1})
    async with discord_bot(sqlite_url, clock, features=[CARDS], tuning=tuning) as driver:
        post = (await driver.slash("card")).message
        RELEASE["slow"] = asyncio.Event()
        target = post.button("Slow")
        interaction = await driver.fake.interact(
            3, {"custom_id": target["custom_id"], "component_type": 2}, BOB, post.channel_id,
            post.id,
        )
        await asyncio.wait_for(interaction.answered.wait(), 5)
        assert interaction.response_type == 6  # deferred update: no "thinking" message
        RELEASE["slow"].set()
        await driver.answer_of(interaction)
        assert "slowly updated" in driver.fake.messages[post.id].text
        assert driver.fake.requests("PATCH", r"/webhooks/.*/messages/@original")


async def test_buttons_keep_working_after_a_restart(sqlite_url: str, clock: FakeClock) -> None:
    async with fake_discord() as fake:
        async with discord_bot(sqlite_url, clock, features=[CARDS], fake=fake) as driver:
            post = (await driver.slash("card")).message
        # A new process: nothing in memory knows this message, only its custom ids.
        async with discord_bot(sqlite_url, clock, features=[CARDS], fake=fake) as driver:
            opened = await driver.press(post, "Answer", user=BOB)
            saved = await driver.submit_form(opened, {"answer": "Still here."})
            assert "Still here." in saved.text
            chosen = await driver.choose(post, "Easy", user=BOB)
            assert chosen.text == "Noted: easy for q7."


async def test_a_form_opened_before_a_restart_is_still_accepted(sqlite_url: str,
                                                                clock: FakeClock) -> None:
    async with fake_discord() as fake:
        async with discord_bot(sqlite_url, clock, features=[CARDS], fake=fake) as driver:
            post = (await driver.slash("card")).message
            opened = await driver.press(post, "Answer", user=BOB)
        async with discord_bot(sqlite_url, clock, features=[CARDS], fake=fake) as driver:
            saved = await driver.submit_form(opened, {"answer": "Typed during the restart."})
            assert saved.text.startswith("Saved your answer to q7")


async def test_a_button_nobody_declares_any_more_answers_politely(sqlite_url: str,
                                                                  clock: FakeClock) -> None:
    async with fake_discord() as fake:
        async with discord_bot(sqlite_url, clock, features=[CARDS], fake=fake) as driver:
            post = (await driver.slash("card")).message
        async with discord_bot(sqlite_url, clock, fake=fake) as driver:
            gone = await driver.press(post, "Hint")
            assert gone.ephemeral and gone.text == "That button no longer does anything."
