"""The race benchmark: many members answer the same race question in the same instant.

The benchmark script calls `race_presses` with a built app's services and dispatcher; every
press goes through the dispatcher exactly as an adapter delivers it (its own transaction,
dedup, who-and-where, the quiz rules), all at once, and the time each takes to get its answer
is measured. Platforms want an answer within 3 seconds (Discord's first response, Slack's ack).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Services
from bot.core.dispatch import Dispatcher
from bot.core.events import ActionPressed, CommandInvoked, FormSubmitted, Inbound
from bot.core.ids import ChannelRef, Platform, UserRef, WorkspaceRef
from bot.core.ui import Reply
from bot.packs.schema import Question, format_number
from bot.store.tables import Channel, Workspace
from commands.quiz import queries
from commands.quiz.views import ANSWER_FORM, LETTERS, needs_form


@dataclass(frozen=True)
class RaceTimings:
    """Seconds from delivery to answer, per press, and what the presses got."""

    latencies: list[float]
    winners: int
    refused: int  # presses answered "closed already" (they came after the winner)
    errors: int  # presses answered with the generic apology (must be 0)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def report(self) -> str:
        return (
            f"{len(self.latencies)} presses: p50 {self.percentile(50) * 1000:.0f} ms, "
            f"p99 {self.percentile(99) * 1000:.0f} ms, max {max(self.latencies) * 1000:.0f} ms; "
            f"{self.winners} winner, {self.refused} after the close, {self.errors} errors"
        )


def _press(
    q: Question, quiz_id: int, user: UserRef, channel: ChannelRef, right: bool, delivery: str
) -> Inbound:
    if q.kind == "mcq":
        wrong = [i for i in range(len(q.choices or [])) if i not in q.correct_choices]
        picks = q.correct_choices if right else wrong[:1]
        text = ", ".join(LETTERS[i] for i in picks)
    elif q.kind == "short":
        text = (q.answers or [""])[0] if right else "no idea"
    else:
        assert q.answer is not None and q.tolerance is not None
        text = format_number(q.answer if right else q.answer + 10 * q.tolerance + 1)
    if needs_form(q):
        return FormSubmitted(delivery_id=delivery, actor=user, channel=channel,
                             form_id=ANSWER_FORM, context=f"{quiz_id}:1", fields={"answer": text})
    return ActionPressed(delivery_id=delivery, actor=user, channel=channel,
                         action_id=f"quiz.pick:{quiz_id}:1:{LETTERS.index(text)}")


async def race_presses(
    services: Services, dispatcher: Dispatcher, presses: int = 200, *, run: str = "bench"
) -> RaceTimings:
    """Start a race in a fresh channel, then deliver `presses` answers to its first question
    at once (two in three right); `run` keeps channels and deliveries apart between runs.

    The members are the same in every run: the first run also creates their accounts."""
    workspace = WorkspaceRef(Platform.CONSOLE, "bench", "Benchmark")
    channel = ChannelRef(workspace, f"race-{run}", "race")
    starter = UserRef(workspace, "starter", "starter")
    started = await dispatcher.handle(CommandInvoked(
        delivery_id=f"{run}:start", actor=starter, channel=channel, name="quiz race",
        args={"count": "2"},
    ))
    assert started is not None and not started.private, started
    async with services.store.session() as session:
        quiz = await queries.running_quiz(session, f"race:{await _channel_id(session, channel)}")
        assert quiz is not None
        row = await queries.question_row(session, quiz.id, 1)
        assert row is not None
    q = services.packs.question(quiz.workspace_id, row.question_id)
    assert q is not None
    events = [
        _press(q, quiz.id, UserRef(workspace, f"m{i:04}", f"member {i}"), channel, i % 3 != 0,
               f"{run}:press:{i}")
        for i in range(presses)
    ]

    async def timed(event: Inbound) -> tuple[float, Reply | None]:
        began = time.perf_counter()
        reply = await dispatcher.handle(event)
        return time.perf_counter() - began, reply

    results = await asyncio.gather(*(timed(e) for e in events))
    await dispatcher.drain()
    texts = [r.message.plain() if r and r.message else "" for _, r in results]
    return RaceTimings(
        latencies=[seconds for seconds, _ in results],
        winners=sum("you were first" in t for t in texts),
        refused=sum("closed already" in t for t in texts),
        errors=sum("something went wrong" in t for t in texts),
    )


async def _channel_id(session: AsyncSession, ref: ChannelRef) -> int:
    found = await session.scalar(
        select(Channel.id)
        .join(Workspace, Workspace.id == Channel.workspace_id)
        .where(Workspace.external_id == ref.workspace.id, Channel.external_id == ref.id)
    )
    assert found is not None
    return int(found)
