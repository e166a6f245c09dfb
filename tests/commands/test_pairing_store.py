"""Pairing's database rules under races, on SQLite and on PostgreSQL.

Two schedulers closing the same round, two runners claiming the same send, and the same
feedback or no-show arriving twice at once (different deliveries) must each count once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.adapters.console.port import STUDY, WORKSPACE
from bot.clock import FakeClock
from bot.config import Settings
from bot.core.events import FormSubmitted
from bot.core.ids import UserRef
from commands.pairing.closing import close_round
from commands.pairing.jobs import run_task
from commands.pairing.tables import PairFeedback, PairGroup, PairRound, PairTask
from tests.commands.pairing_support import person_id
from tests.harness import ConsoleBot


@pytest.fixture
async def bot(any_db_url: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[ConsoleBot]:
    settings = Settings(database_url=any_db_url, console_images_dir=str(tmp_path / "images"))
    started = await ConsoleBot.start(settings, clock)
    yield started
    await started.stop()


async def count(bot: ConsoleBot, model: type) -> int:
    async with bot.app.store.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_round_is_closed_once_and_each_send_claimed_once(
    bot: ConsoleBot, clock: FakeClock
) -> None:
    for who in ("alice", "bob"):
        await bot.say('/pair join availability:"Thu 18:00-21:00"', as_=who)
    async with bot.app.store.session() as session:
        round_id = await session.scalar(select(PairRound.id))
    assert round_id is not None
    clock.set(clock.now().replace(day=2, hour=9))
    services = bot.app.services
    await asyncio.gather(close_round(services, round_id), close_round(services, round_id))
    assert await count(bot, PairGroup) == 1
    async with bot.app.store.session() as session:
        intro = await session.scalar(select(PairTask.id).where(PairTask.kind == "intro"))
    assert intro is not None
    before = len(bot.adapter.console_port.spaces)
    await asyncio.gather(run_task(services, intro), run_task(services, intro))
    assert len(bot.adapter.console_port.spaces) == before + 1
    # and the scheduler, asked afterwards, finds nothing left to do for them
    await bot.app.scheduler.run_due(clock.now())
    assert len(bot.adapter.console_port.spaces) == before + 1


async def test_feedback_arriving_twice_at_once_is_stored_once(
    bot: ConsoleBot, clock: FakeClock
) -> None:
    for who in ("alice", "bob"):
        await bot.say('/pair join availability:"Thu 18:00-21:00"', as_=who)
    await bot.say("!time +25h")
    async with bot.app.store.session() as session:
        group_id = await session.scalar(select(PairGroup.id))
    alice = await person_id(bot, "alice")

    def submit(delivery: str) -> FormSubmitted:
        return FormSubmitted(
            delivery_id=delivery,
            actor=UserRef(WORKSPACE, "bob", "bob"),
            channel=STUDY,
            form_id="pair.fb",
            context=f"{group_id}.{alice}",
            fields={"overall": "3", "strengths": "Calm", "improve": "Speak up"},
        )

    replies = await asyncio.gather(
        bot.app.dispatcher.handle(submit("a")), bot.app.dispatcher.handle(submit("b"))
    )
    await bot.app.dispatcher.drain()
    texts = sorted(r.message.text for r in replies if r is not None and r.message is not None)
    assert texts == [
        "Thank you! I sent your feedback to alice privately.",
        "You already sent feedback for this interview; it's been delivered.",
    ]
    assert await count(bot, PairFeedback) == 1
    assert "\n".join(bot.lines).count("[DM alice] == Feedback from bob") == 1
