"""Every loader rule has a failing input here, with its exact message, position and question id."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import ConfigError
from bot.packs.loader import LoadResult, Problem, load_bundled, load_file, load_many, load_text
from tests.packs.helpers import HEADER, MCQ, NUMERIC, OPEN, SHORT, VALID, at, pack

SRC = "team.yaml"


def errors(text: str) -> list[Problem]:
    result = load_text(text, SRC)
    assert result.pack is None, "a pack with an error must not be loaded"
    return result.errors


def err(text: str, needle: str, message: str, qid: str | None = None, nth: int = 1) -> Problem:
    return Problem(SRC, *at(text, needle, nth), message, qid)


def test_the_valid_pack_loads_whole() -> None:
    result = load_text(VALID, SRC)
    assert result.problems == []
    assert result.pack is not None
    assert [q.id for q in result.pack.questions] == ["tp-001", "tp-002", "tp-003", "tp-004"]
    assert result.positions["tp-002"] == at(VALID, "id: tp-002")


def test_bad_yaml_points_at_the_broken_line() -> None:
    text = VALID.replace("    subtopic: precision\n", "   subtopic: precision\n")
    assert errors(text) == [
        Problem(SRC, *at(text, "subtopic: precision"), "not valid YAML: did not find "
                "expected '-' indicator (while parsing a block collection)")
    ]
    text = VALID.replace('{text: "2"}', '{text: "2"')
    (problem,) = errors(text)
    assert problem.message == "not valid YAML: did not find expected ',' or '}' (while " \
        "parsing a flow mapping)"
    assert problem.line == at(text, '{text: "2"')[0] + 1


def test_unknown_keys_everywhere_with_a_suggestion() -> None:
    text = (
        VALID.replace("  license: CC-BY-4.0\n", "  license: CC-BY-4.0\n  licence: MIT\n")
        .replace("    explanation: Precision", "    explantion: Precision")
        .replace('{text: "2"}', '{text: "2", correctt: false}')
        + "extras: true\n"
    )
    assert errors(text) == [
        err(text, "licence:", "unknown key `licence`; did you mean `license`?"),
        err(text, "correctt", "unknown key `correctt`; did you mean `correct`?", "tp-001"),
        err(text, "id: tp-002", "missing `explanation`", "tp-002"),
        err(text, "explantion:", "unknown key `explantion`; did you mean `explanation`?",
            "tp-002"),
        err(text, "extras:", "unknown key `extras`"),
    ]


def test_a_question_id_used_twice_in_one_pack() -> None:
    text = pack(MCQ, NUMERIC, MCQ.replace("determinant?", "determinant, again?"))
    first_line = at(text, "id: tp-001")[0]
    assert errors(text) == [
        err(text, "id: tp-001", f"question id tp-001 is used twice in this pack (first on line "
            f"{first_line})", "tp-001", nth=2),
    ]


def test_a_question_id_used_in_two_packs(tmp_path: Path) -> None:
    first = tmp_path / "a.yaml"
    first.write_text(VALID, encoding="utf-8")
    other = pack(SHORT.replace("harmonic mean", "harmonic average"), header=HEADER.replace(
        "id: team-pack", "id: other-pack"))
    second = tmp_path / "b.yaml"
    second.write_text(other, encoding="utf-8")
    a, b = load_many([first, second])
    assert a.pack is not None and a.errors == []
    assert b.pack is None
    assert b.errors == [
        Problem(str(second), *at(other, "id: tp-003"),
                f"question id tp-003 is already used in {first}; ids must be unique across "
                "packs", "tp-003")
    ]


def test_a_pack_id_used_twice(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID, encoding="utf-8")
    text = pack(SHORT.replace("tp-003", "zz-003").replace("harmonic mean", "mean, harmonic,"))
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    a, b = load_many(sorted(tmp_path.glob("*.yaml")))
    assert a.pack is not None and b.pack is None
    assert b.errors == [
        Problem(str(tmp_path / "b.yaml"), *at(text, "id: team-pack"),
                f"pack id team-pack is already used by {tmp_path / 'a.yaml'}")
    ]


def test_an_mcq_without_a_correct_choice() -> None:
    text = VALID.replace('{text: "0", correct: true}', '{text: "0"}')
    assert errors(text) == [
        err(text, "choices:", "an mcq question needs at least one choice with correct: true",
            "tp-001")
    ]


def test_mcq_choice_rules() -> None:
    same = VALID.replace('{text: "2"}', '{text: " 0 "}')
    assert [p.message for p in errors(same)] == ["two choices have the same text"]
    single = VALID.replace('      - {text: "2"}\n', "")
    assert [p.message for p in errors(single)] == ["an mcq question has 2 to 6 choices"]


def test_a_numeric_question_without_tolerance() -> None:
    text = VALID.replace("    tolerance: 0.01\n", "")
    assert errors(text) == [err(text, "id: tp-002", "a numeric question needs tolerance",
                                "tp-002")]
    for bad, message in (("-0.5", "`tolerance`: Input should be greater than or equal to 0"),
                         (".nan", "`tolerance`: Input should be a finite number")):
        text = VALID.replace("tolerance: 0.01", f"tolerance: {bad}")
        assert errors(text) == [err(text, "tolerance:", message, "tp-002")]


def test_an_unknown_topic() -> None:
    text = VALID.replace("    topic: evaluation\n    subtopic: metrics",
                         "    topic: evalution\n    subtopic: metrics")
    assert errors(text) == [
        err(text, "topic: evalution", "unknown topic `evalution`; did you mean `evaluation`? "
            "the topics are linear_algebra, probability_statistics, calculus_optimization, "
            "supervised_learning, unsupervised_learning, deep_learning, practical_skills, "
            "evaluation, system_design, coding, behavioral, questions_to_ask, general",
            "tp-003")
    ]


def test_a_topic_missing_from_the_header() -> None:
    text = VALID.replace("topics: [linear_algebra, evaluation]", "topics: [linear_algebra]")
    assert errors(text) == [
        err(text, "topic: evaluation", "topic evaluation is not in the pack's topics "
            "(linear_algebra); add it to `pack.topics`", qid, nth=n)
        for n, qid in ((1, "tp-002"), (2, "tp-003"))
    ]


@pytest.mark.parametrize("empty", ['""', "", "'   '"])
def test_an_empty_explanation(empty: str) -> None:
    text = VALID.replace(
        "    explanation: F1 = 2PR / (P + R); the arithmetic mean would hide a very low recall.",
        f"    explanation: {empty}",
    )
    assert errors(text) == [
        err(text, "explanation: " + empty if empty else "explanation: \n",
            "`explanation` is empty: say why the answer is right and why the common wrong "
            "answer is wrong", "tp-003")
    ]


def test_a_short_explanation_is_a_warning_only() -> None:
    text = VALID.replace(
        "    explanation: F1 = 2PR / (P + R); the arithmetic mean would hide a very low recall.",
        "    explanation: It is F1.",
    )
    result = load_text(text, SRC)
    assert result.pack is not None
    assert result.problems == [
        Problem(SRC, *at(text, "explanation: It is F1."), "the explanation is too short to "
                "teach: say why the answer is right and why the common wrong answer is wrong",
                "tp-003", warning=True)
    ]


def test_fields_of_another_kind() -> None:
    text = VALID.replace("    answers: [F1, F1 score, F-score]\n",
                         "    answers: [F1, F1 score, F-score]\n    answer: 1\n"
                         "    rubric: [a, b, c]\n")
    assert errors(text) == [
        err(text, "answer: 1", "answer, rubric do not belong to a short question", "tp-003")
    ]
    text = VALID.replace("kind: open", "kind: coding")
    assert errors(text) == [
        err(text, "id: tp-004", "a coding question needs solution and example_call and "
            "expected_output", "tp-004")
    ]


@pytest.mark.parametrize("criteria", [["a", "b"], ["a", "b", "c", "d", "e", "f"]])
def test_a_rubric_needs_three_to_five_criteria(criteria: list[str]) -> None:
    rubric = "\n".join(f"      - criterion {c}" for c in criteria)
    text = pack(MCQ, OPEN.replace(
        "      - Says PCA finds directions of variance around the mean\n"
        "      - Explains what goes wrong without centring\n"
        "      - Gives an example", rubric))
    assert errors(text) == [
        err(text, "rubric:", f"a rubric has 3 to 5 criteria, not {len(criteria)}", "tp-004")
    ]


def test_header_rules() -> None:
    text = VALID.replace("id: team-pack", "id: Team Pack").replace("version: 1", "version: 0")
    text = text.replace("  author: The team\n", "")
    assert errors(text) == [
        Problem(SRC, 1, 1, "missing `author`"),
        err(text, "id: Team Pack", "pack id `Team Pack` must be 1-40 lowercase letters, digits "
            "and -, starting with a letter or digit"),
        err(text, "version: 0", "`version`: Input should be greater than or equal to 1"),
    ]
    assert errors("questions: []\n") == [
        Problem(SRC, 1, 1, "missing `pack` (the header: id, title, version, ...)"),
        Problem(SRC, 1, 1, "`questions` must be a non-empty list"),
    ]


def test_question_field_rules() -> None:
    text = (VALID.replace("id: tp-003", "id: TP 3")
            .replace("difficulty: hard", "difficulty: extreme")
            .replace("kind: numeric", "kind: essay"))
    assert errors(text) == [
        err(text, "kind: essay", "`kind` must be one of mcq, short, numeric, open, behavioral "
            "or coding, not `essay`", "tp-002"),
        err(text, "id: TP 3", "question id `TP 3` must be 1-40 lowercase letters, digits, - "
            "and _, starting with a letter or digit", "TP 3"),
        err(text, "difficulty: extreme", "`difficulty` must be one of easy, medium or hard, "
            "not `extreme`", "tp-004"),
    ]


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    text = (
        VALID.replace("  title: Team questions\n", "")
        .replace('{text: "0", correct: true}', '{text: "0"}')
        .replace("    tolerance: 0.01\n", "")
        .replace("    topic: evaluation\n    subtopic: metrics",
                 "    topic: evalution\n    subtopic: metrics")
        .replace("      - Gives an example\n", "")
        .replace("    answers: [F1, F1 score, F-score]", "    answers: [F1]\n    colour: red")
    )
    found = errors(text)
    assert [(p.question_id, p.message.split(";")[0]) for p in found] == [
        (None, "missing `title`"),
        ("tp-001", "an mcq question needs at least one choice with correct: true"),
        ("tp-002", "a numeric question needs tolerance"),
        ("tp-003", "unknown topic `evalution`"),
        ("tp-003", "unknown key `colour`"),
        ("tp-004", "a rubric has 3 to 5 criteria, not 2"),
    ]
    assert [(p.line, p.column) for p in found] == sorted((p.line, p.column) for p in found)


def test_field_errors_and_kind_errors_of_one_question_come_together() -> None:
    text = VALID.replace("    tolerance: 0.01\n", "").replace("answer: 0.8", "answer: lots")
    assert errors(text) == [
        err(text, "id: tp-002", "a numeric question needs tolerance", "tp-002"),
        err(text, "answer: lots", "`answer`: Input should be a valid number, unable to parse "
            "string as a number", "tp-002"),
    ]


def test_a_broken_pack_is_never_half_loaded(tmp_path: Path) -> None:
    text = pack(MCQ, NUMERIC, SHORT, OPEN.replace("kind: open", "kind: opne"))
    result = load_text(text, SRC)
    assert result.pack is None and len(result.errors) == 1
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "team.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"team\.yaml:\d+:\d+: error \[tp-004\]: `kind` must"):
        load_bundled([str(folder)])


def test_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    result = load_file(tmp_path / "missing.yaml")
    assert result.errors == [
        Problem(str(tmp_path / "missing.yaml"), 1, 1, "cannot read the file: No such file or "
                "directory")
    ]


def test_problem_text_names_file_line_column_and_question() -> None:
    problem = Problem("team.yaml", 12, 5, "a numeric question needs tolerance", "tp-002")
    assert str(problem) == "team.yaml:12:5: error [tp-002]: a numeric question needs tolerance"
    assert str(Problem("t.yaml", 1, 1, "x", warning=True)) == "t.yaml:1:1: warning: x"
    assert LoadResult("x").errors == []


def test_yaml_booleans_are_not_words_but_numbers_are() -> None:
    text = VALID.replace("[F1, F1 score, F-score]", "[no, F1 score]")
    assert errors(text) == [
        err(text, "no, F1", '`answers.0` reads as YAML\'s false (a yes/no value); put the word '
            'in quotes, e.g. "no"', "tp-003")
    ]
    result = load_text(VALID.replace("[F1, F1 score, F-score]", "[6, six]"), SRC)
    assert result.pack is not None
    assert result.pack.by_id["tp-003"].answers == ["6", "six"]
