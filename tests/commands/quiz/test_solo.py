"""Solo quizzes through the console: private questions, verdicts, timeouts and the summary."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.adapters.console.port import STUDY, WORKSPACE
from bot.clock import FakeClock
from bot.core.events import ActionPressed
from bot.core.ids import UserRef
from bot.core.ui import Reply
from commands.quiz.tables import QuizAnswer
from tests.commands.quiz_support import (
    action_ids,
    activities,
    answer_event,
    joined,
    ledger,
    person_id,
    points,
    reply,
    right_text,
    shown,
)
from tests.harness import ConsoleBot


def press(who: str, action_id: str, delivery: str) -> ActionPressed:
    return ActionPressed(
        delivery_id=delivery, actor=UserRef(WORKSPACE, who, who), channel=STUDY,
        action_id=action_id,
    )


def text_of(reply: Reply | None) -> str:
    assert reply is not None and reply.message is not None
    return reply.message.plain()


async def test_right_wrong_and_timeout_then_a_summary_of_the_misses(bot: ConsoleBot) -> None:
    out = await bot.say("/quiz topic:general difficulty:easy count:3", as_="alice")
    assert all(line.startswith("[only alice]") for line in out), "a solo quiz is private"
    assert "Question 1/3 · General (imported trivia) · easy" in joined(out)
    q1 = shown(bot, out)

    out = await reply(bot, q1, right=True)
    assert "✅ Correct!" in joined(out)
    q2 = shown(bot, out)
    assert q2.id != q1.id and "Question 2/3" in joined(out)

    out = await reply(bot, q2, right=False)
    assert f"❌ Not quite. The answer: {q2.answer_text()}." in joined(out)
    q3 = shown(bot, out)

    out = joined(await bot.say("!time +61s"))
    assert "⏰ Time's up for question 3." in out
    assert "== Quiz finished ==" in out and "Score: 1 of 3. +1 points. What to review:" in out
    assert q2.explanation in out and "(you said A)" in out
    assert q3.explanation in out and "(time ran out)" in out
    assert q1.explanation not in out, "only misses are explained"

    assert await ledger(bot, "alice") == [("quiz_correct", 1)]
    answers = await activities(bot, "alice", "quiz_answer")
    assert [(a.topic, a.correct) for a in answers] == [("general", True), ("general", False)]
    assert await activities(bot, "alice", "quiz_finished") == [], "3 questions are too few"
    again = joined(await bot.say("/quiz topic:general difficulty:easy count:1"))
    assert "Question 1/1" in again, "the member is free for the next quiz"


async def test_a_finished_quiz_of_five_counts_once_even_when_its_last_press_is_redelivered(
    bot: ConsoleBot,
) -> None:
    out = await bot.say("/quiz start topic:general difficulty:easy count:5", as_="alice")
    for _ in range(4):
        out = await reply(bot, shown(bot, out), right=True)
    last = shown(bot, out)
    quiz_id, position = action_ids(bot, "alice")[0].split(":")[1:3]
    event = answer_event(bot, last, int(quiz_id), int(position), "alice", right=True,
                         delivery="slack-retry-1")
    first = await bot.app.dispatcher.handle(event)
    assert "Score: 5 of 5. +8 points. No misses!" in text_of(first)
    assert first is not None and first.edit and first.private
    assert await bot.app.dispatcher.handle(event) is None, "a redelivery is dropped"

    assert await points(bot, "alice") == 5 * 1 + 3
    assert [reason for reason, _ in await ledger(bot, "alice")].count("quiz_finished") == 1
    assert len(await activities(bot, "alice", "quiz_finished")) == 1
    assert len(await activities(bot, "alice", "quiz_answer")) == 5


async def test_presses_that_change_nothing_get_a_polite_private_answer(
    bot: ConsoleBot, clock: FakeClock
) -> None:
    out = await bot.say("/quiz topic:general difficulty:easy count:3", as_="alice")
    q1 = shown(bot, out)
    first_buttons = action_ids(bot, "alice")

    stranger = await bot.app.dispatcher.handle(press("bob", first_buttons[0], "bob-1"))
    assert "someone else's" in text_of(stranger)

    out = await reply(bot, q1, right=True, as_="alice")
    double = await bot.app.dispatcher.handle(press("alice", first_buttons[1], "alice-2"))
    assert text_of(double) == "Question 1 is closed already; question 2 is waiting for you."

    second_buttons = action_ids(bot, "alice")
    clock.advance(timedelta(seconds=90))  # past the deadline, before the job noticed
    late = await bot.app.dispatcher.handle(press("alice", second_buttons[0], "alice-3"))
    assert text_of(late) == "Time's up for question 2; the answer is on its way."

    out = await bot.say("!time +0s")
    assert "⏰ Time's up for question 2." in joined(out) and "Question 3/3" in joined(out)
    assert all(line.startswith("[only alice]") for line in out[:-1])
    stopped = joined(await bot.say("/quiz stop", as_="alice"))
    assert "== Quiz stopped ==" in stopped and "Score: 1 of 2 (3 planned)." in stopped
    over = await bot.app.dispatcher.handle(press("alice", action_ids(bot, "alice")[0], "a-4"))
    assert text_of(over) == "This quiz is over; start a new one with `/quiz`."

    assert await ledger(bot, "alice") == [("quiz_correct", 1)]
    async with bot.app.store.session() as session:
        stored = (await session.execute(select(QuizAnswer.person_id))).scalars().all()
    assert stored == [await person_id(bot, "alice")], "only alice's one answer was stored"


async def test_typed_answers_forgive_typos_but_not_look_alikes(bot: ConsoleBot) -> None:
    typos = {"t-short-chair": "Chiar", "t-short-clip": "Gradiant cliping."}
    out = await bot.say("/quiz topic:general difficulty:medium count:2", as_="alice")
    for _ in range(2):
        q = shown(bot, out)
        opened = await bot.say("!press Answer")
        assert '[only alice] form "Question' in joined(opened)
        out = await bot.say(typos[q.id])
        assert "✅ Correct!" in joined(out), (q.id, out)

    look_alikes = {"t-short-chair": "hair", "t-short-clip": "gradient flipping"}
    out = await bot.say("/quiz topic:general difficulty:medium count:2")
    for _ in range(2):
        q = shown(bot, out)
        await bot.say("!press Answer")
        out = await bot.say(look_alikes[q.id])
        assert "❌ Not quite" in joined(out), (q.id, out)
    assert "Score: 0 of 2" in joined(out)


async def test_numbers_and_select_all_answers_go_through_the_form(bot: ConsoleBot) -> None:
    out = await bot.say("/quiz topic:general difficulty:hard count:2", as_="alice")
    for _ in range(2):
        q = shown(bot, out)
        await bot.say("!press Answer")
        if q.kind == "numeric":
            unreadable = joined(await bot.say("about a sixth"))
            assert "is not a number I can read" in unreadable, "a garbled number is no miss"
            await bot.say("!press Answer")
            out = await bot.say("16%")
        else:
            out = await bot.say("a, c")
        assert "✅ Correct!" in joined(out), out
    assert "Score: 2 of 2" in joined(out)


async def test_asking_again_shows_the_running_question(bot: ConsoleBot) -> None:
    out = await bot.say("/quiz topic:general count:2", as_="alice")
    q = shown(bot, out)
    again = joined(await bot.say("/quiz"))
    assert "You have a quiz running already (question 1 of 2)" in again
    assert q.prompt in again and right_text(q) != ""
    bobs = joined(await bot.say("/quiz count:1", as_="bob"))
    assert "Question 1/1" in bobs, "bob has his own"
    assert "Your quiz: 1 question on" in bobs


async def test_a_member_who_walks_away_ends_the_quiz_after_three_silent_questions(
    bot: ConsoleBot,
) -> None:
    await bot.say("/quiz topic:general difficulty:easy count:5", as_="alice")
    out = joined(await bot.say("!time +10m"))
    assert out.count("⏰ Time's up") == 3
    assert "Question 4/5" not in out
    assert "== Quiz ended: no answers for a while ==" in out and "Score: 0 of 3 (5 planned)" in out
    assert await activities(bot, "alice", "quiz_finished") == []
    assert await ledger(bot, "alice") == []


async def test_bad_requests_are_explained(bot: ConsoleBot) -> None:
    out = joined(await bot.say("/quiz topic:astrology", as_="alice"))
    assert "I don't know the topic `astrology`" in out and "deep_learning" in out
    assert "must be at most 20" in joined(await bot.say("/quiz count:21"))
    assert "must be one of easy, medium, hard" in joined(await bot.say("/quiz difficulty:brutal"))
    assert "Question 1/1" in joined(await bot.say('/quiz topic:"deep learning" count:1'))


async def test_nothing_to_stop(bot: ConsoleBot) -> None:
    out = await bot.say("/quiz stop", as_="alice")
    assert out == ["[only alice] There is nothing to stop: you have no quiz running, and no "
                   "race is running in this channel."]


async def test_a_long_summary_comes_in_pages_with_every_explanation(bot: ConsoleBot) -> None:
    out = await bot.say("/quiz topic:deep_learning count:12", as_="alice")
    missed = []
    for _ in range(12):
        q = shown(bot, out)
        missed.append(q)
        out = await reply(bot, q, right=False)
    text = joined(out)
    assert "== Quiz finished ==" in text and "Score: 0 of 12. What to review:" in text
    assert "== Quiz review (continued) ==" in text, "one message would be too long"
    positions = [text.index(q.explanation) for q in missed]
    assert positions == sorted(positions), "every miss explained, in order"
    assert all(line.startswith("[only alice]") for line in out)
    assert await ledger(bot, "alice") == [], "clicking through a quiz earns no points"
    assert len(await activities(bot, "alice", "quiz_finished")) == 1, "but it was practice"
