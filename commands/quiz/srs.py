"""Spaced repetition: one FSRS card per (person, question), fed by every graded answer.

Public API for other features (the daily post calls these too):
- `record_review(session, person_id=, question_id=, correct=, at=, ref=)`: a graded answer
  (Good on a hit, Again on a miss), counted once per (person, ref);
- `due_count(session, person_id, now)`: how many questions the member can practise today;
- `due_questions(...)`: which ones, most overdue first.

Intervals are whole days (no minute-long learning steps: members practise once a day, not in
a flashcard app session), without fuzzing (reproducible). A miss comes back after one day, a
first hit after two, then the intervals grow with the card's stability.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fsrs import Card, Rating, Scheduler, State
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.tables import Person
from bot.store.upsert import insert_once, insert_returning
from commands.quiz.tables import QuizQuestion, QuizSession, SrsCard, SrsReview

DAILY_CAP = 20  # practice questions per member per local day: a backlog spreads over days
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def _card(row: SrsCard) -> Card:
    return Card(
        card_id=row.id,
        state=State(row.state),
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=row.due,
        last_review=row.last_review,
    )


async def record_review(
    session: AsyncSession,
    *,
    person_id: int,
    question_id: str,
    correct: bool,
    at: datetime,
    ref: str,
) -> bool:
    """Feed one graded answer to the person's card; False when `ref` was counted before."""
    at = at.astimezone(UTC)
    # Lock the card (PostgreSQL) so two answers of the same person never overwrite each other;
    # a card this transaction inserts is its own until the commit. The card is read first:
    # once a question was seen, that is the only statement here.
    row = await _locked_card(session, person_id, question_id)
    if row is None:
        row = await insert_returning(
            session,
            SrsCard,
            {
                "person_id": person_id,
                "question_id": question_id,
                "state": State.Learning.value,
                "step": 0,
                "due": at,
                "reviews": 0,
                "lapses": 0,
            },
        ) or await _locked_card(session, person_id, question_id)  # a concurrent insert won
    assert row is not None
    rating = Rating.Good if correct else Rating.Again
    card, _log = SCHEDULER.review_card(_card(row), rating, at)
    if not await insert_once(
        session,
        SrsReview,
        {
            "person_id": person_id,
            "question_id": question_id,
            "ref": ref,
            "correct": correct,
            "reviewed_at": at,
            "due_after": card.due,
        },
    ):
        return False
    row.state = card.state.value
    row.step = card.step
    row.stability = card.stability
    row.difficulty = card.difficulty
    row.due = card.due
    row.last_review = card.last_review
    row.reviews += 1
    row.lapses += 0 if correct else 1
    return True


async def _locked_card(session: AsyncSession, person_id: int, question_id: str) -> SrsCard | None:
    return await session.scalar(
        select(SrsCard)
        .where(SrsCard.person_id == person_id, SrsCard.question_id == question_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


def day_bounds(now: datetime, zone: str) -> tuple[date, datetime, datetime]:
    """The local day of `now` in `zone`, and its start and end as UTC datetimes."""
    tz = ZoneInfo(zone)
    day = now.astimezone(tz).date()
    start = datetime.combine(day, time(0), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return day, start, end


async def served_today(session: AsyncSession, person_id: int, start: datetime) -> int:
    """Practice questions asked of the person since `start` (the daily cap counts these; the
    questions of a practice stopped early stay due and count only once asked)."""
    value = await session.scalar(
        select(func.count(QuizQuestion.id))
        .join(QuizSession, QuizSession.id == QuizQuestion.session_id)
        .where(
            QuizSession.starter_person_id == person_id,
            QuizSession.mode == "practice",
            QuizSession.started_at >= start - timedelta(days=1),
            QuizQuestion.opened_at >= start,
        )
    )
    return int(value or 0)


async def due_questions(
    session: AsyncSession,
    person_id: int,
    until: datetime,
    *,
    known: Collection[str] | None = None,
    limit: int | None = None,
) -> list[str]:
    """Question ids due by `until`, most overdue first (misses come first on a tie)."""
    rows = await session.execute(
        select(SrsCard.question_id)
        .where(SrsCard.person_id == person_id, SrsCard.due < until)
        .order_by(SrsCard.due, SrsCard.lapses.desc(), SrsCard.question_id)
    )
    ids = [qid for (qid,) in rows if known is None or qid in known]
    return ids if limit is None else ids[:limit]


async def due_count(
    session: AsyncSession,
    person_id: int,
    now: datetime,
    *,
    zone: str | None = None,
    known: Collection[str] | None = None,
    cap: int = DAILY_CAP,
) -> int:
    """How many questions the person can practise today: due by the end of their local day,
    less what they practised today already, at most `cap`.

    `zone` defaults to the person's timezone (else UTC); `known` limits the count to question
    ids the caller can still ask (packs a workspace sees)."""
    if zone is None:
        zone = await session.scalar(select(Person.timezone).where(Person.id == person_id)) or "UTC"
    _day, start, end = day_bounds(now, zone)
    left = max(0, cap - await served_today(session, person_id, start))
    if left == 0:
        return 0
    return len(await due_questions(session, person_id, end, known=known, limit=left))


async def cards_of(session: AsyncSession, person_id: int) -> dict[str, SrsCard]:
    """Every card of a person by question id (quiz selection prefers unseen and due ones)."""
    rows = await session.scalars(select(SrsCard).where(SrsCard.person_id == person_id))
    return {row.question_id: row for row in rows}
