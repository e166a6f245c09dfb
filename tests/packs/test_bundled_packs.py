"""The bundled packs: they validate, cover every seed topic, and their answers are computed.

Numeric answers are recomputed from their `compute` code (numpy and scipy available), every
coding reference solution runs and its example call must equal the expected output.
"""

from __future__ import annotations

import ast
import math
import time
import warnings
from collections import Counter
from typing import Any

import pytest

from bot.packs.loader import load_bundled, load_many, pack_files
from bot.packs.plan import PLAN, TARGETS
from bot.packs.schema import DIFFICULTIES, KINDS, TOPICS, Question

SEED_TOPICS = [t for t in TOPICS if t != "general"]

# Every subtopic the study guide names, per topic (issue 4): the subtopic field must say it.
SUBTOPICS = {
    "linear_algebra": ["vectors", "matrices", "eigenvalues", "svd", "pca"],
    "probability_statistics": ["bayes", "expectation", "variance", "distributions",
                               "hypothesis testing", "confidence intervals"],
    "calculus_optimization": ["derivatives", "chain rule", "gradient descent", "learning rates",
                              "logistic loss gradient", "convexity"],
    "supervised_learning": ["linear regression", "logistic regression", "decision trees",
                            "random forest vs boosting", "svm", "regularization"],
    "unsupervised_learning": ["k-means", "hierarchical clustering", "pca"],
    "deep_learning": ["backprop", "activations", "cnns", "rnns", "transformers", "attention",
                      "parameter counts", "flop counts", "overfitting"],
    "practical_skills": ["feature engineering", "encoding", "scaling", "missing data",
                         "class imbalance", "leakage"],
    "evaluation": ["precision and recall", "roc auc", "cross-validation", "a/b testing",
                   "sample size and power"],
    "system_design": ["pipelines", "latency budgets", "batch vs online", "versioning",
                      "monitoring", "drift", "fairness"],
    "coding": ["python", "numpy", "pandas"],
    "behavioral": ["ambiguity", "cross-team", "failure", "conflict", "impact"],
    "questions_to_ask": ["success metrics", "team structure", "data and infrastructure",
                         "interpretability", "deployment and monitoring"],
}
# Ideas the guide names that live inside a subtopic: some question of the topic must use them.
KEYWORDS = {
    "unsupervised_learning": ["inertia", "explained variance"],
    "practical_skills": ["class weight", "one-hot"],
    "evaluation": ["f1", "power"],
    "system_design": ["100", "200 ms"],
    "calculus_optimization": ["0.01"],
    "deep_learning": ["flops"],
    "behavioral": ["star"],
}


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return [q for pack in load_bundled().values() for q in pack.questions]


def test_every_bundled_pack_validates_without_errors() -> None:
    started = time.perf_counter()
    results = load_many(pack_files())
    elapsed = time.perf_counter() - started
    count = sum(len(r.pack.questions) for r in results if r.pack is not None)
    # Measured, not asserted (benchmarks measure; tests do not time).
    print(f"\nloaded {len(results)} bundled packs, {count} questions, in {elapsed * 1000:.0f} ms")
    for result in results:
        for problem in result.warnings:
            print(problem)
    assert [str(p) for r in results for p in r.errors] == []
    assert all(r.pack is not None for r in results)


def test_at_least_300_questions(questions: list[Question]) -> None:
    assert len(questions) >= 300


@pytest.mark.parametrize("topic", SEED_TOPICS)
def test_every_topic_has_20_questions_of_every_difficulty_and_mixed_kinds(
    questions: list[Question], topic: str
) -> None:
    mine = [q for q in questions if q.topic == topic]
    assert len(mine) >= 20
    difficulties = Counter(q.difficulty for q in mine)
    assert all(difficulties[d] >= 3 for d in DIFFICULTIES), difficulties
    kinds = Counter(q.kind for q in mine)
    assert len(kinds) >= 3, kinds


def test_all_kinds_are_used(questions: list[Question]) -> None:
    assert {q.kind for q in questions} == set(KINDS)


@pytest.mark.parametrize("topic", SEED_TOPICS)
def test_every_subtopic_of_the_guide_is_covered(questions: list[Question], topic: str) -> None:
    mine = [q for q in questions if q.topic == topic]
    subtopics = " | ".join(sorted({q.subtopic.lower() for q in mine}))
    missing = [s for s in SUBTOPICS[topic] if s not in subtopics]
    assert missing == [], f"{topic}: no question about {missing} (has {subtopics})"
    text = " ".join(f"{q.prompt} {q.explanation} {' '.join(q.tags)}" for q in mine).lower()
    assert [k for k in KEYWORDS.get(topic, []) if k not in text] == []


def test_the_plan_reaches_every_topic() -> None:
    assert {t for week in PLAN for t in week.topics} == set(SEED_TOPICS)
    assert (TARGETS.practice_questions, TARGETS.projects, TARGETS.mock_interviews) == (50, 2, 4)


def numeric(questions: list[Question]) -> list[Question]:
    return [q for q in questions if q.kind == "numeric"]


def test_every_numeric_answer_is_recomputed(questions: list[Question]) -> None:
    checked = 0
    wrong = []
    for q in numeric(questions):
        assert q.compute, f"{q.id}: a bundled numeric question shows how it is computed"
        namespace: dict[str, Any] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            exec(q.compute, namespace)  # bundled, reviewed code; never done for imported packs
        assert "result" in namespace, f"{q.id}: compute must set `result`"
        assert q.answer is not None and q.tolerance is not None
        if not math.isclose(float(namespace["result"]), q.answer, abs_tol=q.tolerance + 1e-12):
            wrong.append((q.id, q.answer, namespace["result"]))
        # A tolerance as wide as the answer would accept nearly anything.
        if q.answer != 0:
            assert q.tolerance < abs(q.answer) * 0.2, f"{q.id}: tolerance {q.tolerance} too wide"
        checked += 1
    assert wrong == []
    assert checked >= 50


def test_every_coding_solution_produces_its_expected_output(questions: list[Question]) -> None:
    coding = [q for q in questions if q.kind == "coding"]
    assert len(coding) >= 20
    wrong = []
    for q in coding:
        assert q.solution and q.example_call and q.expected_output
        namespace: dict[str, Any] = {}
        with warnings.catch_warnings():
            # a reference solution must not lean on deprecated library behaviour
            warnings.simplefilter("error")
            exec(q.solution, namespace)
            got = eval(q.example_call, namespace)
        if hasattr(got, "tolist"):  # a numpy result compares as plain Python
            got = got.tolist()
        if got != ast.literal_eval(q.expected_output):
            wrong.append((q.id, got, q.expected_output))
    assert wrong == []


def test_open_and_behavioral_questions_can_be_peer_reviewed(questions: list[Question]) -> None:
    reviewed = [q for q in questions if q.kind in ("open", "behavioral")]
    assert len(reviewed) >= 40
    for q in reviewed:
        assert q.model_answer and len(q.model_answer) >= 80, q.id
        assert q.rubric is not None and 3 <= len(q.rubric) <= 5, q.id
        assert len(set(q.rubric)) == len(q.rubric), q.id
    behavioral = [q for q in reviewed if q.kind == "behavioral"]
    assert all(
        all(word in q.model_answer.lower() for word in ("situation", "task", "action", "result"))
        for q in behavioral
        if q.model_answer
    ), "a behavioral model answer walks through the STAR steps"


def test_every_mcq_has_a_right_answer_and_distinct_choices(questions: list[Question]) -> None:
    for q in (q for q in questions if q.kind == "mcq"):
        choices = q.choices or []
        assert 3 <= len(choices) <= 6, q.id
        assert q.correct_choices, q.id
        texts = [" ".join(c.text.lower().split()) for c in choices]
        assert len(set(texts)) == len(texts), q.id


def test_explanations_teach(questions: list[Question]) -> None:
    short = [q.id for q in questions if len(q.explanation) < 120]
    assert short == []


def test_question_ids_carry_their_pack_prefix() -> None:
    for pack in load_bundled().values():
        prefixes = {q.id.split("-")[0] for q in pack.questions}
        assert len(prefixes) == 1, (pack.id, prefixes)
