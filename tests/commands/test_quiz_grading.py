"""Typed answers: real typos are forgiven, answers that only look like the right one are not."""

from __future__ import annotations

import pytest

from bot.packs.grading import grade, short_matches
from bot.packs.loader import load_bundled

TYPOS = [
    ("Chiar", "chair"),  # two letters swapped
    ("chair.", "chair"),  # a full stop
    ("Gradiant cliping.", "gradient clipping"),
    ("gradientcliping", "gradient clipping"),  # a missing space and a typo
    ("precission", "precision"),
    ("sensitivty", "sensitivity"),
    ("dendogram", "dendrogram"),
    ("Hessain", "Hessian"),
    ("casual mask", "causal mask"),
    ("orthagonal", "orthogonal"),
    ("autodifferentation", "autodifferentiation"),
    ("scree plott", "scree plot"),
    ("Bessels corection", "Bessel's correction"),
    ("l2 regularisation", "L2 regularization"),
]
LOOK_ALIKES = [
    ("air", "chair"),  # contained in the answer
    ("hair", "chair"),  # one letter away, but another word
    ("decision", "precision"),
    ("gradient flipping", "gradient clipping"),
    ("clipping", "gradient clipping"),
    ("L1 regularization", "L2 regularization"),  # digits are never typos
    ("tagging", "bagging"),
    ("mean", "median"),
    ("rand index", "adjusted rand index"),
    ("true negative rate", "true positive rate"),
    ("specificity", "sensitivity"),
    ("leaky relu", "dead ReLU"),
    ("Jacobian", "Hessian"),
]


@pytest.mark.parametrize(("typed", "accepted"), TYPOS)
def test_real_typos_are_forgiven(typed: str, accepted: str) -> None:
    assert short_matches(typed, accepted)


@pytest.mark.parametrize(("typed", "accepted"), LOOK_ALIKES)
def test_answers_that_only_look_alike_are_wrong(typed: str, accepted: str) -> None:
    assert not short_matches(typed, accepted)


def test_bundled_short_questions_take_their_typos_and_refuse_their_neighbours() -> None:
    by_id = {q.id: q for p in load_bundled().values() for q in p.questions}
    assert grade(by_id["dl-020"], "gradiant clipping").correct
    assert grade(by_id["dl-007"], "dying relu").correct
    assert not grade(by_id["dl-007"], "leaky relu").correct
    assert grade(by_id["ev-003"], "sensitivty").correct
    assert not grade(by_id["ev-003"], "specificity").correct
    assert not grade(by_id["ul-028"], "rand index").correct
    assert not grade(by_id["px-015"], "mean").correct
