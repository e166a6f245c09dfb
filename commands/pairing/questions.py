"""Questions for a mock interview: one technical and one behavioral per interviewee.

The technical question comes from the interviewee's weakest topic when their answers tell us
one (most wrong answers, then the lowest share right), at the difficulty of their level, and
is never one the interviewee has seen (answered in a quiz or a daily question, or been asked
in an earlier mock interview).
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from bot.packs.schema import Question

NOT_TECHNICAL = {"behavioral", "questions_to_ask", "general"}
DIFFICULTY_FOR_LEVEL = {0: ("easy", "medium", "hard"), 1: ("medium", "hard", "easy"),
                        2: ("hard", "medium", "easy")}  # fmt: skip
_REF_PARTS = re.compile(r"[^a-z0-9_-]+")


@dataclass(frozen=True)
class Answered:
    """One recorded answer: its topic and whether it was right."""

    topic: str | None
    correct: bool | None


def weakest_topic(answers: Iterable[Answered]) -> str | None:
    """The technical topic with the most wrong answers (ties: lowest share right, then name)."""
    wrong: dict[str, int] = {}
    total: dict[str, int] = {}
    for a in answers:
        if a.topic is None or a.topic in NOT_TECHNICAL or a.correct is None:
            continue
        total[a.topic] = total.get(a.topic, 0) + 1
        if not a.correct:
            wrong[a.topic] = wrong.get(a.topic, 0) + 1
    if not wrong:
        return None
    return min(wrong, key=lambda t: (-wrong[t], (total[t] - wrong[t]) / total[t], t))


def seen_ids(refs: Iterable[str], known: Collection[str]) -> set[str]:
    """Question ids mentioned in activity refs (`quiz:12:la-003`, `la-003`, ...)."""
    found = set()
    for ref in refs:
        for part in _REF_PARTS.split(ref.lower()):
            if part in known:
                found.add(part)
    return found


def choose_technical(
    pool: Iterable[Question],
    seen: Collection[str],
    *,
    topic: str | None,
    level: int,
    rng: random.Random,
) -> Question | None:
    """An unseen technical question: the weak topic first, then any; open questions (they
    carry a rubric) before coding ones; the level's difficulty first."""
    fresh = [
        q
        for q in pool
        if q.id not in seen and q.topic not in NOT_TECHNICAL and q.kind in ("open", "coding")
    ]
    if not fresh:
        return None
    for same_topic in (True, False):
        for kind in ("open", "coding"):
            for difficulty in DIFFICULTY_FOR_LEVEL.get(level, DIFFICULTY_FOR_LEVEL[1]):
                picks = [
                    q
                    for q in fresh
                    if q.kind == kind
                    and q.difficulty == difficulty
                    and (not same_topic or topic is None or q.topic == topic)
                ]
                if picks:
                    return rng.choice(sorted(picks, key=lambda q: q.id))
            if topic is None:
                break
    return rng.choice(sorted(fresh, key=lambda q: q.id))


def choose_behavioral(
    pool: Iterable[Question], seen: Collection[str], *, level: int, rng: random.Random
) -> Question | None:
    fresh = [q for q in pool if q.id not in seen and q.kind == "behavioral"]
    if not fresh:
        return None
    for difficulty in DIFFICULTY_FOR_LEVEL.get(level, DIFFICULTY_FOR_LEVEL[1]):
        picks = [q for q in fresh if q.difficulty == difficulty]
        if picks:
            return rng.choice(sorted(picks, key=lambda q: q.id))
    return rng.choice(sorted(fresh, key=lambda q: q.id))
