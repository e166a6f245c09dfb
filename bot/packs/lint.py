"""Checks across questions and packs: duplicate ids, near-duplicate prompts, risky answers.

Errors: a pack id or question id used twice (across files, or by a pack an import would sit
beside), a pack id reserved by a bundled pack. Warnings: prompts that are nearly the same,
accepted answers so short that a guess matches them, and accepted answers of different
questions of a topic so alike that one would be credited for the other (the grader forgives
typos) or be confused with it ("air" and "chair").
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.packs.grading import short_matches
from bot.packs.schema import Pack, Question, normalize

if TYPE_CHECKING:
    from bot.packs.loader import LoadResult

NEAR_DUPLICATE = 90.0  # rapidfuzz ratio (0-100) of two normalized prompts
SHORT_ANSWER = 3  # characters; such an answer is matched exactly and is easy to guess
GUESSABLE = {"yes", "no", "true", "false"}


@dataclass(frozen=True)
class _Entry:
    """A question seen by the lint: `result` is None for a pack already in use (context)."""

    result: LoadResult | None
    pack_id: str
    question: Question

    @property
    def where(self) -> tuple[int, int]:
        if self.result is None:
            return (1, 1)
        return self.result.positions.get(self.question.id, (1, 1))


def lint_across(
    results: list[LoadResult],
    existing: Mapping[str, Pack] | None = None,
    reserved: Collection[str] = (),
) -> None:
    """Add cross-pack problems to `results`; a result with an error loses its pack.

    `existing` are packs already in use that the new ones must fit beside (for an import: the
    bundled packs and the workspace's other imports); `reserved` are pack ids nobody may take.
    Problems are only ever added to `results`, never to the existing packs.
    """
    existing = existing or {}
    entries = [_Entry(None, pid, q) for pid, p in existing.items() for q in p.questions]
    owner_of_question = {e.question.id: f"pack {e.pack_id}" for e in entries}
    owner_of_pack = {pid: f"pack {pid}" for pid in existing}
    for result in results:
        pack = result.pack
        if pack is None:
            continue
        if pack.id in reserved:
            result.error(
                result.pack_position,
                f"pack id {pack.id} belongs to a bundled pack; give your pack another id",
            )
        elif pack.id in owner_of_pack:
            result.error(
                result.pack_position, f"pack id {pack.id} is already used by "
                f"{owner_of_pack[pack.id]}"
            )
        else:
            owner_of_pack[pack.id] = result.source
        for q in pack.questions:
            entry = _Entry(result, pack.id, q)
            if q.id in owner_of_question:
                result.error(
                    entry.where,
                    f"question id {q.id} is already used in {owner_of_question[q.id]}; "
                    "ids must be unique across packs",
                    q.id,
                )
            else:
                owner_of_question[q.id] = result.source
            entries.append(entry)
            # Short answers are fine beside longer forms of the same answer ("F1", "F1 score").
            only_short = all(
                len(normalize(a).replace(" ", "")) <= SHORT_ANSWER for a in q.answers or []
            )
            for answer in q.answers or []:
                text = normalize(answer)
                if (only_short and len(text.replace(" ", "")) <= SHORT_ANSWER) or (
                    text in GUESSABLE
                ):
                    result.warn(
                        entry.where,
                        f"accepted answer `{answer}` is very short: only an exact match counts "
                        "and a guess may hit it; add the longer forms members will type, or "
                        "make it an mcq",
                        q.id,
                    )
    _near_duplicates(entries)
    _risky_answers(entries)
    for result in results:
        if result.errors:
            result.pack = None


def _blame(a: _Entry, b: _Entry) -> tuple[_Entry, _Entry] | None:
    """Which of two entries gets the warning: the newer one that is being checked."""
    if b.result is not None:
        return b, a
    if a.result is not None:
        return a, b
    return None


def _close_pairs(texts: list[str], *, distance: bool, cutoff: float) -> set[tuple[int, int]]:
    """Index pairs (i < j) of texts within `cutoff` (an edit distance, or a similarity score).

    process.extract runs in C and, unlike cdist, needs no numpy (a runtime dependency we do not
    have outside the tests)."""
    scorer: Any = Levenshtein.distance if distance else fuzz.ratio
    pairs: set[tuple[int, int]] = set()
    for i, text in enumerate(texts):
        for _, _, j in process.extract(
            text, texts, scorer=scorer, score_cutoff=cutoff, limit=None
        ):
            if i < j:
                pairs.add((i, j))
    return pairs


def _contained_pairs(texts: list[str]) -> set[tuple[int, int]]:
    """Pairs where a short one-word answer sits inside a longer word ("air" in "chair")."""
    inside: dict[str, set[int]] = {}
    for m, text in enumerate(texts):
        for word in set(text.split()):
            for size in range(1, min(4, len(word) - 1) + 1):
                for k in range(len(word) - size + 1):
                    inside.setdefault(word[k : k + size], set()).add(m)
    pairs: set[tuple[int, int]] = set()
    for n, text in enumerate(texts):
        if len(text) <= 4 and " " not in text:
            pairs |= {(min(n, m), max(n, m)) for m in inside.get(text, ()) if m != n}
    return pairs


def _near_duplicates(entries: list[_Entry]) -> None:
    prompts = [normalize(e.question.prompt) for e in entries]
    for i, j in sorted(_close_pairs(prompts, distance=False, cutoff=NEAR_DUPLICATE)):
        blamed = _blame(entries[i], entries[j])
        if blamed is None:
            continue
        mine, other = blamed
        assert mine.result is not None
        mine.result.warn(
            mine.where,
            f"prompt is nearly the same as question {other.question.id} "
            f"(pack {other.pack_id})",
            mine.question.id,
        )


def _risky_answers(entries: list[_Entry]) -> None:
    """Accepted answers of different questions of one topic that could be mixed up."""
    by_topic: dict[str, list[tuple[_Entry, str]]] = {}
    for entry in entries:
        for answer in entry.question.answers or []:
            by_topic.setdefault(entry.question.topic, []).append((entry, answer))
    for items in by_topic.values():
        if all(e.result is None for e, _ in items):
            continue  # nothing new in this topic
        texts = [normalize(a) for _, a in items]
        # Candidates (within 2 edits, or contained); the grader itself decides which is which.
        contained = _contained_pairs(texts)
        pairs = _close_pairs(texts, distance=True, cutoff=2) | contained
        warned: set[tuple[str, str]] = set()
        for i, j in sorted(pairs):
            (ea, a), (eb, b) = items[i], items[j]
            if ea.question.id == eb.question.id or texts[i] == texts[j]:
                continue
            blamed = _blame(ea, eb)
            if blamed is None:
                continue
            mine, other = blamed
            ours, theirs = (a, b) if mine is ea else (b, a)
            key = (mine.question.id, other.question.id)
            if key in warned:
                continue  # one warning per pair of questions is enough
            assert mine.result is not None
            if short_matches(theirs, ours) or short_matches(ours, theirs):
                message = (
                    f"accepted answer `{ours}` is so close to `{theirs}` (the answer to "
                    f"question {other.question.id}) that a member who answers one is credited "
                    "for the other; make the answers more specific"
                )
            elif (i, j) in contained:
                inner, outer = sorted((ours, theirs), key=lambda t: len(normalize(t)))
                message = (
                    f"accepted answer `{ours}` looks like `{theirs}` (the answer to question "
                    f"{other.question.id}): `{inner}` sits inside `{outer}`; make sure each "
                    "prompt rules the other answer out"
                )
            else:
                continue  # close in spelling, but the grader keeps them apart
            warned.add(key)
            mine.result.warn(mine.where, message, mine.question.id)
