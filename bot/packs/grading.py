"""Grading auto-graded answers: mcq choices, fuzzy short answers, numeric tolerance.

Short answers forgive case, spacing, punctuation and small typos, but never a different word
that merely resembles or contains the right one ("air" is not "chair"): the allowed edit
distance grows with the answer's length and is zero for short answers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from bot.packs.schema import Question, normalize

_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer."""

    correct: bool
    feedback: str


def allowed_edits(answer: str) -> int:
    """Typos forgiven for an accepted answer of this length."""
    size = len(answer.replace(" ", ""))
    if size <= 4:
        return 0
    if size <= 8:
        return 1
    return 2


def short_matches(response: str, accepted: str) -> bool:
    """Whether a typed answer is the accepted one, typos forgiven, look-alikes refused.

    A typo is forgiven only where it cannot make another word: every word keeps its first
    letter ("hair" is not "chair", "decision" is not "precision", "gradient flipping" is not
    "gradient clipping") and its digits ("L1" is not "L2"); each word gets its own small budget
    and a swap of two neighbouring letters counts as one typo.
    """
    # A full stop at the end is punctuation, not part of the answer ("Gradient clipping.").
    given, want = normalize(response).rstrip("."), normalize(accepted).rstrip(".")
    if not given:
        return False
    if given == want or given.replace(" ", "") == want.replace(" ", ""):
        return True
    budget = allowed_edits(want)
    if budget == 0 or _digits(given) != _digits(want):
        return False
    given_words, want_words = given.split(), want.split()
    if len(given_words) != len(want_words):  # a space missing or added, and a typo besides
        given_words, want_words = [given.replace(" ", "")], [want.replace(" ", "")]
    used = 0
    for typed, right in zip(given_words, want_words, strict=True):
        if typed == right:
            continue
        # A 4-letter word inside a longer answer may carry one typo ("scree plott").
        allowed = min(budget, allowed_edits(right) or int(len(right) == 4 and len(want_words) > 1))
        if typed[0] != right[0] or allowed == 0:
            return False
        # OSA: swapping two neighbouring letters ("chiar") is one typo, not two.
        edits = OSA.distance(typed, right, score_cutoff=allowed)
        if edits > allowed:
            return False
        used += edits
    return used <= budget


def _digits(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def answers_collide(a: str, b: str) -> bool:
    """Whether two different accepted answers would be credited for each other (either way)."""
    if normalize(a) == normalize(b):
        return False
    return short_matches(a, b) or short_matches(b, a)


def parse_number(text: str, unit: str | None = None) -> float | None:
    """Read a number; `15%` is 0.15 unless the question's own unit is `%`."""
    cleaned = text.strip().replace(",", "").replace("_", "").rstrip(".")
    if unit and unit != "%":
        cleaned = cleaned.removesuffix(unit).strip()
    percent = cleaned.endswith("%") and unit != "%"
    cleaned = cleaned.rstrip("%").strip()
    if not _NUMBER.match(cleaned):
        return None
    value = float(cleaned)
    return value / 100 if percent else value


def grade(question: Question, response: str) -> Grade:
    """Grade a text response (mcq: choice numbers or letters, comma separated)."""
    if question.kind == "mcq":
        return _grade_mcq(question, response)
    if question.kind == "short":
        ok = any(short_matches(response, a) for a in question.answers or [])
        return Grade(ok, "Correct!" if ok else f"Not quite: {question.answer_text()}.")
    if question.kind == "numeric":
        value = parse_number(response, question.unit)
        if value is None:
            return Grade(False, f"`{response}` is not a number I can read.")
        assert question.answer is not None and question.tolerance is not None
        ok = math.isclose(value, question.answer, abs_tol=question.tolerance + 1e-12)
        return Grade(ok, "Correct!" if ok else f"Not quite: {question.answer_text()}.")
    return Grade(False, "This question is reviewed by peers, not graded automatically.")


def choice_indexes(question: Question, response: str) -> list[int] | None:
    """'2', 'b', 'B, D' or '1 3' -> zero-based choice indexes; None when unreadable."""
    picks: list[int] = []
    count = len(question.choices or [])
    for token in re.split(r"[\s,;]+", response.strip()):
        if not token:
            continue
        if token.isdigit() and 1 <= int(token) <= count:
            picks.append(int(token) - 1)
        elif len(token) == 1 and token.isalpha() and ord(token.lower()) - 97 < count:
            picks.append(ord(token.lower()) - 97)
        else:
            return None
    return sorted(set(picks)) or None


def _grade_mcq(question: Question, response: str) -> Grade:
    picks = choice_indexes(question, response)
    if picks is None:
        count = len(question.choices or [])
        return Grade(False, f"Answer with a choice number from 1 to {count}.")
    ok = picks == question.correct_choices
    return Grade(ok, "Correct!" if ok else f"Not quite: {question.answer_text()}.")
