"""Hostile and broken files: YAML bombs, deep nesting, wrong encodings, huge payloads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.packs.lint import lint_across
from bot.packs.loader import MAX_BYTES, Problem, load_bundled, load_file, load_text
from tests.packs.helpers import VALID, at

SRC = "upload.yaml"

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def only_error(data: bytes | str) -> Problem:
    result = load_text(data, SRC)
    assert result.pack is None
    (problem,) = result.problems
    return problem


def test_billion_laughs_is_refused_at_the_first_alias() -> None:
    assert only_error(BILLION_LAUGHS) == Problem(
        SRC, 2, 8, "anchors and aliases (*name) are not allowed in packs; write the value out"
    )


def test_an_alias_inside_a_real_pack_is_refused_too() -> None:
    text = VALID.replace("subtopic: precision", "subtopic: &s precision").replace(
        "subtopic: metrics", "subtopic: *s"
    )
    assert only_error(text) == Problem(
        SRC, *at(text, "*s"),
        "anchors and aliases (*name) are not allowed in packs; write the value out",
    )


@pytest.mark.parametrize(
    "text",
    [
        "x: " + "[" * 100_000 + "]" * 100_000,  # flow style, far beyond Python's recursion limit
        "".join(f"{'  ' * n}k{n}:\n" for n in range(400)) + "  " * 400 + "end: 1\n",
    ],
    ids=["flow", "block"],
)
def test_deep_nesting_is_refused_without_recursing(text: str) -> None:
    problem = only_error(text)
    assert problem.message == "the YAML nests more than 12 levels deep; a pack needs 5"
    assert problem.line >= 1


def test_too_many_values_are_refused() -> None:
    text = "x: [" + "1," * 200_001 + "1]"
    assert len(text) < MAX_BYTES
    # the document, `x`, the list and 199,998 numbers are 200,001 values: the last one is refused
    column = len("x: [") + 1 + 2 * 199_997
    assert only_error(text) == Problem(SRC, 1, column, "the YAML has more than 200,000 values")


def test_not_utf8_names_the_byte_and_its_place() -> None:
    latin1 = VALID.replace("harmonic mean", "harmonic moyenné").encode("latin-1")
    line, column = at(VALID, "harmonic mean")
    offset = latin1.index(b"\xe9")
    assert only_error(latin1) == Problem(
        SRC, line, column + len("harmonic moyenn"),
        f"the file is not UTF-8 text (byte 0xe9 at offset {offset}); save it as UTF-8",
    )
    utf16 = VALID.encode("utf-16")
    assert only_error(utf16).message.startswith("the file is not UTF-8 text (byte 0xff")


def test_a_utf8_bom_is_fine() -> None:
    result = load_text("\ufeff".encode() + VALID.encode(), SRC)
    assert result.errors == [] and result.pack is not None


def test_control_characters_are_refused_with_their_place() -> None:
    text = VALID.replace("Team questions", "Tëam quéstions\x00")  # columns count characters
    assert only_error(text) == Problem(
        SRC, *at(text, "\x00"), "not valid YAML: control characters are not allowed"
    )
    assert only_error(text.encode()) == only_error(text)


@pytest.mark.parametrize("size", [MAX_BYTES + 1, 50 * 1024 * 1024])
def test_a_payload_over_one_megabyte_is_refused_before_parsing(size: int) -> None:
    # Valid YAML that would parse: only the size rule can refuse it.
    data = b"pack: {}\n" + b"# padding\n" * (size // 10)
    data = data[:size]
    assert only_error(data) == Problem(
        SRC, 1, 1, f"the pack is {size:,} bytes; the limit is 1 MB (1,000,000 bytes)"
    )
    text = data.decode()
    assert only_error(text).message.startswith(f"the pack is {size:,} bytes")


def test_a_huge_file_on_disk_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # sparse: 50 MB that would be slow to read and parse
        handle.truncate(50 * 1024 * 1024)
    result = load_file(path)
    assert result.errors == [
        Problem(str(path), 1, 1, "the pack is 52,428,800 bytes; the limit is 1 MB "
                "(1,000,000 bytes)")
    ]


def test_python_tags_are_never_constructed() -> None:
    text = "pack: !!python/object/apply:os.system ['touch /tmp/pwned']\n"
    assert only_error(text) == Problem(
        SRC, 1, 7, "not valid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'"
    )
    assert not os.path.exists("/tmp/pwned")


def test_a_key_given_twice_is_an_error() -> None:
    text = VALID.replace("    difficulty: medium\n",
                         "    difficulty: medium\n    difficulty: hard\n")
    assert only_error(text) == Problem(
        SRC, *at(text, "difficulty: hard"),
        f"key `difficulty` appears twice here (first on line {at(text, 'difficulty: medium')[0]})",
        "tp-002",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("- a\n- b\n", "a pack is a mapping with `pack:` (the header) and `questions:` at the "
                       "top; see question_packs/README.md"),
        ("a: 1\n---\nb: 2\n", "not valid YAML: but found another document (expected a single "
                              "document in the stream)"),
    ],
)
def test_other_shapes(text: str, message: str) -> None:
    assert only_error(text).message == message


def test_dates_stay_text_so_the_error_has_a_place() -> None:
    text = VALID.replace("version: 1", "version: 2026-13-45")
    assert only_error(text) == Problem(
        SRC, *at(text, "version:"), "`version`: Input should be a valid integer, unable to "
        "parse string as an integer"
    )


def test_an_import_may_not_take_a_bundled_pack_id() -> None:
    bundled = load_bundled()
    text = VALID.replace("id: team-pack", "id: linear-algebra")
    result = load_text(text, SRC)
    assert result.pack is not None
    lint_across([result], existing=bundled, reserved=set(bundled))
    assert result.pack is None
    assert result.errors == [
        Problem(SRC, *at(text, "id: linear-algebra"), "pack id linear-algebra belongs to a "
                "bundled pack; give your pack another id")
    ]


def test_an_import_may_not_reuse_a_bundled_question_id() -> None:
    bundled = load_bundled()
    text = VALID.replace("tp-002", "la-001")
    result = load_text(text, SRC)
    lint_across([result], existing=bundled, reserved=set(bundled))
    assert result.pack is None
    assert [(p.question_id, p.message) for p in result.errors] == [
        ("la-001", "question id la-001 is already used in pack linear-algebra; ids must be "
                   "unique across packs")
    ]
