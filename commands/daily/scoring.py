"""Pure peer-review rules: the rubric of a question, medians, and who reviews what.

No database here: the service feeds these functions rows and stores what they return, and
tests call them directly with small tables.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.packs.schema import Question

DEFAULT_RUBRIC = ("Correctness", "Clarity", "Completeness")
MAX_CRITERIA = 4  # a Discord modal holds 5 inputs: up to 4 criteria plus the comment
PER_REVIEWER = 2


def rubric_for(question: Question | None) -> tuple[str, ...]:
    """The criteria reviewers score: the question's own rubric (first four) or the default."""
    if question is not None and question.rubric:
        return tuple(question.rubric[:MAX_CRITERIA])
    return DEFAULT_RUBRIC


@dataclass(frozen=True)
class Score:
    """An answer's peer score: the median per criterion and their mean."""

    medians: tuple[float, ...]
    reviews: int

    @property
    def overall(self) -> float:
        return round(sum(self.medians) / len(self.medians), 2)


def score(reviews: Sequence[Sequence[int]]) -> Score | None:
    """Median per criterion over the reviews given (None without any review)."""
    usable = [r for r in reviews if r]
    if not usable:
        return None
    width = min(len(r) for r in usable)
    medians = tuple(float(statistics.median(r[i] for r in usable)) for i in range(width))
    return Score(medians, len(usable))


def final_score(reviews: Sequence[Sequence[int]], quorum: int, ended: bool) -> Score | None:
    """Scored after `quorum` reviews; once reviewing has ended, from whatever exists (>= 1)."""
    found = score(reviews)
    if found is None or (found.reviews < quorum and not ended):
        return None
    return found


def assign_reviews(
    authors: Sequence[int],
    existing: Mapping[int, int] | None = None,
    per_reviewer: int = PER_REVIEWER,
) -> dict[int, list[int]]:
    """Which answers each answerer reviews: `authors[i]` wrote answer i (in answer order).

    Least-reviewed answers first (counting `existing` reviews by answer index and the
    assignments made so far), ties going to the answers nearest after the reviewer's own, so
    the first answers do not collect every review: with no earlier reviews each answer gets
    `per_reviewer` reviewers (or one fewer). Deterministic: the same input, the same plan.
    """
    count = len(authors)
    load = {i: (existing or {}).get(i, 0) for i in range(count)}
    plan: dict[int, list[int]] = {}
    for me in range(count):
        candidates = [i for i in range(count) if authors[i] != authors[me]]
        candidates.sort(key=lambda i: (load[i], (i - me) % count))
        chosen = sorted(candidates[:per_reviewer], key=lambda i: (i - me) % count)
        for i in chosen:
            load[i] += 1
        plan[authors[me]] = chosen
    return plan


def parse_scores(values: Sequence[str], criteria: Sequence[str]) -> list[int]:
    """Whole numbers 1-5 for each criterion; raises ValueError naming the first bad one."""
    scores = []
    for value, criterion in zip(values, criteria, strict=True):
        text = value.strip()
        if not text.isdigit() or not 1 <= int(text) <= 5:
            shown = text or "nothing"
            raise ValueError(f"`{shown}` for “{short(criterion, 40)}”")
        scores.append(int(text))
    return scores


def short(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
