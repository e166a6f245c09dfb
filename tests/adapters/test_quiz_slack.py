"""Quizzes on Slack, through the fake Slack: ephemeral solo quizzes, races in the channel."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.packs.loader import load_many
from bot.packs.schema import Question
from commands.quiz.views import needs_form
from tests.adapters.slack_driver import ALICE, BOB, CAROL, STUDY, Member, SlackDriver, slack_bot
from tests.commands.quiz_support import right_text, write_pack, wrong_text
from tests.fakes.slack_api import Sent


def add_test_pack(slack: SlackDriver, folder: Path) -> None:
    """The quiz stories' own questions, next to the bundled packs."""
    (result,) = load_many(sorted(write_pack(folder).glob("*.yaml")))
    assert result.pack is not None
    slack.app.services.packs.bundled[result.pack.id] = result.pack


def on_screen(slack: SlackDriver, text: str) -> Question:
    found = [(text.rfind(q.prompt), q) for q in slack.app.services.packs.questions(None)
             if q.prompt in text]
    assert found, text
    return max(found, key=lambda pair: pair[0])[1]


def with_buttons(slack: SlackDriver, sent: list[Sent]) -> Sent:
    shown = [s for s in sent if s.elements()]
    assert shown, sent
    last = shown[-1]
    if last.kind == "update" and last.channel and last.ts:
        if slack.fake.message(last.channel, last.ts) is None:
            # An ephemeral message replaced through its response_url stays ephemeral: a press
            # on it comes from the ephemeral container (the driver keys on the kind).
            return replace(last, kind="ephemeral")
    return last


async def answer(slack: SlackDriver, message: Sent, q: Question, *, right: bool,
                 user: Member) -> list[Sent]:
    """Press the letter, or open the form and type the answer (as the member would)."""
    text = right_text(q) if right else wrong_text(q)
    if not needs_form(q):
        return await slack.press(message, text, user=user)
    opened = await slack.press(message, "Answer", user=user)
    if not any(s.kind == "view" for s in opened):
        return opened  # refused before a form opened
    return await slack.submit_form({"answer": text}, user=user)


def readable(sent: list[Sent]) -> str:
    return "\n".join(s.readable for s in sent)


async def test_a_private_quiz_is_ephemeral_and_moves_on(
    sqlite_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    async with slack_bot(sqlite_url, clock) as slack:
        add_test_pack(slack, tmp_path / "packs")
        shown = await slack.slash("quiz", user=ALICE, topic="general", difficulty="easy",
                                  count="3")
        first = with_buttons(slack, shown)
        assert first.kind == "ephemeral" and first.user == ALICE.id
        q1 = on_screen(slack, first.readable)

        out = await answer(slack, first, q1, right=True, user=ALICE)
        second = with_buttons(slack, out)
        assert "✅ Correct!" in second.readable and "Question 2/3" in second.readable
        assert all(s.kind != "message" for s in out), "nothing of a solo quiz is public"
        q2 = on_screen(slack, second.readable)

        out = await answer(slack, second, q2, right=False, user=ALICE)
        assert f"❌ Not quite. The answer: {q2.answer_text()}." in readable(out)
        await slack.dispatcher.drain()

        await slack.app.scheduler.run_due(clock.now() + timedelta(seconds=61))
        await slack.dispatcher.drain()
        private = [s for s in slack.sent if s.user == ALICE.id and "Score: 1 of 3" in s.readable]
        assert private and private[-1].kind == "ephemeral"
        assert q2.explanation in readable(slack.sent[-3:])

        typed = await slack.slash("quiz", user=ALICE, topic="general", difficulty="medium",
                                  count="1")
        q = on_screen(slack, readable(typed))
        opened = await slack.press(with_buttons(slack, typed), "Answer", user=ALICE)
        assert any(s.kind == "view" for s in opened)
        typo = {"t-short-chair": "Chiar", "t-short-clip": "gradiant cliping"}[q.id]
        done = await slack.submit_form({"answer": typo}, user=ALICE)
        assert "✅ Correct!" in readable(done) and "Score: 1 of 1" in readable(done)


async def test_a_race_in_the_channel_with_late_presses_and_stop_rules(
    sqlite_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    async with slack_bot(sqlite_url, clock) as slack:
        add_test_pack(slack, tmp_path / "packs")
        started = await slack.slash("quiz race", user=BOB, topic="general", count="3")
        await slack.dispatcher.drain()
        assert any(s.kind == "message" and "started a race" in s.readable for s in slack.sent)
        post = [s for s in slack.sent if s.kind == "message" and s.elements()][-1]
        assert post.channel == STUDY and started
        q1 = on_screen(slack, post.readable)

        wrong = await answer(slack, post, q1, right=False, user=CAROL)
        assert "❌ Not quite" in readable(wrong)
        won = await answer(slack, post, q1, right=True, user=ALICE)
        assert "you were first! +2 points" in readable(won)
        await slack.dispatcher.drain()
        updates = [s for s in slack.sent if s.kind == "update" and s.ts == post.ts]
        assert updates and "(closed)" in updates[-1].readable
        late = await answer(slack, post, q1, right=True, user=BOB)
        assert "Question 1 is closed already" in readable(late)
        nxt = [s for s in slack.sent if s.kind == "message" and s.elements()][-1]
        assert "Question 2/3" in nxt.readable and "Scoreboard" in nxt.readable

        refused = await slack.slash("quiz stop", user=ALICE)
        assert "who started this race, or an admin" in readable(refused)
        stopped = await slack.slash("quiz stop", user=CAROL)
        assert "You stopped the race" in readable(stopped)
        await slack.dispatcher.drain()
        final = [s for s in slack.sent if s.kind == "message"][-1]
        assert "Race stopped by" in final.readable and "with 1" in final.readable
