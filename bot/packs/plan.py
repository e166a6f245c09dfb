"""The 6-week study plan from the seed guide, as data: weekly topics and the targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Week:
    """One week of the plan."""

    number: int
    theme: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Targets:
    """What the plan asks for over its six weeks."""

    practice_questions: int = 50
    projects: int = 2
    mock_interviews: int = 4


PLAN: tuple[Week, ...] = (
    Week(1, "Math foundations", ("linear_algebra", "probability_statistics",
                                 "calculus_optimization")),
    Week(2, "Core ML", ("supervised_learning", "unsupervised_learning", "evaluation",
                        "practical_skills")),
    Week(3, "Deep learning", ("deep_learning",)),
    Week(4, "Coding", ("coding", "practical_skills")),
    Week(5, "System design", ("system_design", "evaluation")),
    Week(6, "Mock interviews", ("behavioral", "questions_to_ask")),
)
TARGETS = Targets()
WEEKS = len(PLAN)


def plan_week(start: date, today: date) -> Week:
    """The plan's week for `today` when the plan started on `start`; after week 6 it cycles."""
    days = max(0, (today - start).days)
    return PLAN[(days // 7) % WEEKS]


def topics_until(start: date, today: date) -> set[str]:
    """Every topic the plan has reached by `today` (within the current 6-week cycle)."""
    days = max(0, (today - start).days)
    current = (days // 7) % WEEKS
    return {t for week in PLAN[: current + 1] for t in week.topics}
