"""Checks across questions and packs: duplicate ids, near-duplicate prompts, risky answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.packs.grading import answers_collide
from bot.packs.schema import normalize

if TYPE_CHECKING:
    from bot.packs.loader import LoadResult

NEAR_DUPLICATE = 90.0


def lint_across(results: list[LoadResult]) -> None:
    """Add cross-pack problems to `results`; a pack with a new error is dropped."""
    from bot.packs.loader import Problem

    owners: dict[str, LoadResult] = {}
    pack_ids: dict[str, LoadResult] = {}
    entries = []
    for result in results:
        pack = result.pack
        if pack is None:
            continue
        if pack.id in pack_ids:
            result.problems.append(
                Problem(result.source, 1, 1, f"pack id {pack.id} is already used by "
                        f"{pack_ids[pack.id].source}")
            )
        pack_ids.setdefault(pack.id, result)
        for q in pack.questions:
            line, col = result.positions.get(q.id, (1, 1))
            if q.id in owners and owners[q.id] is not result:
                result.problems.append(
                    Problem(result.source, line, col,
                            f"question id {q.id} is already used in {owners[q.id].source}", q.id)
                )
            owners.setdefault(q.id, result)
            entries.append((result, q))
            for a in q.answers or []:
                if len(normalize(a)) <= 3:
                    result.problems.append(
                        Problem(result.source, line, col,
                                f"accepted answer `{a}` is so short that only an exact match "
                                "counts; consider an mcq", q.id, warning=True)
                    )
    prompts = [normalize(q.prompt) for _, q in entries]
    if len(prompts) > 1:
        scores = process.cdist(prompts, prompts, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE)
        for i, j in zip(*scores.nonzero(), strict=True):
            if i < j:
                (ra, qa), (_, qb) = entries[i], entries[j]
                line, col = ra.positions.get(qa.id, (1, 1))
                ra.problems.append(
                    Problem(ra.source, line, col,
                            f"prompt is nearly the same as question {qb.id}", qa.id, warning=True)
                )
    by_topic: dict[str, list[tuple[LoadResult, str, str]]] = {}
    for result, q in entries:
        for a in q.answers or []:
            by_topic.setdefault(q.topic, []).append((result, q.id, a))
    for items in by_topic.values():
        for n, (ra, qa, a) in enumerate(items):
            for _, qb, b in items[n + 1 :]:
                if qa != qb and answers_collide(a, b):
                    line, col = ra.positions.get(qa, (1, 1))
                    ra.problems.append(
                        Problem(ra.source, line, col,
                                f"accepted answer `{a}` is so close to `{b}` (question {qb}) "
                                "that one could be credited for the other", qa, warning=True)
                    )
    for result in results:
        if result.errors:
            result.pack = None
