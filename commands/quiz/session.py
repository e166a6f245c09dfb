"""A running quiz as a state machine: answers, timeouts and stops move it on, once each.

Each function runs inside one transaction and returns a `Step`: how the quiz moved on and what
to show afterwards. Sending happens after commit (delivery.py), so nothing is shown for a
change that was rolled back. Who wins a race question, and whether a timeout or an answer
closes a question first, is decided by `queries.close_question` in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Services
from bot.core.errors import UserError
from bot.core.ui import Message
from bot.packs.grading import Grade
from bot.store.activity import record_activity
from bot.store.ledger import award, points_value
from bot.store.members import display_names
from bot.store.tables import Channel, Person, PointsEntry, Workspace
from commands.quiz import queries, srs, views
from commands.quiz.service import Open, ask, closed_text, question_of, zone_of
from commands.quiz.tables import QuizQuestion, QuizSession

IDLE_LIMIT = 3  # questions in a row without any answer end a quiz (nobody is there)
FINISH_MIN = 5  # a finished quiz of at least this many questions counts for streaks
POINTS = {"quiz_correct": 1, "quiz_race_win": 2, "quiz_finished": 3}


@dataclass
class Step:
    """How a quiz moved on in one transaction, and what to show once it committed.

    `lead` tells what just happened (a verdict, a timeout, a race result); `next` is the next
    question, or None when the quiz `ended` (finished, stopped, abandoned) and `pages` hold
    the summary (private quizzes) or the final scoreboard (races). `edits` are race posts to
    replace with their closed version, as (message id, message)."""

    quiz: QuizSession
    lead: str = ""
    next: Message | None = None
    next_row_id: int | None = None
    ended: str | None = None
    pages: list[Message] = field(default_factory=list)
    edits: list[tuple[str, Message]] = field(default_factory=list)


@dataclass(frozen=True)
class Attempt:
    """One member's graded answer to an open question."""

    workspace: Workspace
    person: Person
    channel: Channel | None
    open: Open
    response: str
    verdict: Grade
    now: datetime


async def credit(
    session: AsyncSession, services: Services, quiz: QuizSession, attempt: Attempt
) -> None:
    """What every graded answer earns: activity, a spaced-repetition review, solo points."""
    person, now, q = attempt.person, attempt.now, attempt.open.question
    correct = attempt.verdict.correct
    # The question id ends the ref: the recap's most-missed questions and pairing's "already
    # seen" read it from there.
    ref = f"quiz:{quiz.id}:{attempt.open.row.position}:{q.id}"
    day = now.astimezone(ZoneInfo(zone_of(person, attempt.channel))).date()
    await record_activity(
        session,
        workspace_id=attempt.workspace.id,
        person_id=person.id,
        kind="quiz_answer",
        ref=ref,
        at=now,
        local_day=day,
        topic=q.topic,
        correct=correct,
    )
    await srs.record_review(
        session, person_id=person.id, question_id=q.id, correct=correct, at=now, ref=ref
    )
    if correct and quiz.mode != "race":
        await _award(session, attempt.workspace, person.id, "quiz_correct",
                     f"{quiz.id}:{attempt.open.row.position}", quiz, now, topic=q.topic)


async def _award(
    session: AsyncSession,
    workspace: Workspace,
    person_id: int,
    reason: str,
    ref: str,
    quiz: QuizSession,
    now: datetime,
    topic: str | None = None,
) -> None:
    await award(
        session,
        key=f"{reason}:{ref}:{person_id}",
        workspace_id=workspace.id,
        person_id=person_id,
        points=points_value(workspace.settings, reason, POINTS[reason]),
        reason=reason,
        now=now,
        ref=f"quiz:{quiz.id}",
        topic=topic or quiz.topic,
    )


async def answer_private(session: AsyncSession, services: Services, attempt: Attempt) -> Step:
    """A solo or practice answer: graded, credited, and the quiz moves to the next question."""
    quiz = await queries.lock_quiz(session, attempt.open.quiz.id)
    row, q, correct = attempt.open.row, attempt.open.question, attempt.verdict.correct
    if not await _record(session, quiz, attempt):
        raise UserError(f"You answered question {row.position} already.")
    if not await queries.close_question(
        session, row.id, attempt.now, "correct" if correct else "wrong"
    ):
        # A timeout closed it in the meantime: undo the answer (the transaction rolls back).
        raise UserError(closed_text(quiz, row.position))
    await credit(session, services, quiz, attempt)
    return await advance(
        session, services, quiz, row, attempt.now, views.verdict(correct, q), timed_out=False
    )


async def _record(session: AsyncSession, quiz: QuizSession, attempt: Attempt) -> bool:
    return await queries.add_answer(
        session,
        quiz_id=quiz.id,
        position=attempt.open.row.position,
        person_id=attempt.person.id,
        response=attempt.response,
        correct=attempt.verdict.correct,
        now=attempt.now,
    )


@dataclass(frozen=True)
class RaceAnswer:
    """What a race press did: `won` the question, was right but `late`, or was wrong."""

    correct: bool
    won: bool
    winner: str | None
    step: Step | None
    points: int = 0


async def answer_race(session: AsyncSession, services: Services, attempt: Attempt) -> RaceAnswer:
    """A race answer: one try per member; the first correct answer closes the question."""
    workspace, person, now = attempt.workspace, attempt.person, attempt.now
    row, q = attempt.open.row, attempt.open.question
    if not await _record(session, attempt.open.quiz, attempt):
        raise UserError(f"You answered question {row.position} already; one try each.")
    await credit(session, services, attempt.open.quiz, attempt)
    if not attempt.verdict.correct:
        return RaceAnswer(False, False, None, None)
    # Only correct answers queue on the quiz row; the conditional UPDATE picks the first.
    quiz = await queries.lock_quiz(session, attempt.open.quiz.id)
    if not await queries.close_question(session, row.id, now, "won", winner=person.id):
        closed = await queries.question_row(session, quiz.id, row.position)
        winner = None
        if closed is not None and closed.winner_person_id is not None:
            called = await display_names(session, workspace.id, [closed.winner_person_id])
            winner = called.get(closed.winner_person_id)
        return RaceAnswer(True, False, winner, None)
    await _award(session, workspace, person.id, "quiz_race_win", f"{quiz.id}:{row.position}",
                 quiz, now, topic=q.topic)
    me = (await display_names(session, workspace.id, [person.id])).get(person.id, "someone")
    lead = views.race_lead(row.position, q, me)
    step = await advance(session, services, quiz, row, now, lead, timed_out=False)
    if row.message_id:
        shut = views.race_closed(q, quiz.id, row.position, quiz.count, lead)
        step.edits.append((row.message_id, shut))
    points = points_value(workspace.settings, "quiz_race_win", POINTS["quiz_race_win"])
    return RaceAnswer(True, True, me, step, points)


async def advance(
    session: AsyncSession,
    services: Services,
    quiz: QuizSession,
    closed: QuizQuestion,
    now: datetime,
    lead: str,
    *,
    timed_out: bool,
) -> Step:
    """After `closed` was closed (quiz row locked): open the next question or end the quiz."""
    step = Step(quiz, lead=lead)
    if timed_out and await _idle(session, quiz, closed.position):
        return await end(session, services, quiz, now, "abandoned", lead)
    for position in range(closed.position + 1, quiz.count + 1):
        await queries.open_question(session, quiz.id, position, now, quiz.seconds)
        quiz.current = position
        row = await queries.question_row(session, quiz.id, position)
        assert row is not None
        if question_of(services, quiz.workspace_id, row) is None:
            # Its pack was replaced mid-quiz: skip the question rather than stall the quiz.
            await queries.close_question(session, row.id, now, "skipped")
            continue
        board = await race_board(session, quiz) if quiz.mode == "race" else None
        step.next = ask(services, quiz, row, lead=lead, board=board)
        step.next_row_id = row.id
        return step
    return await end(session, services, quiz, now, "finished", lead)


async def _idle(session: AsyncSession, quiz: QuizSession, position: int) -> bool:
    if position < IDLE_LIMIT:
        return False
    counts = await queries.answer_counts(session, quiz.id)
    return all(counts.get(p, 0) == 0 for p in range(position - IDLE_LIMIT + 1, position + 1))


async def end(
    session: AsyncSession,
    services: Services,
    quiz: QuizSession,
    now: datetime,
    status: str,
    lead: str = "",
    stopped_by: str | None = None,
) -> Step:
    """End a running quiz once: credit a finish, then build the summary or final board."""
    await session.flush()
    if not await queries.end_quiz(session, quiz.id, status, now):
        raise UserError("That quiz has just ended.")
    await queries.close_open_questions(session, quiz.id, now, "stopped")
    await session.refresh(quiz)
    workspace = await session.get(Workspace, quiz.workspace_id)
    assert workspace is not None
    if status == "finished" and quiz.count >= FINISH_MIN:
        await _credit_finish(session, quiz, workspace, now)
    step = Step(quiz, lead=lead, ended=status)
    if quiz.mode == "race":
        scores = await race_scores(session, quiz)
        step.pages = [views.race_final(scores, lead=lead, stopped_by=stopped_by,
                                       abandoned=status == "abandoned")]
    else:
        step.pages = await summary(session, services, quiz, lead)
    return step


async def _credit_finish(
    session: AsyncSession, quiz: QuizSession, workspace: Workspace, now: datetime
) -> None:
    """A finished quiz counts for the streak of whoever took part; a private one passed (at
    least half right) earns points too, so that clicking through earns nothing."""
    people = (
        [quiz.starter_person_id]
        if quiz.mode != "race"
        else await queries.participants(session, quiz.id)
    )
    channel = await session.get(Channel, quiz.channel_id) if quiz.channel_id else None
    for person_id in people:
        person = await session.get(Person, person_id)
        if person is None:
            continue
        day = now.astimezone(ZoneInfo(zone_of(person, channel))).date()
        await record_activity(
            session, workspace_id=workspace.id, person_id=person_id, kind="quiz_finished",
            ref=f"quiz:{quiz.id}", at=now, local_day=day, topic=quiz.topic, size=quiz.count,
        )
        if quiz.mode != "race":
            right = sum(a.correct for a in (await queries.answers_of(
                session, quiz.id, person_id)).values())
            if 2 * right >= quiz.count:
                await _award(session, workspace, person_id, "quiz_finished", str(quiz.id),
                             quiz, now)


async def summary(
    session: AsyncSession, services: Services, quiz: QuizSession, lead: str = ""
) -> list[Message]:
    """The starter's score, points and every miss with its explanation."""
    rows = await queries.question_rows(session, quiz.id)
    answers = await queries.answers_of(session, quiz.id, quiz.starter_person_id)
    asked = [r for r in rows if r.outcome in ("correct", "wrong", "timeout")]
    misses = []
    for row in asked:
        q = question_of(services, quiz.workspace_id, row)
        given = answers.get(row.position)
        if q is not None and (given is None or not given.correct):
            misses.append(views.Miss(row.position, q, given.response if given else None))
    score = sum(1 for a in answers.values() if a.correct)
    points = await session.scalar(
        select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
            PointsEntry.person_id == quiz.starter_person_id, PointsEntry.ref == f"quiz:{quiz.id}"
        )
    )
    return views.summary_pages(
        score=score, asked=len(asked), count=quiz.count, misses=misses, points=int(points or 0),
        ended=quiz.status, lead=lead, name="Practice" if quiz.mode == "practice" else "Quiz",
    )


async def race_scores(session: AsyncSession, quiz: QuizSession) -> list[tuple[str, int]]:
    scores = await queries.race_scores(session, quiz.id)
    called = await display_names(session, quiz.workspace_id, [p for p, _ in scores])
    return [(called.get(person, "someone"), wins) for person, wins in scores]


async def race_board(session: AsyncSession, quiz: QuizSession) -> str:
    return views.board_text(await race_scores(session, quiz))


async def time_out(session: AsyncSession, services: Services, row_id: int) -> Step | None:
    """Close a question whose time ran out; None when an answer or a stop came first."""
    now = services.clock.now()
    row = await session.get(QuizQuestion, row_id)
    if row is None:
        return None
    quiz = await queries.lock_quiz(session, row.session_id)
    if quiz.status != "running":
        return None
    if not await queries.close_question(session, row.id, now, "timeout", expired_only=True):
        return None
    q = question_of(services, quiz.workspace_id, row)
    if q is None:
        lead = f"⏰ Time's up for question {row.position}."
    elif quiz.mode == "race":
        lead = views.race_lead(row.position, q, None)
    else:
        lead = views.timeout_lead(row.position, q)
    step = await advance(session, services, quiz, row, now, lead, timed_out=True)
    if quiz.mode == "race" and row.message_id and q is not None:
        shut = views.race_closed(q, quiz.id, row.position, quiz.count, lead)
        step.edits.append((row.message_id, shut))
    return step


async def stop(
    session: AsyncSession,
    services: Services,
    quiz: QuizSession,
    now: datetime,
    stopped_by: str,
) -> Step:
    """Stop a running quiz (the caller checked who may); the open question closes unscored."""
    quiz = await queries.lock_quiz(session, quiz.id)
    rows = await queries.question_rows(session, quiz.id)
    step = await end(session, services, quiz, now, "stopped", stopped_by=stopped_by)
    for row in rows:
        if row.opened_at is not None and row.closed_at is None and row.message_id:
            q = question_of(services, quiz.workspace_id, row)
            if q is not None:
                lead = f"Stopped by {stopped_by}. The answer: {q.answer_text()}."
                step.edits.append(
                    (row.message_id, views.race_closed(q, quiz.id, row.position, quiz.count, lead))
                )
    return step
