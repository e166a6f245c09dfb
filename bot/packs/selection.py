"""Choosing the next question for a channel.

Rules: follow the plan's topics of the week unless the channel chose topics or packs itself;
never repeat a question in a channel until its enabled pool is exhausted (then start a new
cycle); mix difficulties (rotate easy -> medium -> hard as available); reproducible with a seed.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from bot.packs.schema import DIFFICULTIES, Question


@dataclass(frozen=True)
class Pick:
    """The chosen question, and whether the channel's pool was exhausted (a new cycle began)."""

    question: Question
    new_cycle: bool


def pool_for(
    questions: Iterable[Question],
    *,
    packs: Collection[str] | None = None,
    pack_of: dict[str, str] | None = None,
    topics: Collection[str] | None = None,
    kinds: Collection[str] | None = None,
) -> list[Question]:
    """The enabled pool: questions of the enabled packs, optionally limited to topics/kinds."""
    chosen = []
    for q in questions:
        if packs is not None and pack_of is not None and pack_of.get(q.id) not in packs:
            continue
        if topics and q.topic not in topics:
            continue
        if kinds and q.kind not in kinds:
            continue
        chosen.append(q)
    return sorted(chosen, key=lambda q: q.id)


def next_difficulty(recent: Sequence[str]) -> str:
    """Rotate through easy, medium, hard after the last difficulty asked."""
    if not recent:
        return DIFFICULTIES[0]
    last = recent[-1]
    return DIFFICULTIES[(DIFFICULTIES.index(last) + 1) % len(DIFFICULTIES)]


def choose(
    pool: Sequence[Question],
    asked: Collection[str],
    *,
    preferred_topics: Collection[str] = (),
    recent_difficulties: Sequence[str] = (),
    seed: int | str = 0,
) -> Pick | None:
    """Pick the next question; `asked` holds the ids asked in the current cycle."""
    if not pool:
        return None
    fresh = [q for q in pool if q.id not in asked]
    new_cycle = not fresh
    if new_cycle:
        fresh = list(pool)
    rng = random.Random(f"{seed}:{len(asked)}")
    candidates = [q for q in fresh if q.topic in preferred_topics] or fresh
    wanted = next_difficulty(recent_difficulties)
    for offset in range(len(DIFFICULTIES)):
        level = DIFFICULTIES[(DIFFICULTIES.index(wanted) + offset) % len(DIFFICULTIES)]
        matching = [q for q in candidates if q.difficulty == level]
        if matching:
            return Pick(rng.choice(matching), new_cycle)
    return Pick(rng.choice(candidates), new_cycle)
