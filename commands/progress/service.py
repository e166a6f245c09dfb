"""Progress on the 6-week plan (bot/packs/plan.py): targets, topics week by week, weak spots,
and what to do next.

A member's plan starts on the day they joined the workspace (or their first activity, if
earlier) and repeats every six weeks; counts are for the current six-week round.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Services
from bot.packs.plan import PLAN, TARGETS, WEEKS, Week
from bot.store.tables import Account, Activity
from commands.progress.tables import ProjectMilestone
from commands.streaks.model import MemberStreak
from commands.streaks.schedule import local_day

ANSWERS = ("daily_answer", "quiz_answer")
PRACTICE = ("daily_answer", "quiz_answer", "quiz_finished")
CYCLE_DAYS = 7 * WEEKS
MIN_ATTEMPTS = 3  # a topic needs this many graded answers before it can be called weak


@dataclass(frozen=True)
class WeekCoverage:
    """One plan week: its topics, the topics practised during it, and where it is in time."""

    week: Week
    first: date
    covered: frozenset[str]
    state: str  # "past", "current" or "upcoming"

    @property
    def plan_covered(self) -> list[str]:
        return [t for t in self.week.topics if t in self.covered]


@dataclass(frozen=True)
class Project:
    """A project by name: its milestones so far and whether it is finished."""

    name: str
    milestones: int
    done: bool


@dataclass(frozen=True)
class Progress:
    """A member's progress on the plan's current six-week round."""

    start: date
    round: int
    week_index: int
    answered: int
    mock_interviews: int
    projects: list[Project]
    weeks: list[WeekCoverage]
    weakest: list[tuple[str, int, int]]
    next_steps: list[str] = field(default_factory=list)

    @property
    def week(self) -> Week:
        return PLAN[self.week_index]

    @property
    def projects_done(self) -> int:
        return sum(1 for p in self.projects if p.done)


async def plan_start(
    session: AsyncSession, workspace_id: int, person_id: int, zone: str
) -> date | None:
    joined = await session.scalar(
        select(func.min(Account.created_at)).where(
            Account.workspace_id == workspace_id, Account.person_id == person_id
        )
    )
    first = await session.scalar(
        select(func.min(Activity.local_day)).where(
            Activity.workspace_id == workspace_id, Activity.person_id == person_id
        )
    )
    days = [d for d in (local_day(joined, zone) if joined else None, first) if d is not None]
    return min(days) if days else None


async def progress(
    session: AsyncSession,
    services: Services,
    workspace_id: int,
    person_id: int,
    member: MemberStreak,
) -> Progress:
    today = member.streak.today
    start = await plan_start(session, workspace_id, person_id, member.zone) or today
    elapsed = max(0, (today - start).days)
    round_start = start + timedelta(days=elapsed - elapsed % CYCLE_DAYS)
    week_index = (elapsed % CYCLE_DAYS) // 7
    mine = (Activity.workspace_id == workspace_id, Activity.person_id == person_id)
    in_round = (*mine, Activity.local_day >= round_start)

    answered = await session.scalar(
        select(func.count()).where(*in_round, Activity.kind.in_(ANSWERS))
    )
    mocks = await session.scalar(
        select(func.count()).where(*in_round, Activity.kind == "mock_interview")
    )
    by_week: dict[int, set[str]] = defaultdict(set)
    rows = await session.execute(
        select(Activity.local_day, Activity.topic).where(
            *in_round, Activity.kind.in_(PRACTICE), Activity.topic.is_not(None)
        )
    )
    for day, topic in rows:
        if topic:
            by_week[min(WEEKS - 1, (day - round_start).days // 7)].add(topic)
    weeks = [
        WeekCoverage(
            week=PLAN[i],
            first=round_start + timedelta(weeks=i),
            covered=frozenset(by_week.get(i, set())),
            state="past" if i < week_index else "current" if i == week_index else "upcoming",
        )
        for i in range(WEEKS)
    ]
    accuracy = await session.execute(
        select(
            Activity.topic,
            func.sum(case((Activity.correct.is_(True), 1), else_=0)),
            func.count(),
        )
        .where(
            *mine,
            Activity.kind.in_(ANSWERS),
            Activity.correct.is_not(None),
            Activity.topic.is_not(None),
            Activity.local_day >= today - timedelta(weeks=12),
        )
        .group_by(Activity.topic)
    )
    weakest = sorted(
        (
            (topic, int(right or 0), int(total))
            for topic, right, total in accuracy
            if total >= MIN_ATTEMPTS and (right or 0) < total
        ),
        key=lambda t: (t[1] / t[2], -t[2], t[0]),
    )[:3]
    result = Progress(
        start=round_start,
        round=elapsed // CYCLE_DAYS + 1,
        week_index=week_index,
        answered=int(answered or 0),
        mock_interviews=int(mocks or 0),
        projects=await projects(session, workspace_id, person_id, round_start),
        weeks=weeks,
        weakest=weakest,
    )
    return Progress(**{**result.__dict__, "next_steps": next_steps(result, member, services)})


async def projects(
    session: AsyncSession, workspace_id: int, person_id: int, since: date
) -> list[Project]:
    """Projects worked on this round, or still open from before."""
    rows = await session.execute(
        select(ProjectMilestone.project, func.count(), func.max(ProjectMilestone.local_day),
               func.max(case((ProjectMilestone.done.is_(True), 1), else_=0)))
        .where(ProjectMilestone.workspace_id == workspace_id,
               ProjectMilestone.person_id == person_id)
        .group_by(ProjectMilestone.project)
        .order_by(func.min(ProjectMilestone.id))
    )
    found = []
    for name, count, last, done in rows:
        if last >= since or not done:
            found.append(Project(name, int(count), bool(done)))
    return found


def expected(target: int, week_index: int) -> int:
    """How many of `target` the plan expects by the end of week `week_index` (0-based)."""
    return math.ceil(target * (week_index + 1) / WEEKS)


def next_steps(p: Progress, member: MemberStreak, services: Services) -> list[str]:
    """Up to three concrete suggestions, most urgent first."""
    has = services.registry.commands
    steps: list[str] = []
    streak = member.streak
    if streak.at_risk:
        steps.append(
            f"Keep your {streak.current}-day streak today: answer the daily question or finish "
            f"a quiz of {member.rules.min_quiz_questions}+ questions."
        )
    current = p.weeks[p.week_index]
    missing = [t for t in current.week.topics if t not in current.covered]
    if missing:
        how = f" with `/quiz topic:{missing[0]}`" if "quiz" in has else ""
        steps.append(
            f"Plan week {p.week_index + 1} is {current.week.theme}: practise "
            f"{missing[0].replace('_', ' ')}{how}."
        )
    if p.weakest:
        topic, right, total = p.weakest[0]
        steps.append(
            f"Review {topic.replace('_', ' ')}: {right} of {total} right lately."
        )
    if p.mock_interviews < expected(TARGETS.mock_interviews, p.week_index):
        how = " (`/pair join`)" if "pair join" in has else ""
        steps.append(
            f"Do a mock interview{how}: {p.mock_interviews} of {TARGETS.mock_interviews} so far."
        )
    if p.projects_done < expected(TARGETS.projects, p.week_index) - 1 or not p.projects:
        steps.append("Work on an end-to-end project and log each step with `/progress log`.")
    if p.answered < expected(TARGETS.practice_questions, p.week_index):
        steps.append(
            f"Answer more practice questions: {p.answered} of "
            f"{TARGETS.practice_questions} so far."
        )
    return steps[:3]


def milestone_ref(milestone_id: int) -> str:
    return f"milestone:{milestone_id}"
