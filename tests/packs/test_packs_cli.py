"""`studybot packs list | validate | show | new`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.packs.loader import load_bundled
from tests.packs.helpers import VALID


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = main(list(argv))
    return code, capsys.readouterr().out.splitlines()


def test_list_prints_counts_per_pack_topic_difficulty_and_kind(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = run(capsys, "packs", "list")
    assert code == 0
    packs = load_bundled()
    total = sum(len(p.questions) for p in packs.values())
    assert f"{total} questions in all" in out
    head = next(line for line in out if line.startswith("topic"))
    assert head.split() == ["topic", "questions", "easy", "medium", "hard", "mcq", "short",
                            "numeric", "open", "behavioral", "coding"]
    row = next(line for line in out if line.startswith("linear_algebra "))
    questions = [q for p in packs.values() for q in p.questions if q.topic == "linear_algebra"]
    numbers = [int(n) for n in row.split()[1:]]
    assert numbers[0] == len(questions)
    assert numbers[1:4] == [sum(q.difficulty == d for q in questions)
                            for d in ("easy", "medium", "hard")]
    assert sum(numbers[4:]) == len(questions)
    assert out[-1].split()[:3] == ["all", "topics", str(total)]


def test_validate_exits_1_with_every_problem(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(VALID, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(VALID.replace("    tolerance: 0.01\n", "").replace("kind: open", "kind: opn"),
                   encoding="utf-8")
    code, out = run(capsys, "packs", "validate", str(good))
    assert code == 0 and out == [f"{good}: ok, 4 questions, 0 error(s), 0 warning(s)"]
    code, out = run(capsys, "packs", "validate", str(bad))
    assert code == 1
    assert [line.split(": error ")[1].split(":")[0] for line in out[:-1]] == ["[tp-002]",
                                                                            "[tp-004]"]
    assert out[-1] == f"{bad}: REJECTED, 0 questions, 2 error(s), 0 warning(s)"


def test_validate_checks_an_own_pack_beside_the_bundled_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(VALID.replace("tp-001", "la-001"), encoding="utf-8")
    code, out = run(capsys, "packs", "validate", str(mine))
    assert code == 1
    assert "error [la-001]: question id la-001 is already used in pack linear-algebra" in out[0]
    code, out = run(capsys, "packs", "validate", "question_packs")
    assert code == 0 and all(": ok," in line for line in out)


def test_new_prints_a_template_that_validates(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    code, out = run(capsys, "packs", "new")
    assert code == 0 and out[0].startswith("# A StudyBot question pack.")
    path = tmp_path / "new.yaml"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    code, out = run(capsys, "packs", "validate", str(path))
    assert code == 0, out


def test_show_prints_one_pack(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "packs", "show", "linear-algebra")
    assert code == 0 and out[0].startswith("Linear algebra (v1")
    assert any(line.startswith("[la-001] linear_algebra/") for line in out)
    code, out = run(capsys, "packs", "show", "nope")
    assert code == 1 and out == ["no bundled pack with id nope"]
