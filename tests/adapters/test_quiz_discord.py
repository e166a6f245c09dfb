"""Quizzes on Discord, through the fake Discord: ephemeral solo quizzes, races in the channel."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.packs.schema import Question
from commands.quiz.views import needs_form
from tests.adapters.discord_driver import Answer, DiscordDriver, discord_bot
from tests.commands.quiz_support import right_text, write_pack, wrong_text
from tests.fakes.discord_rest import ALICE, BOB, CAROL, DAVE, STUDY_ID, FakeMessage, FakeUser


def on_screen(driver: DiscordDriver, text: str) -> Question:
    """The question whose prompt appears last in `text`."""
    found = [(text.rfind(q.prompt), q) for q in driver.app.services.packs.questions(None)
             if q.prompt in text]
    assert found, text
    return max(found, key=lambda pair: pair[0])[1]


def last_post(driver: DiscordDriver) -> FakeMessage:
    posts = [m for m in driver.sent if m.channel_id == STUDY_ID and not m.ephemeral
             and m.buttons]
    assert posts, "no question was posted in the channel"
    return posts[-1]


async def answer(
    driver: DiscordDriver, post: FakeMessage, q: Question, *, right: bool, user: FakeUser
) -> Answer:
    """Press the letter, or open the form and type the answer (as the member would)."""
    text = right_text(q) if right else wrong_text(q)
    if not needs_form(q):
        return await driver.press(post, text, user=user)
    opened = await driver.press(post, "Answer", user=user)
    if opened.modal is None:
        return opened  # refused before a form opened (already answered, closed)
    return await driver.submit_form(opened, {"answer": text}, user=user)


async def test_a_private_quiz_is_ephemeral_and_moves_on_by_edits(
    sqlite_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    packs = write_pack(tmp_path / "packs")
    async with discord_bot(sqlite_url, clock, extra_pack_dirs=[str(packs)]) as driver:
        assert await driver.autocomplete("quiz start", "topic", "deep") == ["deep_learning"]
        first = await driver.slash("quiz start", user=ALICE, topic="general",
                                   difficulty="easy", count=3)
        assert first.ephemeral and first.message.buttons == ["A", "B", "C", "D"]
        q1 = on_screen(driver, first.text)

        second = await driver.press(first, right_text(q1), user=ALICE)
        assert second.kind == 7, "the pressed ephemeral message is edited in place"
        assert "✅ Correct!" in second.text and "Question 2/3" in second.text
        q2 = on_screen(driver, second.text)

        third = await driver.press(second, wrong_text(q2), user=ALICE)
        assert f"❌ Not quite. The answer: {q2.answer_text()}." in third.text
        assert "Question 3/3" in third.text
        await driver.settle()

        # The third question runs out of time: Discord has no ephemeral message outside an
        # interaction, so the summary arrives as a direct message.
        await driver.app.scheduler.run_due(clock.now() + timedelta(seconds=61))
        await driver.settle()
        dms = [m for m in driver.sent if m.channel_id != STUDY_ID]
        assert dms and "Time's up for question 3" in dms[-1].text
        assert "Score: 1 of 3" in dms[-1].text and q2.explanation in dms[-1].text

        typed = await driver.slash("quiz start", user=ALICE, topic="general",
                                   difficulty="medium", count=1)
        q = on_screen(driver, typed.text)
        opened = await driver.press(typed, "Answer", user=ALICE)
        assert opened.modal is not None
        typo = {"t-short-chair": "Chiar", "t-short-clip": "gradiant cliping"}[q.id]
        done = await driver.submit_form(opened, {"answer": typo}, user=ALICE)
        assert "✅ Correct!" in done.text and "Score: 1 of 1" in done.text and done.ephemeral


async def test_a_race_in_the_channel_with_late_presses_and_an_admin_stop(
    sqlite_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    packs = write_pack(tmp_path / "packs", mcqs=6)
    async with discord_bot(sqlite_url, clock, extra_pack_dirs=[str(packs)]) as driver:
        start = await driver.slash("quiz race", user=BOB, topic="general", count=3)
        assert not start.ephemeral and "started a race: 3 questions" in start.text
        await driver.settle()
        post = last_post(driver)
        q1 = on_screen(driver, post.text)

        wrong = await answer(driver, post, q1, right=False, user=DAVE)
        assert wrong.ephemeral and "❌ Not quite" in wrong.text
        again = await answer(driver, post, q1, right=True, user=DAVE)
        assert "one try each" in again.text

        won = await answer(driver, post, q1, right=True, user=ALICE)
        assert won.ephemeral and "you were first! +2 points" in won.text
        await driver.settle()
        assert post.edits == 1 and "(closed)" in post.text and "Alice was first" in post.text
        late = await answer(driver, post, q1, right=True, user=BOB)
        assert late.ephemeral and "Question 1 is closed already" in late.text
        nxt = last_post(driver)
        assert "Question 2/3" in nxt.text and "Scoreboard" in nxt.text

        refused = await driver.slash("quiz stop", user=DAVE)
        assert refused.ephemeral and "who started this race, or an admin" in refused.text
        stopped = await driver.slash("quiz stop", user=CAROL)
        assert stopped.ephemeral and "You stopped the race" in stopped.text
        await driver.settle()
        final = [m for m in driver.sent if m.channel_id == STUDY_ID][-1]
        assert "Race stopped by" in final.text and "with 1" in final.text


async def test_after_a_timeout_the_quiz_goes_on_in_a_dm_and_counts_in_the_guild(
    sqlite_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    packs = write_pack(tmp_path / "packs")
    async with discord_bot(sqlite_url, clock, extra_pack_dirs=[str(packs)]) as driver:
        first = await driver.slash("quiz start", user=ALICE, topic="general",
                                   difficulty="easy", count=2)
        assert first.ephemeral
        await driver.app.scheduler.run_due(clock.now() + timedelta(seconds=61))
        await driver.settle()
        dm = [m for m in driver.sent if m.channel_id != STUDY_ID][-1]
        assert "Time's up for question 1" in dm.text and "Question 2/2" in dm.text
        q2 = on_screen(driver, dm.text)

        stranger = await driver.press(dm, right_text(q2), user=BOB)
        assert "someone else's" in stranger.text
        done = await driver.press(dm, right_text(q2), user=ALICE)
        assert "✅ Correct!" in done.text and "Score: 1 of 2. +1 points." in done.text

        profile = await driver.slash("me", user=ALICE)
        assert "Points: 1" in profile.text, "the DM answer counts in the guild"
