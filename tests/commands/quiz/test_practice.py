"""Spaced repetition: misses come back sooner, /practice serves what is due, a daily cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.store.db import Store
from bot.store.tables import Person
from commands.quiz import srs
from commands.quiz.tables import SrsCard
from tests.commands.quiz_support import (
    activities,
    joined,
    ledger,
    person_id,
    questions,
    reply,
    shown,
)
from tests.conftest import START
from tests.harness import ConsoleBot


async def cards(bot: ConsoleBot, name: str) -> dict[str, SrsCard]:
    pid = await person_id(bot, name)
    async with bot.app.store.session() as session:
        return await srs.cards_of(session, pid)


async def test_a_missed_question_comes_back_sooner_than_a_known_one(bot: ConsoleBot) -> None:
    out = await bot.say("/quiz topic:general difficulty:easy count:2", as_="alice")
    missed = shown(bot, out)
    out = await reply(bot, missed, right=False)
    known = shown(bot, out)
    await reply(bot, known, right=True)

    schedule = await cards(bot, "alice")
    assert schedule[missed.id].due < schedule[known.id].due
    assert schedule[missed.id].due == START + timedelta(days=1)
    assert (schedule[missed.id].lapses, schedule[known.id].lapses) == (1, 0)

    assert await bot.say("/practice") == [
        "[only alice] Nothing is due today. Your next review is on 2026-12-02."
    ]
    await bot.say("!time +1d")
    out = await bot.say("/practice")
    assert "Practice: 1 question due for review." in joined(out)
    assert shown(bot, out).id == missed.id and "Question 1/1" in joined(out)
    out = joined(await reply(bot, missed, right=True))
    assert "Score: 1 of 1. +1 points. No misses!" in out

    await bot.say("!time +1d")
    out = await bot.say("/practice")
    assert shown(bot, out).id == known.id, "the known one is due two days after its review"
    assert "Question 1/1" in joined(out)
    assert (await cards(bot, "alice"))[missed.id].due == START + timedelta(days=3), (
        "answered right on day 1, the missed one comes back two days later"
    )
    assert len(await activities(bot, "alice", "quiz_answer")) == 3
    assert [reason for reason, _ in await ledger(bot, "alice")] == ["quiz_correct"] * 2


async def test_a_backlog_after_a_long_gap_is_spread_over_days(bot: ConsoleBot) -> None:
    await bot.say("/me", as_="alice")
    pid = await person_id(bot, "alice")
    backlog = [q.id for q in questions(bot) if q.auto_graded][:25]
    long_ago = START - timedelta(days=40)
    async with bot.app.store.session() as session:
        for n, qid in enumerate(backlog):
            await srs.record_review(session, person_id=pid, question_id=qid, correct=n % 2 == 0,
                                    at=long_ago, ref=f"setup:{qid}")
    now = bot.app.services.clock.now()
    async with bot.app.store.session() as session:
        assert await srs.due_count(session, pid, now) == srs.DAILY_CAP == 20

    out = await bot.say("/practice")
    assert "Practice: 20 questions due for review." in joined(out)
    assert "Question 1/20" in joined(out)
    for _ in range(19):
        out = await reply(bot, shown(bot, out), right=True)
    assert "Question 20/20" in joined(out)
    await bot.say("/quiz stop")  # the last one unanswered: it stays due, but it was asked
    out = await bot.say("/practice")
    assert "You practised 20 questions today, the daily limit." in joined(out)
    async with bot.app.store.session() as session:
        assert await srs.due_count(session, pid, now) == 0

    await bot.say("!time +1d")
    async with bot.app.store.session() as session:
        # 6 never reviewed since the gap, and the 19 answered yesterday are not due yet.
        assert await srs.due_count(session, pid, bot.app.services.clock.now()) == 6
    out = joined(await bot.say("/practice count:3"))
    assert "Practice: 3 questions due for review (3 more today after these)." in out


async def test_a_practice_stopped_early_leaves_the_rest_for_today(bot: ConsoleBot) -> None:
    await bot.say("/me", as_="alice")
    pid = await person_id(bot, "alice")
    long_ago = START - timedelta(days=40)
    async with bot.app.store.session() as session:
        for qid in [q.id for q in questions(bot) if q.auto_graded][:5]:
            await srs.record_review(session, person_id=pid, question_id=qid, correct=False,
                                    at=long_ago, ref=f"setup:{qid}")
    out = await bot.say("/practice")
    await reply(bot, shown(bot, out), right=False)
    await bot.say("/quiz stop")
    out = joined(await bot.say("/practice"))
    assert "Practice: 4 questions due for review." in out, "only what was asked is used up"


async def test_reviews_count_once_and_due_counts_follow_the_local_day(
    any_store: Store,
) -> None:
    at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    async with any_store.session() as session:
        person = Person(display_name="Kenji", timezone="Asia/Tokyo", created_at=at)
        session.add(person)
        await session.flush()
        pid = person.id
        assert await srs.record_review(session, person_id=pid, question_id="q-1", correct=False,
                                       at=at, ref="quiz:1:1")
        assert not await srs.record_review(session, person_id=pid, question_id="q-1",
                                           correct=True, at=at, ref="quiz:1:1")
        card = await session.scalar(select(SrsCard).where(SrsCard.person_id == pid))
        assert card is not None and (card.reviews, card.lapses) == (1, 1)
        assert card.due == at + timedelta(days=1)

    # 2026-12-01 20:00 UTC is already 12-02 05:00 in Tokyo: the card (due 12-02 10:00 UTC,
    # 19:00 Tokyo) is due on Kenji's today, not yet on a UTC today.
    evening = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    async with any_store.session() as session:
        assert await srs.due_count(session, pid, evening) == 1
        assert await srs.due_count(session, pid, evening, zone="UTC") == 0
        assert await srs.due_count(session, pid, evening, known={"other"}) == 0
        assert await srs.due_questions(session, pid, evening + timedelta(days=1)) == ["q-1"]
