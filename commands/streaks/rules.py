"""Streak rules as a pure function of the days a member kept, their rest weekdays and today.

A day is kept when the member was active on it (or an admin repaired it). Rest weekdays (when
no daily channel of the workspace posts, e.g. weekends for a weekday-only channel) neither
break nor extend a streak; today never breaks it (it is not over yet). A missed day uses a held
freeze if there is one (the streak survives but does not grow), otherwise the streak ends. A
freeze is earned at every `freeze_every` kept days of a streak, up to `max_freezes` held.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

MILESTONE = "milestone"
FREEZE_EARNED = "freeze_earned"
FREEZE_USED = "freeze_used"
BROKEN = "broken"


@dataclass(frozen=True)
class StreakRules:
    """The numbers a workspace may tune (Workspace.settings["streaks"])."""

    freeze_every: int = 7
    max_freezes: int = 2
    milestones: tuple[int, ...] = (7, 30, 100)
    min_quiz_questions: int = 5
    remind_hours_before: int = 3

    @classmethod
    def from_settings(cls, settings: dict[str, object]) -> StreakRules:
        """Read overrides from Workspace.settings["streaks"]; bad values keep the defaults."""
        raw = settings.get("streaks")
        if not isinstance(raw, dict):
            return cls()
        values: dict[str, object] = {}
        for name in ("freeze_every", "max_freezes", "min_quiz_questions", "remind_hours_before"):
            value = raw.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1000:
                values[name] = value
        milestones = raw.get("milestones")
        if isinstance(milestones, list) and all(isinstance(m, int) for m in milestones):
            values["milestones"] = tuple(sorted(m for m in milestones if m > 0))
        rules = cls(**values)  # type: ignore[arg-type]
        if rules.freeze_every < 1 or rules.remind_hours_before > 23:
            return cls()
        return rules


@dataclass(frozen=True)
class StreakEvent:
    """Something that happened to a streak on `day` (value: milestone length, freezes left
    after a freeze was used, or the length of a streak that ended)."""

    kind: str
    day: date
    value: int


@dataclass(frozen=True)
class Streak:
    """A member's streak as of `today`."""

    current: int
    longest: int
    freezes: int
    start: date | None
    last_kept: date | None
    today: date
    today_kept: bool
    today_rest: bool
    events: tuple[StreakEvent, ...] = ()

    @property
    def at_risk(self) -> bool:
        """Alive, today not kept yet, and today is a day that counts."""
        return self.current > 0 and not self.today_kept and not self.today_rest


def compute(
    kept: Collection[date],
    today: date,
    *,
    rest_weekdays: Collection[int] = (),
    rules: StreakRules = StreakRules(),
) -> Streak:
    """Replay every day from the first kept one up to today (deterministic, idempotent)."""
    days = set(kept)
    rest = set(rest_weekdays)
    current = longest = freezes = 0
    start: date | None = None
    events: list[StreakEvent] = []
    if days:
        day = min(days)
        end = max(today, max(days))
        while day <= end:
            if day in days:
                if current == 0:
                    start = day
                current += 1
                longest = max(longest, current)
                if current % rules.freeze_every == 0 and freezes < rules.max_freezes:
                    freezes += 1
                    events.append(StreakEvent(FREEZE_EARNED, day, freezes))
                if current in rules.milestones:
                    events.append(StreakEvent(MILESTONE, day, current))
            elif day.weekday() in rest or day >= today:
                pass
            elif current > 0 and freezes > 0:
                freezes -= 1
                events.append(StreakEvent(FREEZE_USED, day, freezes))
            elif current > 0:
                events.append(StreakEvent(BROKEN, day, current))
                current, start = 0, None
            day += timedelta(days=1)
    return Streak(
        current=current,
        longest=longest,
        freezes=freezes,
        start=start,
        last_kept=max(days) if days else None,
        today=today,
        today_kept=today in days,
        today_rest=today.weekday() in rest,
        events=tuple(events),
    )


def next_milestone(current: int, rules: StreakRules) -> int | None:
    return next((m for m in rules.milestones if m > current), None)
