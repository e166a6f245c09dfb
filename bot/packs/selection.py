"""Choosing the next question for a channel.

Rules: follow the plan's topics of the week unless the channel chose topics or packs itself;
never repeat a question in a channel until its enabled pool is exhausted (then start a new
cycle); mix difficulties (rotate easy -> medium -> hard as available); reproducible with a seed.

The state is only the channel's history of asked question ids (oldest first): `next_question`
derives the current cycle from it, so a caller stores nothing else. Ids are stable across pack
versions, so a new version of a pack keeps what was already asked; a question that was removed
simply leaves the pool, a new one joins it.
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
    if packs is not None and pack_of is None:
        raise TypeError("pool_for needs pack_of (question id -> pack id) to filter by packs")
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


@dataclass(frozen=True)
class Cycle:
    """Where a channel stands: ids asked in the current cycle and how many cycles finished."""

    asked: frozenset[str]
    finished: int
    recent_difficulties: tuple[str, ...]


def cycle_state(history: Sequence[str], pool: Sequence[Question]) -> Cycle:
    """The current cycle from a channel's asked ids (oldest first) and its enabled pool.

    A cycle ends when every question of the pool has been asked; ids outside the pool (a
    disabled pack, a removed question) do not count."""
    by_id = {q.id: q for q in pool}
    asked: set[str] = set()
    finished = 0
    for qid in history:
        if qid in by_id:
            asked.add(qid)
            if len(asked) == len(by_id):
                asked = set()
                finished += 1
    recent = tuple(by_id[qid].difficulty for qid in history[-3:] if qid in by_id)
    return Cycle(frozenset(asked), finished, recent)


def next_question(
    pool: Sequence[Question],
    history: Sequence[str],
    *,
    preferred_topics: Collection[str] = (),
    seed: int | str = 0,
) -> Pick | None:
    """The next question for a channel whose asked ids, oldest first, are `history`.

    `preferred_topics` are the plan's topics of the week (or the channel's own choice); the
    seed (e.g. the channel id) makes the order reproducible and different per channel."""
    cycle = cycle_state(history, pool)
    pick = choose(
        pool,
        cycle.asked,
        preferred_topics=preferred_topics,
        recent_difficulties=cycle.recent_difficulties,
        seed=f"{seed}:{cycle.finished}",
    )
    if pick is not None and cycle.finished and not cycle.asked:
        return Pick(pick.question, new_cycle=True)  # the pool was exhausted: a new round
    return pick


def choose(
    pool: Sequence[Question],
    asked: Collection[str],
    *,
    preferred_topics: Collection[str] = (),
    recent_difficulties: Sequence[str] = (),
    seed: int | str = 0,
) -> Pick | None:
    """Pick the next question; `asked` holds the ids asked in the current cycle.

    Preference order: a fresh question of the preferred topics, of the next difficulty in the
    rotation; then another difficulty of those topics; then any fresh question."""
    if not pool:
        return None
    # Sorted, so that the same seed gives the same pick whatever order the pool came in.
    ordered = sorted(pool, key=lambda q: q.id)
    fresh = [q for q in ordered if q.id not in asked]
    new_cycle = not fresh
    if new_cycle:
        fresh = ordered
    rng = random.Random(f"{seed}:{len(asked)}")
    candidates = [q for q in fresh if q.topic in preferred_topics] or fresh
    wanted = next_difficulty(recent_difficulties)
    for offset in range(len(DIFFICULTIES)):
        level = DIFFICULTIES[(DIFFICULTIES.index(wanted) + offset) % len(DIFFICULTIES)]
        matching = [q for q in candidates if q.difficulty == level]
        if matching:
            return Pick(rng.choice(matching), new_cycle)
    return Pick(rng.choice(candidates), new_cycle)
