"""The question-pack schema (see question_packs/README.md), enforced with pydantic."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

TOPICS: dict[str, str] = {
    "linear_algebra": "Linear algebra",
    "probability_statistics": "Probability and statistics",
    "calculus_optimization": "Calculus and optimization",
    "supervised_learning": "Supervised learning",
    "unsupervised_learning": "Unsupervised learning",
    "deep_learning": "Deep learning",
    "practical_skills": "Practical skills",
    "evaluation": "Model evaluation",
    "system_design": "ML system design",
    "coding": "Python, NumPy and pandas",
    "behavioral": "Behavioral (STAR)",
    "questions_to_ask": "Questions to ask the interviewer",
    "general": "General (imported trivia)",
}
DIFFICULTIES = ("easy", "medium", "hard")
KINDS = ("mcq", "short", "numeric", "open", "behavioral", "coding")
AUTO_GRADED = ("mcq", "short", "numeric")
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "mcq": ("choices",),
    "short": ("answers",),
    "numeric": ("answer", "tolerance"),
    "open": ("model_answer", "rubric"),
    "behavioral": ("model_answer", "rubric"),
    "coding": ("solution", "example_call", "expected_output"),
}
KIND_OPTIONAL: dict[str, tuple[str, ...]] = {"numeric": ("unit", "compute")}
KIND_KEYS = (
    "choices", "answers", "answer", "tolerance", "unit", "compute",
    "model_answer", "rubric", "solution", "example_call", "expected_output",
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
PackId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
Topic = Literal[
    "linear_algebra",
    "probability_statistics",
    "calculus_optimization",
    "supervised_learning",
    "unsupervised_learning",
    "deep_learning",
    "practical_skills",
    "evaluation",
    "system_design",
    "coding",
    "behavioral",
    "questions_to_ask",
    "general",
]


class KindError(ValueError):
    """A rule of a question's kind was broken; `field` says which key to point at."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def kind_problems(kind: str, values: Mapping[str, Any]) -> list[KindError]:
    """Every rule of `kind` that `values` break (works on raw YAML mappings too, so that the
    loader can report them beside type errors of the same question)."""
    need = KIND_FIELDS.get(kind)
    if need is None:
        return []
    found: list[KindError] = []
    missing = [name for name in need if values.get(name) in (None, "", [])]
    if missing:
        found.append(KindError(missing[0], f"a {kind} question needs {' and '.join(missing)}"))
    allowed = set(need) | set(KIND_OPTIONAL.get(kind, ()))
    stray = [name for name in KIND_KEYS if values.get(name) is not None and name not in allowed]
    if stray:
        verb = "does" if len(stray) == 1 else "do"
        found.append(
            KindError(stray[0], f"{', '.join(stray)} {verb} not belong to a {kind} question")
        )
    choices = values.get("choices")
    if kind == "mcq" and isinstance(choices, list) and choices:
        if not 2 <= len(choices) <= 6:
            found.append(KindError("choices", "an mcq question has 2 to 6 choices"))
        if not any(_field(c, "correct") is True for c in choices):
            found.append(
                KindError("choices", "an mcq question needs at least one choice with correct: true")
            )
        texts = [" ".join(str(_field(c, "text")).lower().split()) for c in choices]
        if len(set(texts)) != len(texts):
            found.append(KindError("choices", "two choices have the same text"))
    rubric = values.get("rubric")
    if isinstance(rubric, list) and rubric and not 3 <= len(rubric) <= 5:
        found.append(KindError("rubric", f"a rubric has 3 to 5 criteria, not {len(rubric)}"))
    return found


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


class Strict(BaseModel):
    """Unknown keys are errors: a typo must not pass silently."""

    # Numbers are fine as text (`answers: [6, six]`); YAML booleans are not (see the loader).
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Choice(Strict):
    """One mcq choice."""

    text: Text
    correct: bool = False


class Question(Strict):
    """One question of any kind; the fields of other kinds must stay empty."""

    id: QuestionId
    topic: Topic
    subtopic: Text
    difficulty: Literal["easy", "medium", "hard"]
    kind: Literal["mcq", "short", "numeric", "open", "behavioral", "coding"]
    prompt: Text
    explanation: Text
    hints: list[Text] = Field(default_factory=list)
    tags: list[Text] = Field(default_factory=list)
    sources: list[Text] = Field(default_factory=list)
    choices: list[Choice] | None = None
    answers: list[Text] | None = None
    answer: float | None = Field(default=None, allow_inf_nan=False)
    tolerance: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    unit: str | None = None
    compute: str | None = None
    model_answer: str | None = None
    rubric: list[Text] | None = None
    solution: str | None = None
    example_call: str | None = None
    expected_output: str | None = None

    @model_validator(mode="after")
    def _kind_fields(self) -> Question:
        problems = kind_problems(self.kind, self.__dict__)
        if problems:
            raise problems[0]
        return self

    @property
    def auto_graded(self) -> bool:
        return self.kind in AUTO_GRADED

    @property
    def correct_choices(self) -> list[int]:
        return [i for i, c in enumerate(self.choices or []) if c.correct]

    def answer_text(self) -> str:
        """The right answer in words (for summaries and reveals)."""
        if self.kind == "mcq":
            return "; ".join((self.choices or [])[i].text for i in self.correct_choices)
        if self.kind == "short":
            return (self.answers or [""])[0]
        if self.kind == "numeric":
            unit = f" {self.unit}" if self.unit else ""
            return f"{format_number(self.answer)}{unit} (± {format_number(self.tolerance)})"
        return self.model_answer or self.solution or ""


class PackHeader(Strict):
    """The `pack:` mapping at the top of a file."""

    id: PackId
    title: Text
    version: int = Field(ge=1)
    description: Text
    author: Text
    license: Text
    topics: list[Topic] = Field(min_length=1)


class Pack(Strict):
    """A whole pack: header and questions, validated together."""

    pack: PackHeader
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Pack:
        seen: set[str] = set()
        for q in self.questions:
            if q.id in seen:
                raise ValueError(f"question id {q.id} is used twice")
            if q.topic not in self.pack.topics:
                raise ValueError(f"question {q.id}: topic {q.topic} is not in the pack's topics")
            seen.add(q.id)
        return self

    @property
    def id(self) -> str:
        return self.pack.id

    @cached_property
    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}


def format_number(value: float | None) -> str:
    """1050624 -> '1,050,624'; 0.1523 -> '0.1523'; never scientific notation for humans."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def normalize(text: str) -> str:
    """Lowercase, punctuation to spaces, single spaces: the base of fuzzy comparisons."""
    return " ".join(re.sub(r"[^\w.+-]+", " ", text.lower()).split())
