"""The quiz feature's SQL: the only place it touches its tables.

State changes are conditional UPDATEs that report whether they happened (`rowcount == 1`):
whoever changes a row first wins, on SQLite and on PostgreSQL alike, and a loser changes
nothing. `lock_quiz` takes the session row first in every transaction that moves a quiz on, so
those transactions queue per quiz on PostgreSQL instead of deadlocking (SQLite serialises all
writers anyway). It is `FOR NO KEY UPDATE`: answers inserted meanwhile hold `FOR KEY SHARE` on
the session row through their foreign key, which this lock does not wait for.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.tables import Account, Channel, Person, Workspace
from bot.store.upsert import insert_once
from commands.quiz.tables import QuizAnswer, QuizQuestion, QuizSession


async def _changed(session: AsyncSession, stmt: Any) -> bool:
    result = await session.execute(stmt.execution_options(synchronize_session=False))
    assert isinstance(result, CursorResult)
    return bool(result.rowcount == 1)


async def create_quiz(
    session: AsyncSession, values: dict[str, Any], question_ids: list[str], now: datetime
) -> QuizSession | None:
    """Insert a running quiz and its questions (the first one open); None if the key is taken."""
    if not await insert_once(session, QuizSession, values):
        return None
    quiz = await session.scalar(
        select(QuizSession).where(QuizSession.running_key == values["running_key"])
    )
    assert quiz is not None
    deadline = now + _seconds(quiz.seconds)
    for position, qid in enumerate(question_ids, 1):
        session.add(
            QuizQuestion(
                session_id=quiz.id,
                position=position,
                question_id=qid,
                opened_at=now if position == 1 else None,
                deadline=deadline if position == 1 else None,
            )
        )
    await session.flush()
    return quiz


def _seconds(seconds: int) -> timedelta:
    return timedelta(seconds=seconds)


async def get_quiz(session: AsyncSession, quiz_id: int) -> QuizSession | None:
    return await session.get(QuizSession, quiz_id)


async def lock_quiz(session: AsyncSession, quiz_id: int) -> QuizSession:
    """The quiz row, locked for this transaction and re-read (PostgreSQL; SQLite: re-read)."""
    quiz = await session.scalar(
        select(QuizSession)
        .where(QuizSession.id == quiz_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    assert quiz is not None
    return quiz


async def running_quiz(session: AsyncSession, key: str) -> QuizSession | None:
    return await session.scalar(select(QuizSession).where(QuizSession.running_key == key))


async def question_row(session: AsyncSession, quiz_id: int, position: int) -> QuizQuestion | None:
    return await session.scalar(
        select(QuizQuestion)
        .where(QuizQuestion.session_id == quiz_id, QuizQuestion.position == position)
        .execution_options(populate_existing=True)
    )


async def question_rows(session: AsyncSession, quiz_id: int) -> list[QuizQuestion]:
    rows = await session.scalars(
        select(QuizQuestion)
        .where(QuizQuestion.session_id == quiz_id)
        .order_by(QuizQuestion.position)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def add_answer(
    session: AsyncSession,
    *,
    quiz_id: int,
    position: int,
    person_id: int,
    response: str,
    correct: bool,
    now: datetime,
) -> bool:
    """Record a member's one answer to a question; False when they answered it before."""
    return await insert_once(
        session,
        QuizAnswer,
        {
            "session_id": quiz_id,
            "position": position,
            "person_id": person_id,
            "response": response[:200],
            "correct": correct,
            "answered_at": now,
        },
    )


async def has_answered(session: AsyncSession, quiz_id: int, position: int, person_id: int) -> bool:
    found = await session.scalar(
        select(QuizAnswer.id).where(
            QuizAnswer.session_id == quiz_id,
            QuizAnswer.position == position,
            QuizAnswer.person_id == person_id,
        )
    )
    return found is not None


async def answers_of(session: AsyncSession, quiz_id: int, person_id: int) -> dict[int, QuizAnswer]:
    rows = await session.scalars(
        select(QuizAnswer).where(
            QuizAnswer.session_id == quiz_id, QuizAnswer.person_id == person_id
        )
    )
    return {row.position: row for row in rows}


async def answer_counts(session: AsyncSession, quiz_id: int) -> dict[int, int]:
    rows = await session.execute(
        select(QuizAnswer.position, func.count(QuizAnswer.id))
        .where(QuizAnswer.session_id == quiz_id)
        .group_by(QuizAnswer.position)
    )
    return {position: int(n) for position, n in rows}


async def participants(session: AsyncSession, quiz_id: int) -> list[int]:
    rows = await session.scalars(
        select(QuizAnswer.person_id).where(QuizAnswer.session_id == quiz_id).distinct()
    )
    return sorted(rows)


async def close_question(
    session: AsyncSession,
    row_id: int,
    now: datetime,
    outcome: str,
    *,
    winner: int | None = None,
    expired_only: bool = False,
) -> bool:
    """Close an open question once: True for the one caller that closed it.

    This is the race rule: of many correct answers, only the first UPDATE finds
    `closed_at IS NULL`; on PostgreSQL the others wait for its commit, then find it closed."""
    stmt = (
        update(QuizQuestion)
        .where(QuizQuestion.id == row_id, QuizQuestion.closed_at.is_(None))
        .values(closed_at=now, outcome=outcome, winner_person_id=winner)
    )
    if expired_only:
        stmt = stmt.where(QuizQuestion.deadline <= now)
    return await _changed(session, stmt)


async def open_question(
    session: AsyncSession, quiz_id: int, position: int, now: datetime, seconds: int
) -> bool:
    return await _changed(
        session,
        update(QuizQuestion)
        .where(
            QuizQuestion.session_id == quiz_id,
            QuizQuestion.position == position,
            QuizQuestion.opened_at.is_(None),
        )
        .values(opened_at=now, deadline=now + _seconds(seconds)),
    )


async def end_quiz(session: AsyncSession, quiz_id: int, status: str, now: datetime) -> bool:
    """Finish or stop a running quiz once; frees its channel or member for the next one."""
    return await _changed(
        session,
        update(QuizSession)
        .where(QuizSession.id == quiz_id, QuizSession.status == "running")
        .values(status=status, ended_at=now, running_key=None),
    )


async def close_open_questions(
    session: AsyncSession, quiz_id: int, now: datetime, outcome: str
) -> None:
    await session.execute(
        update(QuizQuestion)
        .where(
            QuizQuestion.session_id == quiz_id,
            QuizQuestion.opened_at.is_not(None),
            QuizQuestion.closed_at.is_(None),
        )
        .values(closed_at=now, outcome=outcome)
        .execution_options(synchronize_session=False)
    )


async def set_message_id(session: AsyncSession, row_id: int, message_id: str) -> None:
    await session.execute(
        update(QuizQuestion)
        .where(QuizQuestion.id == row_id)
        .values(message_id=message_id)
        .execution_options(synchronize_session=False)
    )


async def race_scores(session: AsyncSession, quiz_id: int) -> list[tuple[int, int]]:
    """(person id, questions won), best first; ties by who reached the score first."""
    rows = await session.execute(
        select(
            QuizQuestion.winner_person_id,
            func.count(QuizQuestion.id),
            func.max(QuizQuestion.closed_at),
        )
        .where(QuizQuestion.session_id == quiz_id, QuizQuestion.winner_person_id.is_not(None))
        .group_by(QuizQuestion.winner_person_id)
    )
    ranked = sorted(
        ((int(person), int(wins), last) for person, wins, last in rows if person is not None),
        key=lambda r: (-r[1], r[2], r[0]),
    )
    return [(person, wins) for person, wins, _ in ranked]


async def due_timeouts(session: AsyncSession, until: datetime) -> list[tuple[int, datetime]]:
    """Open questions of running quizzes whose deadline passed by `until`: (row id, deadline)."""
    rows = await session.execute(
        select(QuizQuestion.id, QuizQuestion.deadline)
        .join(QuizSession, QuizSession.id == QuizQuestion.session_id)
        .where(
            QuizQuestion.closed_at.is_(None),
            QuizQuestion.deadline <= until,
            QuizSession.status == "running",
        )
        .order_by(QuizQuestion.deadline, QuizQuestion.id)
    )
    return [(int(rid), deadline) for rid, deadline in rows if deadline is not None]


async def places(
    session: AsyncSession, quiz: QuizSession
) -> tuple[Workspace, Channel | None, Account, Person]:
    """The rows a scheduled step needs to address the quiz's channel and its starter."""
    workspace = await session.get(Workspace, quiz.workspace_id)
    channel = await session.get(Channel, quiz.channel_id) if quiz.channel_id else None
    account = await session.get(Account, quiz.starter_account_id)
    person = await session.get(Person, quiz.starter_person_id)
    assert workspace is not None and account is not None and person is not None
    return workspace, channel, account, person
