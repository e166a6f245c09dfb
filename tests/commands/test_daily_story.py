"""Whole days of the daily question told through the console, every event delivered twice.

Open mode: answers in the thread and through the form, grading, edits, a refused unreadable
answer, close, spread review assignments, reviews, helpful ratings, results and points.
Blind mode: answers only through the form, the thread politely refused, the reveal at the
close, a five-criterion rubric cut to four, reviews shown only after giving yours, and an
unscored answer at the end of the review period.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.store.tables import Activity
from commands.daily.tables import DailyAnswer, DailyAssignment, DailyPost, DailyReview
from tests.commands.daily_support import (
    count,
    deliver_twice,
    ledger,
    person_id,
    start_bot,
    text,
)
from tests.harness import ConsoleBot


@pytest.fixture
async def bot(sqlite_url: str, clock: FakeClock, tmp_path: Path) -> ConsoleBot:
    started = await start_bot(sqlite_url, clock, tmp_path)
    yield started  # type: ignore[misc]
    await started.stop()


async def review(bot: ConsoleBot, who: str, number: int, *scores: int, comment: str = "") -> str:
    opened = await bot.say(f"!press Review #{number}", as_=who)
    assert "form" in text(opened), opened
    out: list[str] = []
    for value in scores:
        out = await bot.say(str(value))
    out = await bot.say(comment)
    return text(out)


async def test_open_day_with_five_members_reviews_and_points(bot: ConsoleBot) -> None:
    events = deliver_twice(bot)
    out = text(await bot.say(
        "/daily setup time:10:00 timezone:Europe/Berlin days:mon,tue packs:daily-test quorum:2"
    ))
    assert "Next post: Tue 1 Dec 10:00 (Europe/Berlin)" in out
    assert "3 questions to ask" in out

    # 09:00 UTC is 10:00 in Berlin: the question appears with a thread for the answers.
    out = text(await bot.say("!time +1h"))
    assert "== Daily question #1 · Tue 1 Dec 2026 ==" in out
    assert "Which metric divides true positives" in out and "2. Precision" in out
    assert "Deadline: Wed 2 Dec 10:00 (Europe/Berlin)" in out
    assert "Reply in the thread below, or press Answer." in out
    await bot.say("!thread")

    out = text(await bot.say("2", as_="alice"))
    assert "[only alice] Thanks, your answer to daily question #1 is in." in out
    assert "**Correct!** Precision is TP / (TP + FP)" in out
    out = text(await bot.say("A", as_="bob"))
    assert "**Not quite: Precision.**" in out
    await bot.say("!press Answer", as_="carol")
    out = text(await bot.say("b"))
    assert "[#study thread] == carol answered ==" in out  # open mode: shown at once
    out = text(await bot.say("I think it's B, because of the false positives", as_="dave"))
    assert "did not record" in out and "choice number from 1 to 3" in out
    assert "Correct" not in out
    out = text(await bot.say("B", as_="dave"))
    assert "is in." in out and "**Correct!**" in out

    # Past half the window: erin's answer earns no on-time point.
    await bot.say("!time +13h")
    await bot.say("!press Answer", as_="erin")
    out = text(await bot.say("3"))
    assert "is in." in out

    # alice edits through the form (it opens with her text); points keep her first grade.
    opened = text(await bot.say("!press Answer", as_="alice"))
    assert 'form "Answer daily question #1"' in opened
    out = text(await bot.say("1"))
    assert "is updated; the last version counts" in out
    assert "(Points count your first answer, which was correct.)" in out
    assert "== alice edited their answer ==" in out
    # A later message in the thread is discussion: no reply, the answer stays.
    assert await bot.say("nice one, dave", as_="alice") == ["[#study thread] alice: nice one, dave"]

    assert await count(bot, DailyAnswer) == 5
    assert (await ledger(bot, "alice")) == Counter(daily_answer=2, daily_on_time=1,
                                                   daily_correct=5)
    assert (await ledger(bot, "erin")) == Counter(daily_answer=2)

    # Reviews open only at the close.
    out = text(await bot.say("!press Review #1", as_="bob"))
    assert "no button" in out

    # 09:00 UTC next day: answers close; cards with Review buttons; two reviews each.
    out = text(await bot.say("!time +11h"))
    assert "== Daily question #1: answers are closed ==" in out
    assert "**Model answer:** Precision" in out
    assert "Answers: 5 (2 correct)" in out  # the final texts: alice switched to 1
    for number, name in enumerate(("alice", "bob", "carol", "dave", "erin"), start=1):
        assert f"== Answer #{number} by {name} ==" in out
    assert "[only alice] Daily question #1 is closed. Please review answers #2 and #3" in out
    assert "[only bob] Daily question #1 is closed. Please review answers #4 and #5" in out
    assert "[only carol] Daily question #1 is closed. Please review answers #1 and #4" in out
    assert "[only dave] Daily question #1 is closed. Please review answers #1 and #5" in out
    assert "[only erin] Daily question #1 is closed. Please review answers #2 and #3" in out
    assert await count(bot, DailyAssignment) == 10

    # Late answers are refused politely and privately.
    out = text(await bot.say("!press Answer", as_="frank"))
    assert "[only frank] Sorry, answers to daily question #1 closed at Wed 2 Dec 10:00" in out
    out = text(await bot.say("Is it precision?", as_="frank"))
    assert "[only frank] Sorry, answers to daily question #1 closed" in out

    # Bad reviews change nothing.
    out = text(await bot.say("!press Review #2", as_="bob"))
    assert "That is your own answer" in out
    bad = await review(bot, "alice", 2, 7, 3, 3)
    assert "Scores are whole numbers from 1 to 5; `7` for “Correctness” is not." in bad
    assert await count(bot, DailyReview) == 0

    assert "saved." in await review(bot, "alice", 2, 2, 3, 3, comment="Say why recall is wrong")
    out = await review(bot, "alice", 2, 3, 4, 4, comment="Better on a second read")
    assert "replacing your earlier one" in out
    out = await review(bot, "alice", 3, 5, 5, 4, comment="Clear @here and right")
    assert "You can see the reviews of your own answer" in out
    await review(bot, "bob", 4, 4, 4, 4)
    await review(bot, "bob", 5, 2, 2, 2)
    await review(bot, "carol", 1, 3, 3, 3)
    await review(bot, "carol", 4, 5, 5, 5, comment="Short and exact")
    await review(bot, "dave", 5, 1, 2, 3)
    await review(bot, "dave", 1, 4, 4, 4)
    await review(bot, "erin", 2, 3, 3, 3)
    await review(bot, "erin", 3, 4, 4, 4)
    assert await count(bot, DailyReview) == 10

    # carol sees her reviews (median per criterion once 2 are in) and rates alice's helpful.
    out = text(await bot.say("/daily reviews", as_="carol"))
    assert "Your answer #3: Score 4.3/5 from 2 review(s)" in out
    assert "Review 1: 5, 5, 4: Clear @here and right" in out  # member text, as written
    assert len([ln for ln in out.splitlines() if ln.startswith("[only carol] Review ")]) == 2
    out = text(await bot.say("!press Helpful #1"))
    assert "Marked helpful" in out
    assert "already" in text(await bot.say("!press Helpful #1"))
    out = text(await bot.say("/daily reviews", as_="dave"))
    assert "Your answer #4: Score 4.5/5" in out
    assert "Marked helpful" in text(await bot.say("!press Helpful #2"))  # carol's review

    # The review period ends: scores from the medians, points for the well-rated answers.
    out = text(await bot.say("!time +24h"))
    assert "== Daily question #1: results ==" in out
    assert "Best-rated answers: #4 dave: 4.5/5 (2 reviews)" in out
    assert "#3 carol: 4.3/5 (2 reviews)" in out
    assert "Most helpful reviewers: alice: 1 helpful of 2" in out
    assert "carol: 1 helpful of 2" in out

    assert await ledger(bot, "alice") == Counter(
        daily_answer=2, daily_on_time=1, daily_correct=5, review_given=4, helpful_review=3)
    assert await ledger(bot, "bob") == Counter(daily_answer=2, daily_on_time=1, review_given=4)
    assert await ledger(bot, "carol") == Counter(
        daily_answer=2, daily_on_time=1, daily_correct=5, review_given=4,
        well_rated_answer=5, helpful_review=3)
    assert await ledger(bot, "dave") == Counter(
        daily_answer=2, daily_on_time=1, daily_correct=5, review_given=4, well_rated_answer=5)
    assert await ledger(bot, "erin") == Counter(daily_answer=2, review_given=4)

    async with bot.app.store.session() as session:
        kinds = Counter(
            (await session.execute(select(Activity.kind))).scalars()
        )
        post = await session.scalar(select(DailyPost))
    assert kinds == Counter(daily_answer=5, review=10)
    assert post is not None and post.reviewed_at is not None

    # Every inbound event came twice; the second copy never counted.
    assert len(events.events) > 40
    assert events.dropped + events.refused == len(events.events)
    # Refused (and so not stored, not marked as processed): dave's unreadable answer, frank's
    # late Answer press, bob's self-review and alice's score of 7.
    assert events.refused == 4
    assert await person_id(bot, "frank")  # frank exists, with no points
    assert await ledger(bot, "frank") == Counter()


def thread_texts(bot: ConsoleBot) -> list[str]:
    """Everything shown publicly in a thread so far."""
    return [
        shown.message.plain()
        for shown in bot.adapter.console_port.shown
        if shown.ref is not None and shown.ref.thread is not None and shown.visible_to is None
    ]


async def test_blind_day_reveals_at_close_and_scores_what_it_has(bot: ConsoleBot) -> None:
    events = deliver_twice(bot)
    await bot.say(
        "/daily setup time:10:00 timezone:Europe/Berlin days:tue packs:daily-test "
        "topics:system_design reveal:blind quorum:3 reviews_first:yes"
    )
    out = text(await bot.say("!time +1h"))
    assert "How would you notice that a deployed model's inputs have drifted?" in out
    assert "Press Answer: answers stay private until the close" in out

    # The thread takes no answers in blind mode: a polite refusal with the Answer button.
    await bot.say("!thread")
    out = text(await bot.say("Compare the distributions", as_="alice"))
    assert "[only alice] Daily question #1 is in blind mode" in out
    assert "I cannot delete messages that members write" in out
    assert await count(bot, DailyAnswer) == 0

    answers = {
        "alice": "A KS test per feature, daily, alert the on-call owner when p < 0.01.",
        "bob": "Population stability index on the top features, weekly.",
        "carol": "Track feature means and a PSI; alert above 0.2; retrain on alert.",
        "dave": "Watch prediction distribution shifts and label delay.",
        "erin": "Dashboards.",
    }
    for who, answer in answers.items():
        opened = text(await bot.say("!press Answer", as_=who))
        assert 'form "Answer daily question #1"' in opened
        if who == "bob":
            assert "could not find any text" in text(await bot.say(""))
            await bot.say("!press Answer")
            out = text(await bot.say("x" * 4001))
            assert "Your answer is 4,001 characters long; the limit is 4,000." in out
            await bot.say("!press Answer")
        out = text(await bot.say(answer))
        assert f"[only {who}] Thanks, your answer to daily question #1 is in." in out
        assert "It stays private until the close" in out
    assert await count(bot, DailyAnswer) == 5
    assert not any(answer in shown for shown in thread_texts(bot) for answer in answers.values())

    # The close reveals every answer together, with its Review button.
    out = text(await bot.say("!time +24h"))
    assert "**Model answer:** Compare live feature distributions" in out
    for number, (who, answer) in enumerate(answers.items(), start=1):
        assert f"== Answer #{number} by {who} ==\n[#study thread] {answer}" in out
    assert "Criteria: 1. Names a statistic that compares two distributions." in out
    assert "4. Mentions checking the labels once they arrive." in out
    assert "5. Explains" not in out  # a modal holds four criteria and the comment

    # Reviews first: alice sees the reviews of her answer only after giving hers.
    out = text(await bot.say("!press My reviews", as_="alice"))
    assert "after you give yours" in out and "[Review #2] [Review #3]" in out
    opened = text(await bot.say("!press Review #2"))
    assert "the next 5 line(s) answer: 1. Names a statistic that compares two distr…" in opened
    for value in ("4", "4", "4", "4", "Solid"):
        out = text(await bot.say(value))
    assert "Still on your list: #3." in out
    await review(bot, "alice", 3, 5, 5, 5, 5, comment="Complete")
    await review(bot, "carol", 1, 3, 3, 3, 3)
    await review(bot, "carol", 4, 4, 4, 4, 4)
    await review(bot, "dave", 1, 5, 5, 5, 5, comment="Owner and threshold, good")
    out = text(await bot.say("!press My reviews", as_="alice"))
    assert "Your answer #1: Waiting for reviews: 2 of 3." in out
    assert "Review 2: 5, 5, 5, 5: Owner and threshold, good" in out
    out = text(await bot.say("/daily reviews", as_="bob"))
    assert "after you give yours" in out

    # The review period ends: scored from what exists, the unreviewed answer says so.
    out = text(await bot.say("!time +24h"))
    assert "Best-rated answers: #3 carol: 5.0/5 (1 review)" in out
    assert "#1 alice: 4.0/5 (2 reviews)" in out and "#2 bob: 4.0/5 (1 review)" in out
    assert "Unscored (no reviews): #5 erin" in out
    out = text(await bot.say("/daily reviews", as_="bob"))
    assert "Your answer #2: Score 4.0/5 from 1 review(s)" in out
    out = text(await bot.say("!press Review #1", as_="bob"))
    assert "The review period of daily question #1 has ended." in out
    out = text(await bot.say("/daily reviews", as_="erin"))
    assert "Unscored: nobody reviewed this answer." in out

    base = Counter(daily_answer=2, daily_on_time=1)
    assert await ledger(bot, "alice") == base + Counter(review_given=4, well_rated_answer=5)
    assert await ledger(bot, "bob") == base + Counter(well_rated_answer=5)
    assert await ledger(bot, "carol") == base + Counter(review_given=4, well_rated_answer=5)
    assert await ledger(bot, "dave") == base + Counter(review_given=2, well_rated_answer=5)
    assert await ledger(bot, "erin") == base
    assert events.dropped + events.refused == len(events.events)


async def test_review_points_stop_after_three_per_question(bot: ConsoleBot) -> None:
    await bot.say("/daily setup time:09:00 timezone:UTC days:tue packs:daily-test quorum:1")
    await bot.say("!time +1h")
    await bot.say("!thread")
    for who, answer in zip(("alice", "bob", "carol", "dave", "erin"), "21B3b", strict=True):
        await bot.say(answer, as_=who)
    out = text(await bot.say("/daily"))
    assert "Question #1: answers open until Wed 2 Dec 09:00 (UTC)" in out
    await bot.say("!time +24h")
    assert "Question #1: reviews open until Thu 3 Dec 09:00 (UTC)" in text(
        await bot.say("/daily"))
    for number in (1, 2, 3, 4, 5):
        assert "saved" in await review(bot, "frank", number, 4, 4, 4)
    assert await ledger(bot, "frank") == Counter(review_given=6)  # three paid reviews
    out = text(await bot.say("/daily reviews", as_="alice"))
    assert "Your answer #1: Score 4.0/5 from 1 review(s)" in out  # quorum 1: scored at once
