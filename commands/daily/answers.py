"""Answers: written in the thread (open mode) or sent through the Answer form (any mode).

One answer per member per question, edited in place until the window closes (the last version
counts). A member's first message in an open thread is their answer; later ones are discussion,
and edits go through the Answer button, which opens with the current text. In blind mode the
thread takes no answers: they arrive privately and are revealed together at the close.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from bot.core.errors import NotFound, UserError
from bot.core.events import FormSubmitted, MessagePosted
from bot.core.ids import MessageRef
from bot.core.outbox import post_once, sent
from bot.core.ui import Reply
from bot.packs.grading import Grade, choice_indexes, grade, parse_number
from bot.packs.schema import Question
from bot.store.activity import record_activity
from bot.store.upsert import insert_returning
from commands.daily import queries, views
from commands.daily.points import give_all
from commands.daily.queries import Place
from commands.daily.scoring import short
from commands.daily.tables import DailyAnswer, DailyPost
from commands.daily.timing import local_date, show_local
from commands.quiz import srs


async def load_place(ctx: Context, raw_id: str) -> Place:
    """The post a button or form refers to, if it belongs to this workspace."""
    place = await queries.place_of(ctx.session, int(raw_id)) if raw_id.isdigit() else None
    if place is None or place.workspace.id != ctx.workspace.id:
        raise NotFound("That daily question no longer exists.")
    return place


def is_open(post: DailyPost, ctx: Context) -> bool:
    return post.close_claimed_at is None and ctx.now < post.closes_at


def closed_text(place: Place, now: datetime) -> str:
    post = place.post
    zone = place.channel.timezone
    text = (
        f"Sorry, answers to daily question #{post.number} closed at "
        f"{show_local(post.closes_at, zone)}, so I did not record this one. The model answer "
        "and everyone's answers are in the thread."
    )
    if post.review_claimed_at is None and now < post.review_ends_at:
        text += f" You can still review them there until {show_local(post.review_ends_at, zone)}."
    return text


async def answer_pressed(ctx: Context) -> Reply:
    """The Answer button: a form, opened with the member's current answer if any."""
    place = await load_place(ctx, ctx.action_arg)
    if not is_open(place.post, ctx):
        raise UserError(closed_text(place, ctx.now))
    existing = await queries.answer_of(ctx.session, place.post.id, ctx.person.id)
    question = ctx.services.packs.question(ctx.workspace.id, place.post.question_id)
    current = existing.text if existing is not None else ""
    return Reply.open(views.answer_form(place.post, question, current))


async def answer_submitted(ctx: Context) -> Reply:
    event = ctx.event
    assert isinstance(event, FormSubmitted)
    place = await load_place(ctx, event.context)
    return await record(ctx, place, event.fields.get("answer", ""), via="form")


async def thread_message(ctx: Context) -> Reply | None:
    """Listener: a member's message in a daily thread (None for anything else)."""
    event = ctx.event
    if not isinstance(event, MessagePosted) or event.message is None:
        return None
    thread = event.message.thread
    if thread is None:
        return None
    place = await queries.place_by_thread(ctx.session, ctx.workspace.id, thread.id,
                                          thread.channel.id)
    if place is None:
        return None
    post = place.post
    if await queries.answer_of(ctx.session, post.id, ctx.person.id) is not None:
        return None  # they answered already: this is discussion
    if not is_open(post, ctx):
        return Reply.private_text(closed_text(place, ctx.now))
    if post.reveal == "blind":
        # No button here: on Discord this reply travels as a DM, outside the server.
        return Reply.private_text(
            f"Daily question #{post.number} is in blind mode: answers are collected "
            "privately and revealed together at the close, so I did not record this message. "
            "Please press Answer under the question to send yours. I cannot delete messages "
            "that members write, so yours stays visible in the thread; you may want to remove "
            "it yourself."
        )
    return await record(ctx, place, event.text, via="thread")


def readable(question: Question | None, text: str) -> None:
    """Auto-graded answers must be readable as what the question asks for."""
    if question is None or not question.auto_graded:
        return
    if question.kind == "mcq" and choice_indexes(question, text) is None:
        count = len(question.choices or [])
        raise UserError(
            f"I read answers to this question as a choice number from 1 to {count} or a letter "
            f"(for example 2 or B), so I did not record `{short(text, 60)}`. "
            "Send just your choice, or press Answer."
        )
    if question.kind == "numeric" and parse_number(text, question.unit) is None:
        raise UserError(
            f"I read answers to this question as a number, so I did not record "
            f"`{short(text, 60)}`. Send just the number (e.g. 0.25 or 25%)."
        )


def clean(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise UserError(
            "I could not find any text in your answer (an image or an empty message?). "
            "Write it as text, or press Answer."
        )
    if len(text) > views.ANSWER_LIMIT:
        raise UserError(
            f"Your answer is {len(text):,} characters long; the limit is 4,000. Please shorten "
            "it and send it again."
        )
    return text


async def record(ctx: Context, place: Place, raw: str, *, via: str) -> Reply:
    """Store a new answer or an edit; grade auto-graded kinds; award first-time points."""
    post = place.post
    if not is_open(post, ctx):
        raise UserError(closed_text(place, ctx.now))
    text = clean(raw)
    question = ctx.services.packs.question(ctx.workspace.id, post.question_id)
    readable(question, text)
    verdict = grade(question, text) if question is not None and question.auto_graded else None
    answer, new = await _store(ctx, post, text, via, verdict)
    if new:
        await _first_time(ctx, place, answer, verdict)
    if post.reveal == "open" and via == "form":
        _echo_later(ctx, place, answer, ctx.account.display_name, edited=not new)
    return Reply.private_text(_ack(place, answer, question, verdict, new, via))


async def _store(
    ctx: Context, post: DailyPost, text: str, via: str, verdict: Grade | None
) -> tuple[DailyAnswer, bool]:
    now = ctx.now
    half = post.claimed_at + (post.closes_at - post.claimed_at) / 2
    answer = await insert_returning(
        ctx.session,
        DailyAnswer,
        {
            "post_id": post.id,
            "person_id": ctx.person.id,
            "account_id": ctx.account.id,
            "text": text,
            "via": via,
            "edits": 0,
            "on_time": now <= half,
            "correct": verdict.correct if verdict is not None else None,
            "created_at": now,
            "updated_at": now,
        },
    )
    if answer is not None:
        return answer, True
    answer = await queries.answer_of(ctx.session, post.id, ctx.person.id)
    assert answer is not None
    answer.text = text
    answer.via = via
    answer.edits += 1
    answer.updated_at = now
    return answer, False


async def _first_time(
    ctx: Context, place: Place, answer: DailyAnswer, verdict: Grade | None
) -> None:
    post, now = place.post, ctx.now
    # The question id ends the ref: the recap's most-missed questions read it from there.
    ref = f"daily:{post.id}:{post.question_id}"
    earned = ["daily_answer"]
    if answer.on_time:
        earned.append("daily_on_time")
    if verdict is not None and verdict.correct:
        earned.append("daily_correct")
    awards = [(reason, f"daily:{reason.removeprefix('daily_')}:{answer.id}") for reason in earned]
    await give_all(ctx.session, ctx.workspace, person_id=ctx.person.id, awards=awards, now=now,
                   ref=ref, topic=post.topic)
    zone = ctx.person.timezone or place.channel.timezone or "UTC"
    await record_activity(
        ctx.session,
        workspace_id=ctx.workspace.id,
        person_id=ctx.person.id,
        kind="daily_answer",
        ref=ref,
        at=now,
        local_day=local_date(now, zone),
        topic=post.topic,
        correct=verdict.correct if verdict is not None else None,
    )
    if verdict is not None:  # graded answers feed the member's spaced-repetition schedule
        await srs.record_review(ctx.session, person_id=ctx.person.id,
                                question_id=post.question_id, correct=verdict.correct,
                                at=now, ref=ref)


def _ack(
    place: Place,
    answer: DailyAnswer,
    question: Question | None,
    verdict: Grade | None,
    new: bool,
    via: str,
) -> str:
    post = place.post
    deadline = show_local(post.closes_at, place.channel.timezone)
    if new:
        lines = [f"Thanks, your answer to daily question #{post.number} is in."]
    else:
        lines = [f"Your answer to daily question #{post.number} is updated; the last version "
                 "counts."]
    if post.reveal == "blind":
        lines.append(f"It stays private until the close ({deadline}); then all answers are "
                     "revealed together.")
    elif via == "thread":
        lines.append("To change it, press Answer under the question (it opens with your text); "
                     "your later messages in the thread count as discussion.")
    lines.append(f"You can edit it until {deadline}.")
    if verdict is not None and question is not None:
        lines.append("")
        lines.append(("**Correct!**" if verdict.correct else f"**{verdict.feedback}**")
                     + " " + question.explanation)
        if not new:
            first = "correct" if answer.correct else "not correct"
            lines.append(f"(Points count your first answer, which was {first}.)")
    return "\n".join(lines)


def _echo_later(
    ctx: Context, place: Place, answer: DailyAnswer, name: str, *, edited: bool
) -> None:
    """Open mode: show a form answer in the thread at once (an edit updates that message)."""
    services = ctx.services
    thread, channel = place.thread_ref, place.channel_ref
    key = f"daily:{place.post.id}:echo:{answer.id}"
    message = views.echo_message(answer, name, edited)

    async def echo() -> None:
        async with services.store.session() as session:
            existing = await sent(session, key)
        if existing is None or existing.message_id is None:
            await post_once(services, key, channel, message, thread=thread)
        else:
            await services.chat(channel.workspace.platform).update(
                MessageRef(channel, existing.message_id, thread), message
            )

    if thread is not None:
        ctx.later(echo)
