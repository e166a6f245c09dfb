"""Small pack texts for loader tests, and `at()` to find where a snippet sits in them."""

from __future__ import annotations

from textwrap import dedent, indent

HEADER = dedent(
    """\
    pack:
      id: team-pack
      title: Team questions
      version: 1
      description: Questions our team wrote.
      author: The team
      license: CC-BY-4.0
      topics: [linear_algebra, evaluation]
    """
)

MCQ = indent(dedent(
    """\
      - id: tp-001
        topic: linear_algebra
        subtopic: eigenvalues
        difficulty: easy
        kind: mcq
        prompt: A 2x2 matrix has eigenvalues 2 and 0. What is its determinant?
        choices:
          - {text: "0", correct: true}
          - {text: "2"}
        explanation: The determinant is the product of the eigenvalues; 2 is their sum, the trace.
    """
), "  ")

NUMERIC = indent(dedent(
    """\
      - id: tp-002
        topic: evaluation
        subtopic: precision
        difficulty: medium
        kind: numeric
        prompt: 40 true positives and 10 false positives. What is the precision?
        answer: 0.8
        tolerance: 0.01
        compute: |
          result = 40 / (40 + 10)
        explanation: Precision is TP / (TP + FP) = 40 / 50; recall would need the false negatives.
    """
), "  ")

SHORT = indent(dedent(
    """\
      - id: tp-003
        topic: evaluation
        subtopic: metrics
        difficulty: easy
        kind: short
        prompt: Which metric is the harmonic mean of precision and recall?
        answers: [F1, F1 score, F-score]
        explanation: F1 = 2PR / (P + R); the arithmetic mean would hide a very low recall.
    """
), "  ")

OPEN = indent(dedent(
    """\
      - id: tp-004
        topic: linear_algebra
        subtopic: pca
        difficulty: hard
        kind: open
        prompt: Why do we centre the data before PCA?
        model_answer: Without centring the first component points at the mean, not the spread.
        rubric:
          - Says PCA finds directions of variance around the mean
          - Explains what goes wrong without centring
          - Gives an example
        explanation: PCA diagonalises the covariance, which is defined around the mean.
    """
), "  ")


def pack(*questions: str, header: str = HEADER) -> str:
    """A pack text: the header and these question blocks."""
    return header + "questions:\n" + "".join(questions)


VALID = pack(MCQ, NUMERIC, SHORT, OPEN)


def at(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """(line, column), 1-based, of the nth occurrence of `needle` in `text`."""
    offset = -1
    for _ in range(nth):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
