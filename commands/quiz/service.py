"""The quiz's setup rules: topics, question pools and order, creating a quiz, open questions.

The state machine that moves a running quiz on (answers, timeouts, stops) is in session.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Services
from bot.core.errors import NotAllowed, UserError
from bot.core.ui import Message
from bot.packs.grading import choice_indexes, parse_number
from bot.packs.schema import DIFFICULTIES, TOPICS, Question, normalize
from bot.store.tables import Account, Channel, Person, Workspace
from commands.quiz import queries, srs, views
from commands.quiz.tables import QuizQuestion, QuizSession

SECONDS = 60  # per question
DEFAULT_COUNT = 5
MAX_COUNT = 20


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


@dataclass(frozen=True)
class Presser:
    """Who pressed or submitted: their person and workspace here, their platform user id."""

    workspace_id: int
    person_id: int
    platform: str
    user_id: str


async def open_question(
    session: AsyncSession,
    services: Services,
    *,
    presser: Presser,
    quiz_id: int,
    position: int,
    now: datetime,
) -> Open:
    """The question a press or a form refers to, or a polite reason why it cannot be answered."""
    quiz = await queries.get_quiz(session, quiz_id)
    if quiz is None or (quiz.mode == "race" and quiz.workspace_id != presser.workspace_id):
        raise UserError("That quiz no longer exists.")
    if quiz.mode != "race" and not await _is_starter(session, quiz, presser):
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


async def _is_starter(session: AsyncSession, quiz: QuizSession, presser: Presser) -> bool:
    """The starter, also when they answer from elsewhere: a quiz that moved on without them
    reaches them privately, which on Discord is a DM, outside the guild's workspace."""
    if quiz.starter_person_id == presser.person_id:
        return True
    account = await session.get(Account, quiz.starter_account_id)
    workspace = await session.get(Workspace, quiz.workspace_id)
    return (
        account is not None
        and workspace is not None
        and (workspace.platform, account.external_id) == (presser.platform, presser.user_id)
    )


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


