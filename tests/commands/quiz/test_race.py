"""Races in a channel: first correct answer wins, one try each, scoreboards, stop rules, ties."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from bot.adapters.console.port import STUDY, WORKSPACE
from bot.clock import FakeClock
from bot.core.dispatch import SORRY
from bot.core.events import ActionPressed
from bot.core.ids import UserRef
from bot.core.ui import Reply
from bot.store.tables import PointsEntry
from commands.quiz.tables import QuizAnswer, QuizQuestion
from tests.commands.quiz_support import (
    action_ids,
    activities,
    answer_event,
    joined,
    ledger,
    person_id,
    reply,
    shown,
    start_bot,
)
from tests.harness import ConsoleBot


def text_of(reply_: Reply | None) -> str:
    assert reply_ is not None and reply_.message is not None
    return reply_.message.plain()


def position_of(bot: ConsoleBot) -> tuple[int, int]:
    quiz_id, position = action_ids(bot)[0].split(":")[1:3]
    return int(quiz_id), int(position)


async def test_a_race_story_first_correct_answer_wins_and_the_board_follows(
    bot: ConsoleBot,
) -> None:
    out = await bot.say("/quiz race topic:general count:2", as_="bob")
    text = joined(out)
    assert "[#study] == Quiz race! ==" in text and "bob started a race: 2 questions" in text
    assert "[#study] == Question 1/2" in text, "the question is posted in the channel"
    q1 = shown(bot, out)
    quiz_id, _ = position_of(bot)

    wrong = await reply(bot, q1, right=False, as_="carol")
    assert "[only carol] ❌ Not quite. That was your one try at question 1." in wrong
    again = await reply(bot, q1, right=True, as_="carol") if not q1.kind == "mcq" else (
        await bot.say("!press B", as_="carol")
    )
    assert "one try each" in joined(again), "a second try changes nothing"

    won = joined(await reply(bot, q1, right=True, as_="dave"))
    assert "[only dave] ✅ Correct, and you were first! +2 points." in won
    assert "(closed) ==" in won and "🏁 Question 1: dave was first." in won
    assert q1.explanation in won
    assert "[#study] == Question 2/2" in won and "Scoreboard: 1. dave: 1" in won
    q2 = shown(bot, won.splitlines())

    late = await bot.app.dispatcher.handle(
        answer_event(bot, q1, quiz_id, 1, "erin", right=True, delivery="erin-late")
    )
    assert text_of(late) == "Question 1 is closed already; question 2 is above."

    final = joined(await reply(bot, q2, right=True, as_="dave"))
    assert "[#study] == Race over ==" in final and "Winner: dave with 2." in final
    assert "Scoreboard: 1. dave: 2" in final

    assert await ledger(bot, "dave") == [("quiz_race_win", 2), ("quiz_race_win", 2)]
    assert await ledger(bot, "carol") == []
    carol = await activities(bot, "carol", "quiz_answer")
    assert [(a.topic, a.correct) for a in carol] == [("general", False)]
    assert await activities(bot, "dave", "quiz_finished") == [], "a race of 2 is too short"


async def test_one_race_per_channel_and_who_may_stop_it(bot: ConsoleBot) -> None:
    await bot.say("/quiz race topic:general count:3", as_="bob")
    busy = joined(await bot.say("/quiz race", as_="carol"))
    assert "A race is running in this channel already (question 1 of 3)" in busy

    refused = await bot.say("/quiz stop", as_="carol")
    assert refused == ["[only carol] Only bob, who started this race, or an admin can stop it."]
    still = joined(await reply(bot, shown(bot, bot.lines), right=True, as_="carol"))
    assert "you were first" in still, "the race went on"

    await bot.say("!as root --admin")
    out = joined(await bot.say("/quiz stop"))
    assert "[only root] You stopped the race; the final scoreboard is posted." in out
    assert "[#study] == Race stopped by root ==" in out and "Winner: carol with 1." in out
    assert "(closed) ==" in out and "Stopped by root. The answer:" in out

    await bot.say("/quiz race topic:general count:2", as_="bob")
    out = joined(await bot.say("/quiz stop", as_="bob"))
    assert "== Race stopped by bob ==" in out and "No winner this time." in out
    assert "Question 1/3" in joined(await bot.say("/quiz race topic:general count:3")), (
        "the channel is free again"
    )


async def test_unanswered_questions_time_out_and_an_empty_race_ends(bot: ConsoleBot) -> None:
    await bot.say("/quiz race topic:general count:5", as_="bob")
    out = joined(await bot.say("!time +61s"))
    assert "⏰ Question 1: nobody got it." in out and "[#study] == Question 2/5" in out
    out = joined(await bot.say("!time +10m"))
    assert out.count("(closed) ==") == 2 and "Question 4/5" not in out
    assert "== Race over: nobody answered for a while ==" in out
    assert "No winner this time." in out


async def test_a_finished_race_of_five_counts_for_everyone_who_took_part(
    bot: ConsoleBot,
) -> None:
    out = await bot.say("/quiz race topic:general count:5", as_="bob")
    await reply(bot, shown(bot, out), right=False, as_="carol")
    for _ in range(5):
        out = await reply(bot, shown(bot, bot.lines), right=True, as_="dave")
    assert "== Race over ==" in joined(out) and "Winner: dave with 5." in joined(out)
    assert len(await activities(bot, "dave", "quiz_finished")) == 1
    assert len(await activities(bot, "carol", "quiz_finished")) == 1
    assert await person_id(bot, "bob") and await activities(bot, "bob", "quiz_finished") == []
    assert [reason for reason, _ in await ledger(bot, "dave")] == ["quiz_race_win"] * 5


async def test_a_redelivered_winning_press_is_counted_once(bot: ConsoleBot) -> None:
    out = await bot.say("/quiz race topic:general count:2", as_="bob")
    q1 = shown(bot, out)
    quiz_id, _ = position_of(bot)
    event = answer_event(bot, q1, quiz_id, 1, "dave", right=True, delivery="gateway-7")
    assert "you were first" in text_of(await bot.app.dispatcher.handle(event))
    assert await bot.app.dispatcher.handle(event) is None
    await bot.app.dispatcher.drain()
    assert await ledger(bot, "dave") == [("quiz_race_win", 2)]
    assert joined(bot.lines).count("== Question 2/2") == 1


async def test_a_press_on_a_stale_button_of_an_old_race_is_answered(bot: ConsoleBot) -> None:
    await bot.say("/quiz race topic:general count:1", as_="bob")
    old = action_ids(bot)[0]
    await bot.say("/quiz stop", as_="bob")
    press = ActionPressed(delivery_id="late-1", actor=UserRef(WORKSPACE, "zoe", "zoe"),
                          channel=STUDY, action_id=old)
    assert "This quiz is over" in text_of(await bot.app.dispatcher.handle(press))
    bad = ActionPressed(delivery_id="bad-1", actor=UserRef(WORKSPACE, "zoe", "zoe"),
                        channel=STUDY, action_id="quiz.pick:x:1")
    assert text_of(await bot.app.dispatcher.handle(bad)) == "That button no longer works."


async def test_simultaneous_correct_answers_have_exactly_one_winner(
    any_db_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    """Many members press within the same instant: the database picks one winner, everyone
    gets an answer, and nobody is credited twice (SQLite and PostgreSQL)."""
    bot = await start_bot(any_db_url, clock, tmp_path)
    try:
        out = await bot.say("/quiz race topic:general count:2", as_="bob")
        q1 = shown(bot, out)
        quiz_id, _ = position_of(bot)
        members = [f"m{i:02}" for i in range(40)]
        events = [
            answer_event(bot, q1, quiz_id, 1, who, right=i % 3 != 0, delivery=f"press-{who}")
            for i, who in enumerate(members)
        ]
        events += events[:5]  # five deliveries arrive twice, at the same time
        replies = await asyncio.gather(*(bot.app.dispatcher.handle(e) for e in events))
        await bot.app.dispatcher.drain()

        for i in range(5):
            one, two = replies[i], replies[40 + i]
            if one is not None and two is not None:
                # Only a refusal stores nothing (not even the delivery): both get the same one.
                assert text_of(one) == text_of(two) and "closed already" in text_of(one)
            else:
                assert (one is None) != (two is None), "a redelivery is dropped"
            replies[i] = one or two
        texts = [text_of(r) for r in replies[:40]]
        assert SORRY not in texts
        firsts = [members[i] for i, t in enumerate(texts) if "you were first" in t]
        assert len(firsts) == 1, texts
        allowed = ("was faster", "Not quite", "Question 1 is closed already", "you were first")
        assert all(any(a in t for a in allowed) for t in texts), texts
        for i, t in enumerate(texts):
            if i % 3 == 0:
                assert "first" not in t and "faster" not in t, "a wrong answer never wins"

        winner = await person_id(bot, firsts[0])
        async with bot.app.store.session() as session:
            row = await session.scalar(
                select(QuizQuestion).where(QuizQuestion.session_id == quiz_id,
                                           QuizQuestion.position == 1)
            )
            assert row is not None and row.winner_person_id == winner
            wins = await session.scalar(
                select(func.count()).select_from(PointsEntry)
                .where(PointsEntry.reason == "quiz_race_win")
            )
            answers = await session.scalar(select(func.count()).select_from(QuizAnswer))
        assert wins == 1
        assert answers == sum(1 for t in texts if "closed already" not in t)
        assert joined(bot.lines).count("== Question 2/2") == 1, "the next question came once"
    finally:
        await bot.stop()
