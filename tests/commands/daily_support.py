"""Helpers for the daily-question stories: a pack of known questions, redelivery, the ledger.

The pack `daily-test` holds an easy mcq (the second choice is right), a medium open question
with a five-criterion rubric and a hard numeric one; a channel limited to it asks them in
that order (difficulty rotates easy, medium, hard).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from bot.app import App
from bot.clock import FakeClock
from bot.config import Settings
from bot.core.events import Inbound
from bot.core.ui import Reply
from bot.store.members import find_account
from bot.store.tables import Person, PointsEntry, Workspace
from tests.harness import ConsoleBot

PACK = """
pack:
  id: daily-test
  title: Daily test pack
  version: 1
  description: Questions whose answers the daily stories know.
  author: StudyBot tests
  license: CC0-1.0
  topics: [evaluation, system_design]
questions:
  - id: dt-mcq
    topic: evaluation
    subtopic: precision
    difficulty: easy
    kind: mcq
    prompt: Which metric divides true positives by everything the model flagged?
    choices:
      - {text: "Recall"}
      - {text: "Precision", correct: true}
      - {text: "Specificity"}
    explanation: Precision is TP / (TP + FP), the share of flagged items that are right.
  - id: dt-open
    topic: system_design
    subtopic: monitoring
    difficulty: medium
    kind: open
    prompt: How would you notice that a deployed model's inputs have drifted?
    model_answer: Compare live feature distributions with the training ones and alert.
    rubric:
      - Names a statistic that compares two distributions.
      - Says which features to watch and how often.
      - Sets an alert threshold and an owner.
      - Mentions checking the labels once they arrive.
      - Explains what to do after an alert (retrain, roll back).
    explanation: Drift shows first in the inputs; labels arrive late, so watch features.
  - id: dt-num
    topic: evaluation
    subtopic: f1
    difficulty: hard
    kind: numeric
    prompt: Precision 0.5 and recall 1.0; what is F1?
    answer: 0.667
    tolerance: 0.001
    explanation: F1 is the harmonic mean, 2 * 0.5 * 1.0 / 1.5 = 0.667.
"""

MEMBERS = ("alice", "bob", "carol", "dave", "erin")


def write_pack(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "daily-test.yaml").write_text(PACK, encoding="utf-8")
    return folder


def settings_for(url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=url,
        console_images_dir=str(tmp_path / "images"),
        extra_pack_dirs=[str(write_pack(tmp_path / "packs"))],
    )


async def start_bot(url: str, clock: FakeClock, tmp_path: Path) -> ConsoleBot:
    return await ConsoleBot.start(settings_for(url, tmp_path), clock)


@dataclass
class Redelivery:
    """What the redelivering platform did: events sent, copies dropped, copies refused."""

    events: list[Inbound] = field(default_factory=list)
    dropped: int = 0
    refused: int = 0


def deliver_twice(bot: ConsoleBot) -> Redelivery:
    """Make the console behave like a platform that delivers every event a second time."""
    seen = Redelivery()
    dispatcher = bot.app.dispatcher

    async def twice(event: Inbound) -> Reply | None:
        seen.events.append(event)
        first = await dispatcher.handle(event)
        second = await dispatcher.handle(event)
        if second is None:
            seen.dropped += 1
        else:
            # A refused event stored nothing, so its copy is refused again with the same words.
            assert first is not None and second.message == first.message, event.delivery_id
            assert first.private and first.form is None
            seen.refused += 1
        return first

    bot.adapter.dispatch = twice  # type: ignore[method-assign]
    return seen


async def workspace_id(bot: ConsoleBot) -> int:
    async with bot.app.store.session() as session:
        found = await session.scalar(
            select(Workspace.id).where(Workspace.external_id == "console")
        )
        assert found is not None
        return found


async def person_id(bot: ConsoleBot, name: str) -> int:
    async with bot.app.store.session() as session:
        found = await find_account(session, await workspace_id(bot), name)
        assert found is not None, name
        return found[1].id


async def ledger(bot: ConsoleBot, name: str) -> Counter[str]:
    """Points of one member by reason."""
    pid = await person_id(bot, name)
    async with bot.app.store.session() as session:
        rows = await session.execute(
            select(PointsEntry.reason, func.sum(PointsEntry.points))
            .where(PointsEntry.person_id == pid)
            .group_by(PointsEntry.reason)
        )
        return Counter({reason: int(value) for reason, value in rows})


async def count(bot: ConsoleBot, model: type) -> int:
    async with bot.app.store.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def text(lines: list[str]) -> str:
    return "\n".join(lines)


async def points_by_name(app: App) -> dict[str, int]:
    """Every member's points by display name (any platform)."""
    async with app.store.session() as session:
        rows = await session.execute(
            select(Person.display_name, func.sum(PointsEntry.points))
            .join(PointsEntry, PointsEntry.person_id == Person.id)
            .group_by(Person.display_name)
        )
        return {name: int(value) for name, value in rows}
