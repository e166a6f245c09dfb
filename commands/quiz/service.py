"""The quiz rules: start, answer, time out, stop. Solo and practice are private, races public.

Each function runs inside one transaction and returns a `Step`: how the quiz moved on and what
to show afterwards. Sending happens after commit (delivery.py), so nothing is shown for a
change that was rolled back. Who wins a race question, and whether a timeout or an answer
closes a question first, is decided by `queries.close_question` in the database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Services
from bot.core.errors import NotAllowed, UserError
from bot.core.ui import Message
from bot.packs.grading import Grade, choice_indexes, parse_number
from bot.packs.schema import DIFFICULTIES, TOPICS, Question, normalize
from bot.store.activity import record_activity
from bot.store.ledger import award, points_value
from bot.store.tables import Channel, Person, PointsEntry, Workspace
from commands.quiz import queries, srs, views
from commands.quiz.tables import QuizQuestion, QuizSession

SECONDS = 60  # per question
DEFAULT_COUNT = 5
MAX_COUNT = 20
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


def private_key(person_id: int) -> str:
    return f"solo:{person_id}"


def race_key(channel_id: int) -> str:
    return f"race:{channel_id}"


def resolve_topic(text: str | None) -> str | None:
    """A topic from its key, its title or an unambiguous start of either; None for any."""
    if not text:
        return None
    wanted = normalize(text).replace("_", " ")
    if wanted in ("any", "all"):
        return None
    names = {key: {key.replace("_", " "), normalize(title)} for key, title in TOPICS.items()}
    for key, forms in names.items():
        if wanted in forms:
            return key
    starts = [key for key, forms in names.items() if any(f.startswith(wanted) for f in forms)]
    if len(starts) == 1:
        return starts[0]
    raise UserError(
        f"I don't know the topic `{text}`. Topics: {', '.join(sorted(TOPICS))}."
    )


def zone_of(person: Person, channel: Channel | None) -> str:
    return person.timezone or (channel.timezone if channel is not None else None) or "UTC"


def pool(
    services: Services, workspace_id: int, topic: str | None, difficulty: str | None
) -> list[Question]:
    """Auto-graded questions the workspace sees, limited to a topic and difficulty."""
    found = [
        q
        for q in services.packs.questions(workspace_id)
        if q.auto_graded
        and (topic is None or q.topic == topic)
        and (difficulty is None or q.difficulty == difficulty)
    ]
    return sorted(found, key=lambda q: q.id)


def no_questions(topic: str | None, difficulty: str | None) -> UserError:
    what = " ".join(part for part in (difficulty, TOPICS.get(topic or "")) if part)
    return UserError(
        f"I have no {what or 'auto-graded'} questions. Try another topic, or leave the "
        "difficulty out."
    )


def order_for_member(
    questions: list[Question], cards: dict[str, srs.SrsCard], seed: str
) -> list[str]:
    """Unseen questions first (shuffled), then seen ones, those due soonest first."""
    rng = random.Random(seed)
    unseen = [q.id for q in questions if q.id not in cards]
    rng.shuffle(unseen)
    seen = sorted((q.id for q in questions if q.id in cards), key=lambda i: (cards[i].due, i))
    return unseen + seen


def check_difficulty(value: str | None) -> str | None:
    if value is not None and value not in DIFFICULTIES:
        raise UserError(f"The difficulty is one of {', '.join(DIFFICULTIES)}.")
    return value


async def create(
    session: AsyncSession,
    *,
    mode: str,
    key: str,
    workspace: Workspace,
    channel: Channel | None,
    person: Person,
    account_id: int,
    question_ids: list[str],
    topic: str | None,
    difficulty: str | None,
    now: datetime,
) -> QuizSession | None:
    return await queries.create_quiz(
        session,
        {
            "workspace_id": workspace.id,
            "channel_id": channel.id if channel is not None else None,
            "mode": mode,
            "starter_person_id": person.id,
            "starter_account_id": account_id,
            "topic": topic,
            "difficulty": difficulty,
            "count": len(question_ids),
            "seconds": SECONDS,
            "current": 1,
            "status": "running",
            "running_key": key,
            "started_at": now,
        },
        question_ids,
        now,
    )


def question_of(services: Services, workspace_id: int, row: QuizQuestion) -> Question | None:
    return services.packs.question(workspace_id, row.question_id)


def ask(services: Services, quiz: QuizSession, row: QuizQuestion, lead: str = "",
        board: str | None = None) -> Message:
    q = question_of(services, quiz.workspace_id, row)
    if q is None:
        raise UserError("This question is no longer in the packs; `/quiz stop` ends the quiz.")
    return views.question_message(
        q,
        session_id=quiz.id,
        position=row.position,
        count=quiz.count,
        seconds=quiz.seconds,
        race=quiz.mode == "race",
        lead=lead,
        board=board,
    )


@dataclass(frozen=True)
class Open:
    """A question a member may answer right now."""

    quiz: QuizSession
    row: QuizQuestion
    question: Question


async def open_question(
    session: AsyncSession,
    services: Services,
    *,
    workspace_id: int,
    person_id: int,
    quiz_id: int,
    position: int,
    now: datetime,
) -> Open:
    """The question a press or a form refers to, or a polite reason why it cannot be answered."""
    quiz = await queries.get_quiz(session, quiz_id)
    if quiz is None or quiz.workspace_id != workspace_id:
        raise UserError("That quiz no longer exists.")
    if quiz.mode != "race" and quiz.starter_person_id != person_id:
        raise NotAllowed("This quiz is someone else's, just for them. Start your own with `/quiz`.")
    if quiz.status != "running":
        raise UserError("This quiz is over; start a new one with `/quiz`.")
    row = await queries.question_row(session, quiz.id, position)
    if row is None or row.opened_at is None:
        raise UserError("That question is not open yet.")
    if row.closed_at is not None:
        raise UserError(closed_text(quiz, position))
    assert row.deadline is not None
    if now > row.deadline:
        raise UserError(f"Time's up for question {position}; the answer is on its way.")
    q = question_of(services, quiz.workspace_id, row)
    if q is None:
        raise UserError("This question is no longer in the packs.")
    return Open(quiz, row, q)


def closed_text(quiz: QuizSession, position: int) -> str:
    text = f"Question {position} is closed already"
    if quiz.status == "running" and quiz.current != position:
        where = "above" if quiz.mode == "race" else "waiting for you"
        text += f"; question {quiz.current} is {where}"
    return text + "."


def read_response(q: Question, text: str) -> str:
    """Check that a typed answer can be graded at all (a typo in a number is not a miss)."""
    text = text.strip()
    if not text:
        raise UserError("Type an answer first.")
    if q.kind == "numeric" and parse_number(text, q.unit) is None:
        raise UserError(
            f"`{text}` is not a number I can read; press Answer again and type a number "
            "such as 0.16, 16% or 1,024."
        )
    if q.kind == "mcq" and choice_indexes(q, text) is None:
        raise UserError("Type the letters of your choices, such as `A, C`; press Answer again.")
    return text


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
    ref = f"quiz:{quiz.id}:{attempt.open.row.position}"
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
            called = await queries.names(session, workspace.id, [closed.winner_person_id])
            winner = called.get(closed.winner_person_id)
        return RaceAnswer(True, False, winner, None)
    await _award(session, workspace, person.id, "quiz_race_win", f"{quiz.id}:{row.position}",
                 quiz, now, topic=q.topic)
    me = (await queries.names(session, workspace.id, [person.id])).get(person.id, "someone")
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
    """A finished quiz counts for the streak of whoever took part; solo ones earn points."""
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
            ref=f"quiz:{quiz.id}", at=now, local_day=day, topic=quiz.topic,
        )
        if quiz.mode != "race":
            await _award(session, workspace, person_id, "quiz_finished", str(quiz.id), quiz, now)


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
        ended=quiz.status, lead=lead,
    )


async def race_scores(session: AsyncSession, quiz: QuizSession) -> list[tuple[str, int]]:
    scores = await queries.race_scores(session, quiz.id)
    called = await queries.names(session, quiz.workspace_id, [p for p, _ in scores])
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
