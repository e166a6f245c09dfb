"""Handlers of /quiz, /quiz race, /quiz stop, /practice, the answer buttons and the answer form.

They read the event, call the rules in service.py inside the event's transaction, and answer
the member; channel posts and extra private messages go out after commit (delivery.py).
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.context import Context, Services
from bot.core.errors import NotAllowed, UserError
from bot.core.events import ActionPressed, FormSubmitted
from bot.core.ui import Message, Reply
from bot.packs.grading import grade
from bot.packs.schema import TOPICS
from bot.store.members import display_names
from commands.quiz import delivery, queries, service, srs, views
from commands.quiz import session as quiz_session
from commands.quiz.service import DEFAULT_COUNT
from commands.quiz.session import Step
from commands.quiz.tables import QuizSession
from commands.spec import DueWork


def _numbers(arg: str, size: int) -> list[int]:
    parts = arg.split(":")
    if len(parts) != size or not all(p.isdigit() for p in parts):
        raise UserError("That button no longer works.")
    return [int(p) for p in parts]


def _about(topic: str | None, difficulty: str | None) -> str:
    parts = [difficulty or "", TOPICS[topic] if topic else "mixed topics"]
    return " ".join(p for p in parts if p)


async def start_solo(ctx: Context) -> Reply:
    topic = service.resolve_topic(ctx.args.get("topic"))
    difficulty = service.check_difficulty(ctx.args.get("difficulty"))
    count = int(ctx.args.get("count", DEFAULT_COUNT))
    running = await queries.running_quiz(ctx.session, service.private_key(ctx.person.id))
    if running is not None:
        return await _show_again(ctx, running)
    questions = service.pool(ctx.services, ctx.workspace.id, topic, difficulty)
    if not questions:
        raise service.no_questions(topic, difficulty)
    cards = await srs.cards_of(ctx.session, ctx.person.id)
    seed = f"{ctx.person.id}:{ctx.now.isoformat()}"
    ids = service.order_for_member(questions, cards, seed)[:count]
    note = f" (only {len(ids)} match)" if len(ids) < count else ""
    lead = f"Your quiz: {views.questions(len(ids))} on {_about(topic, difficulty)}{note}."
    return await _start_private(ctx, "solo", ids, topic, difficulty, lead)


async def practice(ctx: Context) -> Reply:
    running = await queries.running_quiz(ctx.session, service.private_key(ctx.person.id))
    if running is not None:
        return await _show_again(ctx, running)
    zone = service.zone_of(ctx.person, ctx.channel)
    _day, start, end = srs.day_bounds(ctx.now, zone)
    left = srs.DAILY_CAP - await srs.served_today(ctx.session, ctx.person.id, start)
    if left <= 0:
        raise UserError(
            f"You practised {srs.DAILY_CAP} questions today, the daily limit. The rest wait "
            "for tomorrow, so a backlog never arrives all at once."
        )
    known = {q.id for q in service.pool(ctx.services, ctx.workspace.id, None, None)}
    wanted = min(left, int(ctx.args.get("count", left)))
    ids = await srs.due_questions(ctx.session, ctx.person.id, end, known=known, limit=wanted)
    if not ids:
        return Reply.private_text(await _nothing_due(ctx, known))
    total = await srs.due_count(ctx.session, ctx.person.id, ctx.now, zone=zone, known=known)
    later = f" ({total - len(ids)} more today after these)" if total > len(ids) else ""
    noun = "question" if len(ids) == 1 else "questions"
    lead = f"Practice: {len(ids)} {noun} due for review{later}."
    return await _start_private(ctx, "practice", ids, None, None, lead)


async def _nothing_due(ctx: Context, known: set[str]) -> str:
    cards = await srs.cards_of(ctx.session, ctx.person.id)
    upcoming = sorted(c.due for qid, c in cards.items() if qid in known)
    if not upcoming:
        return (
            "Nothing to practise yet: every answer you give in `/quiz` schedules a review, and "
            "`/practice` brings those questions back when they are due."
        )
    return f"Nothing is due today. Your next review is on {_day(upcoming[0], ctx)}."


def _day(when: datetime, ctx: Context) -> str:
    return when.astimezone(ZoneInfo(service.zone_of(ctx.person, ctx.channel))).date().isoformat()


async def _start_private(
    ctx: Context,
    mode: str,
    ids: list[str],
    topic: str | None,
    difficulty: str | None,
    lead: str,
) -> Reply:
    quiz = await service.create(
        ctx.session, mode=mode, key=service.private_key(ctx.person.id), workspace=ctx.workspace,
        channel=ctx.channel, person=ctx.person, account_id=ctx.account.id, question_ids=ids,
        topic=topic, difficulty=difficulty, now=ctx.now,
    )
    if quiz is None:  # another event of the same member started one a moment ago
        running = await queries.running_quiz(ctx.session, service.private_key(ctx.person.id))
        if running is None:
            raise UserError("Your quiz could not start; please try again.")
        return await _show_again(ctx, running)
    row = await queries.question_row(ctx.session, quiz.id, 1)
    assert row is not None
    lead += f" {quiz.seconds} seconds each; `/quiz stop` ends it."
    return Reply(service.ask(ctx.services, quiz, row, lead=lead))


async def _show_again(ctx: Context, quiz: QuizSession) -> Reply:
    row = await queries.question_row(ctx.session, quiz.id, quiz.current)
    if row is None or row.closed_at is not None:
        raise UserError("Your quiz is moving on; try again in a moment.")
    lead = (
        f"You have a quiz running already (question {quiz.current} of {quiz.count}); here it "
        "is again. `/quiz stop` ends it."
    )
    return Reply(service.ask(ctx.services, quiz, row, lead=lead))


async def start_race(ctx: Context) -> Reply:
    if ctx.channel is None or ctx.event.channel is None:
        raise UserError("Start a race in a channel, where others can join in.")
    topic = service.resolve_topic(ctx.args.get("topic"))
    count = int(ctx.args.get("count", DEFAULT_COUNT))
    key = service.race_key(ctx.channel.id)
    running = await queries.running_quiz(ctx.session, key)
    if running is not None:
        raise UserError(_race_running(running))
    questions = service.pool(ctx.services, ctx.workspace.id, topic, None)
    if not questions:
        raise service.no_questions(topic, None)
    ids = [q.id for q in questions]
    random.Random(f"race:{ctx.channel.id}:{ctx.now.isoformat()}").shuffle(ids)
    quiz = await service.create(
        ctx.session, mode="race", key=key, workspace=ctx.workspace, channel=ctx.channel,
        person=ctx.person, account_id=ctx.account.id, question_ids=ids[:count], topic=topic,
        difficulty=None, now=ctx.now,
    )
    if quiz is None:
        running = await queries.running_quiz(ctx.session, key)
        raise UserError(_race_running(running) if running else "Another race just started.")
    row = await queries.question_row(ctx.session, quiz.id, 1)
    assert row is not None
    step = Step(quiz, next=service.ask(ctx.services, quiz, row), next_row_id=row.id)
    _post_race(ctx, step)
    return Reply.public(
        Message(
            title="Quiz race!",
            text=(
                f"{ctx.account.display_name} started a race: {views.questions(quiz.count)} on "
                f"{_about(topic, None)}. The first correct answer wins each question (one try "
                f"each, {quiz.seconds} seconds per question). The starter or an admin can end "
                "it with `/quiz stop`."
            ),
        )
    )


def _race_running(quiz: QuizSession) -> str:
    return (
        f"A race is running in this channel already (question {quiz.current} of {quiz.count}). "
        "Join in, or start yours when it ends."
    )


def _post_race(ctx: Context, step: Step) -> None:
    channel = ctx.event.channel
    assert channel is not None
    services, platform = ctx.services, ctx.platform
    ctx.later(lambda: delivery.race(services, platform, channel, step))


async def stop(ctx: Context) -> Reply:
    quiz = await queries.running_quiz(ctx.session, service.private_key(ctx.person.id))
    if quiz is None and ctx.channel is not None:
        quiz = await queries.running_quiz(ctx.session, service.race_key(ctx.channel.id))
        if quiz is not None and quiz.starter_person_id != ctx.person.id and not ctx.is_admin:
            starter = await display_names(ctx.session, ctx.workspace.id, [quiz.starter_person_id])
            raise NotAllowed(
                f"Only {starter.get(quiz.starter_person_id, 'the starter')}, who started this "
                "race, or an admin can stop it."
            )
    if quiz is None:
        raise UserError("There is nothing to stop: you have no quiz running, and no race is "
                        "running in this channel.")
    me = ctx.account.display_name
    step = await quiz_session.stop(ctx.session, ctx.services, quiz, ctx.now, me)
    if quiz.mode == "race":
        _post_race(ctx, step)
        return Reply.private_text("You stopped the race; the final scoreboard is posted.")
    return _private_reply(ctx, step)


async def pick(ctx: Context) -> Reply:
    quiz_id, position, choice = _numbers(ctx.action_arg, 3)
    open_ = await _open(ctx, quiz_id, position)
    q = open_.question
    if views.needs_form(q) or not 0 <= choice < len(q.choices or []):
        raise UserError("That button no longer works.")
    return await _answer(ctx, open_, views.LETTERS[choice])


async def open_form(ctx: Context) -> Reply:
    quiz_id, position = _numbers(ctx.action_arg, 2)
    open_ = await _open(ctx, quiz_id, position)
    # A private question closes with its one answer; in a race each member has one try.
    race = open_.quiz.mode == "race"
    if race and await queries.has_answered(ctx.session, quiz_id, position, ctx.person.id):
        raise UserError(f"You answered question {position} already; one try each.")
    return Reply.open(views.answer_form(open_.question, quiz_id, position, open_.quiz.count))


async def submit(ctx: Context) -> Reply:
    event = ctx.event
    assert isinstance(event, FormSubmitted)
    quiz_id, position = _numbers(event.context, 2)
    open_ = await _open(ctx, quiz_id, position)
    response = service.read_response(open_.question, event.fields.get("answer", ""))
    return await _answer(ctx, open_, response)


async def _open(ctx: Context, quiz_id: int, position: int) -> service.Open:
    presser = service.Presser(ctx.workspace.id, ctx.person.id, ctx.platform.value,
                              ctx.event.actor.id)
    return await service.open_question(
        ctx.session, ctx.services, presser=presser, quiz_id=quiz_id, position=position,
        now=ctx.now,
    )


async def _answer(ctx: Context, open_: service.Open, response: str) -> Reply:
    verdict = grade(open_.question, response)
    if open_.quiz.mode != "race":
        # Credit the quiz's own member and workspace (the press may come from a DM).
        workspace, channel, _account, person = await queries.places(ctx.session, open_.quiz)
        attempt = quiz_session.Attempt(
            workspace, person, channel, open_, response, verdict, ctx.now
        )
        step = await quiz_session.answer_private(ctx.session, ctx.services, attempt)
        return _private_reply(ctx, step)
    attempt = quiz_session.Attempt(
        ctx.workspace, ctx.person, ctx.channel, open_, response, verdict, ctx.now
    )
    result = await quiz_session.answer_race(ctx.session, ctx.services, attempt)
    if result.step is not None:
        _post_race(ctx, result.step)
    position = open_.row.position
    if result.won:
        return Reply.private_text(f"✅ Correct, and you were first! +{result.points} points.")
    if result.correct:
        return Reply.private_text(f"✅ Correct, but {result.winner or 'someone'} was faster.")
    return Reply.private_text(f"❌ Not quite. That was your one try at question {position}.")


def _private_reply(ctx: Context, step: Step) -> Reply:
    """The next question or the summary, replacing the message that was pressed."""
    edit = isinstance(ctx.event, ActionPressed | FormSubmitted)
    if step.next is not None:
        return Reply(step.next, private=True, edit=edit)
    first, rest = step.pages[0], step.pages[1:]
    if rest:
        services, platform, user = ctx.services, ctx.platform, ctx.event.actor
        channel = ctx.event.channel
        ctx.later(lambda: delivery.private(services, platform, channel, user, rest))
    return Reply(first, private=True, edit=edit)


async def due_deadlines(services: Services, until: datetime) -> list[DueWork]:
    """Questions whose time ran out by `until` (the deadline job)."""
    async with services.store.session() as session:
        found = await queries.due_timeouts(session, until)
    return [
        DueWork(at=deadline, key=f"quiz-deadline:{row_id}", run=_timeout_of(row_id))
        for row_id, deadline in found
    ]


def _timeout_of(row_id: int) -> Callable[[Services], Awaitable[None]]:
    async def run(services: Services) -> None:
        await delivery.run_timeout(services, row_id)

    return run


async def suggest_topics(_services: Services, prefix: str, _workspace: str) -> list[str]:
    wanted = prefix.lower().replace(" ", "_")
    return [key for key in sorted(TOPICS) if wanted in key]
