"""Red-DiscordBot trivia lists (`question: [answers]`) load as packs of short-answer questions."""

from __future__ import annotations

from textwrap import dedent

from bot.packs.grading import grade
from bot.packs.loader import Problem, load_text, red_pack_id

RED = dedent(
    """\
    $schema: https://schema.discord.red/trivia.json
    AUTHOR: Lemon
    DESCRIPTION: Programming history and concepts.
    CONFIG:
      delay: 10
      bot_plays: false
    Who created the Python programming language?:
    - Guido van Rossum
    - Guido
    How many heading tags are in HTML?:
    - 6
    - Six
    MPEG-4 is a fixed standard with no room for growth.:
    - false
    What does CSS stand for?:
    - Cascading Style Sheets
    """
)


def test_a_red_list_becomes_a_short_answer_pack() -> None:
    result = load_text(RED, "lists/Programming History.yaml")
    assert result.errors == []
    pack = result.pack
    assert pack is not None
    assert (pack.id, pack.pack.title, pack.pack.author, pack.pack.version) == (
        "programming-history", "Programming history and concepts.", "Lemon", 1,
    )
    assert pack.pack.topics == ["general"]
    assert [q.kind for q in pack.questions] == ["short"] * 4
    assert [q.answers for q in pack.questions] == [
        ["Guido van Rossum", "Guido"],
        ["6", "Six"],
        ["False", "No", "Off"],  # a YAML boolean stands for its spellings, as in Red
        ["Cascading Style Sheets"],
    ]
    first = pack.questions[0]
    assert first.prompt == "Who created the Python programming language?"
    assert grade(first, "guido van rosum").correct
    assert not grade(first, "Larry Wall").correct
    assert result.positions[first.id] == (7, 1)


def test_red_question_ids_are_stable_when_the_list_changes() -> None:
    before = load_text(RED, "programming.yaml").pack
    edited = RED.replace(
        "What does CSS stand for?:", "What does HTML stand for?:\n- HyperText Markup Language\n"
        "What does CSS stand for?:"
    ).replace("- Guido\n", "- Guido\n- van Rossum\n")
    after = load_text(edited, "programming.yaml").pack
    assert before is not None and after is not None
    ids_before = {q.prompt: q.id for q in before.questions}
    ids_after = {q.prompt: q.id for q in after.questions}
    assert all(ids_after[prompt] == qid for prompt, qid in ids_before.items())
    assert len(ids_after) == 5 and len(set(ids_after.values())) == 5
    assert all(qid.startswith("programming-") for qid in ids_after.values())


def test_red_list_errors_have_places() -> None:
    text = RED + "Broken question?: just one answer\nNested?:\n- [a, b]\nNothing?: []\n"
    result = load_text(text, "programming.yaml")
    assert result.pack is None
    assert [(p.line, p.message) for p in result.errors] == [
        (17, "the answers must be a list of text values"),
        (18, "the answers must be a list of text values"),
        (20, "the question has no answers"),
    ]
    assert all(p.question_id and p.question_id.startswith("programming-") for p in result.errors)
    bad_meta = "AUTHOR: [a, b]\nCONFIG: fast\nQ?:\n- A\n"
    assert load_text(bad_meta, "x.yaml").errors == [
        Problem("x.yaml", 1, 1, "`AUTHOR` must be text"),
        Problem("x.yaml", 2, 1, "`CONFIG` must be a `key: value` mapping"),
    ]


def test_pack_ids_from_file_names() -> None:
    assert red_pack_id("World Capitals") == "world-capitals"
    assert red_pack_id("ÜBER_quiz 2") == "ber-quiz-2"
    assert red_pack_id("!!!") == "trivia"
    assert len(red_pack_id("x" * 80)) == 40
