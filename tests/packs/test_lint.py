"""Lint warnings: near-duplicate prompts (also across packs) and risky short answers."""

from __future__ import annotations

from pathlib import Path

from bot.packs.grading import grade, short_matches
from bot.packs.lint import lint_across
from bot.packs.loader import LoadResult, Problem, load_many, load_text
from tests.packs.helpers import HEADER, MCQ, SHORT, VALID, at, pack


def short_question(qid: str, prompt: str, answers: str, topic: str = "evaluation") -> str:
    return (
        SHORT.replace("tp-003", qid)
        .replace("Which metric is the harmonic mean of precision and recall?", prompt)
        .replace("[F1, F1 score, F-score]", answers)
        .replace("topic: evaluation", f"topic: {topic}")
    )


def loaded(text: str, source: str = "p.yaml") -> LoadResult:
    result = load_text(text, source)
    assert result.errors == []
    return result


def test_near_duplicate_prompts_across_packs_warn_on_the_later_pack(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID, encoding="utf-8")
    copy = MCQ.replace("tp-001", "zz-001").replace("What is its determinant?",
                                                   "What is the determinant?")
    other = pack(copy, header=HEADER.replace("team-pack", "other-pack"))
    (tmp_path / "b.yaml").write_text(other, encoding="utf-8")
    a, b = load_many(sorted(tmp_path.glob("*.yaml")))
    assert a.problems == []
    assert b.pack is not None, "a warning never rejects a pack"
    assert b.problems == [
        Problem(str(tmp_path / "b.yaml"), *at(other, "id: zz-001"), "prompt is nearly the same "
                "as question tp-001 (pack team-pack)", "zz-001", warning=True)
    ]


def test_different_prompts_do_not_warn() -> None:
    result = loaded(VALID)
    lint_across([result])
    assert result.problems == []


def test_air_and_chair() -> None:
    text = pack(
        short_question("q-air", "What do lungs fill with?", "[air]"),
        short_question("q-chair", "What do you sit on at a desk?", "[chair, desk chair]"),
    )
    result = loaded(text)
    lint_across([result])
    assert result.pack is not None
    assert [(p.question_id, p.message) for p in result.problems] == [
        ("q-air", "accepted answer `air` is very short: only an exact match counts and a guess "
                  "may hit it; add the longer forms members will type, or make it an mcq"),
        ("q-chair", "accepted answer `chair` looks like `air` (the answer to question q-air): "
                    "`air` sits inside `chair`; make sure each prompt rules the other answer "
                    "out"),
    ]
    assert all(p.warning for p in result.problems)
    # and the grader itself never mixes them up
    assert not short_matches("chair", "air") and not short_matches("air", "chair")


def test_answers_the_grader_would_credit_for_each_other() -> None:
    text = pack(
        short_question("q-a", "Which ensemble trains trees on bootstrap samples?", "[bagging]"),
        short_question("q-b", "What do you call putting items in a bag?", "[bagcing]"),
    )
    result = loaded(text)
    lint_across([result])
    assert short_matches("bagcing", "bagging")  # one typo is forgiven at this length
    assert [(p.question_id, p.message) for p in result.problems] == [
        ("q-b", "accepted answer `bagcing` is so close to `bagging` (the answer to question "
                "q-a) that a member who answers one is credited for the other; make the "
                "answers more specific"),
    ]


def test_alike_answers_of_different_topics_do_not_warn() -> None:
    text = pack(
        short_question("q-a", "Which ensemble trains trees on bootstrap samples?", "[bagging]"),
        short_question("q-b", "Packing groceries into sacks is called?", "[bagcing]",
                       topic="linear_algebra"),
    )
    result = loaded(text)
    lint_across([result])
    assert result.problems == []


def test_yes_no_answers_are_guessable() -> None:
    text = pack(short_question("q-yn", "Is accuracy enough on imbalanced data?", '["no"]'))
    result = loaded(text)
    lint_across([result])
    assert [p.message.split(":")[0] for p in result.problems] == [
        "accepted answer `no` is very short"
    ]


def test_an_import_is_linted_against_the_packs_beside_it() -> None:
    existing = loaded(VALID).pack
    assert existing is not None
    text = pack(MCQ.replace("tp-001", "new-001"),
                header=HEADER.replace("team-pack", "new-pack"))
    result = loaded(text, "upload.yaml")
    lint_across([result], existing={"team-pack": existing})
    assert [(p.question_id, p.message, p.warning) for p in result.problems] == [
        ("new-001", "prompt is nearly the same as question tp-001 (pack team-pack)", True)
    ]
    assert result.pack is not None


def test_grading_forgives_typos_but_not_other_words() -> None:
    question = loaded(VALID).pack.by_id["tp-003"]  # type: ignore[union-attr]
    assert grade(question, "f1 score").correct
    assert grade(question, "F1-score").correct
    assert grade(question, "f1 scre").correct
    assert not grade(question, "F2").correct
    assert not grade(question, "").correct
