"""What the streak service hands to views: a member's computed streak, and claimed notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from commands.streaks.rules import Streak, StreakRules

REMINDER = "reminder"


@dataclass(frozen=True)
class MemberStreak:
    """A member's streak with the zone and rules it was computed with."""

    streak: Streak
    zone: str
    rules: StreakRules


@dataclass(frozen=True)
class Notice:
    """A claimed notice (milestone, freeze used, reminder) waiting to be sent."""

    id: int
    workspace_id: int
    person_id: int
    kind: str
    day: date
    value: int
