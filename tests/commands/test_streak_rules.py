"""The streak rules and local-day boundaries as pure functions of dates and zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from commands.streaks.rules import (
    BROKEN,
    FREEZE_EARNED,
    FREEZE_USED,
    MILESTONE,
    StreakRules,
    compute,
)
from commands.streaks.schedule import channel_days, day_end, day_start, local_day, parse_days

MON = date(2026, 11, 30)


def days(first: date, count: int) -> set[date]:
    return {first + timedelta(days=i) for i in range(count)}


def test_a_streak_counts_kept_days_and_today_is_never_missed() -> None:
    s = compute(days(MON, 3), MON + timedelta(days=3))
    assert (s.current, s.longest, s.start, s.at_risk) == (3, 3, MON, True)
    done = compute(days(MON, 4), MON + timedelta(days=3))
    assert done.today_kept and not done.at_risk and done.current == 4


def test_freezes_are_earned_every_seven_days_held_up_to_two_and_used_on_misses() -> None:
    kept = days(MON, 21)  # three weeks: three freezes earned, only two held
    s = compute(kept, MON + timedelta(days=21))
    assert (s.current, s.freezes) == (21, 2)
    assert [e.day for e in s.events if e.kind == FREEZE_EARNED] == [
        MON + timedelta(days=6), MON + timedelta(days=13)
    ]
    assert [(e.day, e.value) for e in s.events if e.kind == MILESTONE] == [
        (MON + timedelta(days=6), 7)
    ]
    # Three missed days: two freezes, then the streak ends.
    later = compute(kept, MON + timedelta(days=24))
    used = [(e.kind, e.day) for e in later.events if e.kind in (FREEZE_USED, BROKEN)]
    assert used == [
        (FREEZE_USED, MON + timedelta(days=21)),
        (FREEZE_USED, MON + timedelta(days=22)),
        (BROKEN, MON + timedelta(days=23)),
    ]
    assert (later.current, later.longest, later.freezes) == (0, 21, 0)


def test_a_freeze_bridges_a_gap_without_adding_a_day() -> None:
    kept = days(MON, 7) | days(MON + timedelta(days=8), 3)
    s = compute(kept, MON + timedelta(days=11))
    assert (s.current, s.freezes, s.start) == (10, 0, MON)


def test_rest_weekdays_neither_break_nor_extend() -> None:
    weekdays = {d for d in days(MON, 14) if d.weekday() < 5}
    s = compute(weekdays, MON + timedelta(days=14), rest_weekdays={5, 6})
    assert (s.current, s.freezes) == (10, 1)
    assert not [e for e in s.events if e.kind in (FREEZE_USED, BROKEN)]
    saturday = compute(weekdays, MON + timedelta(days=12), rest_weekdays={5, 6})
    assert saturday.today_rest and not saturday.at_risk
    # A weekend answer still counts.
    assert compute(weekdays | {MON + timedelta(days=5)}, MON + timedelta(days=14),
                   rest_weekdays={5, 6}).current == 11


def test_workspace_settings_tune_the_rules_and_bad_values_are_ignored() -> None:
    rules = StreakRules.from_settings(
        {"streaks": {"freeze_every": 3, "max_freezes": 1, "milestones": [3, 10],
                     "min_quiz_questions": 8}}
    )
    assert (rules.freeze_every, rules.max_freezes, rules.milestones,
            rules.min_quiz_questions) == (3, 1, (3, 10), 8)
    s = compute(days(MON, 6), MON + timedelta(days=6), rules=rules)
    assert s.freezes == 1 and [e.value for e in s.events if e.kind == MILESTONE] == [3]
    assert StreakRules.from_settings({"streaks": {"freeze_every": 0}}) == StreakRules()
    assert StreakRules.from_settings({"streaks": {"max_freezes": "two"}}) == StreakRules()
    assert StreakRules.from_settings({"streaks": "nonsense"}) == StreakRules()


@pytest.mark.parametrize(
    ("zone", "day", "start"),
    [
        ("Pacific/Kiritimati", date(2026, 12, 2), datetime(2026, 12, 1, 10, tzinfo=UTC)),
        ("Etc/GMT+12", date(2026, 12, 2), datetime(2026, 12, 2, 12, tzinfo=UTC)),
        # New York springs forward on Sun 14 Mar 2027 and falls back on Sun 7 Nov 2027.
        ("America/New_York", date(2027, 3, 14), datetime(2027, 3, 14, 5, tzinfo=UTC)),
        ("America/New_York", date(2027, 3, 15), datetime(2027, 3, 15, 4, tzinfo=UTC)),
        ("America/New_York", date(2027, 11, 8), datetime(2027, 11, 8, 5, tzinfo=UTC)),
        # Sydney falls back on Sun 4 Apr 2027: that day is 25 hours long.
        ("Australia/Sydney", date(2027, 4, 4), datetime(2027, 4, 3, 13, tzinfo=UTC)),
        ("Australia/Sydney", date(2027, 4, 5), datetime(2027, 4, 4, 14, tzinfo=UTC)),
        # Santiago skips midnight when it springs forward (Sun 6 Sep 2026 starts at 01:00).
        ("America/Santiago", date(2026, 9, 6), datetime(2026, 9, 6, 4, tzinfo=UTC)),
    ],
)
def test_local_days_start_at_local_midnight_across_dst(
    zone: str, day: date, start: datetime
) -> None:
    assert day_start(day, zone) == start
    assert local_day(start, zone) == day
    assert local_day(start - timedelta(seconds=1), zone) == day - timedelta(days=1)


def test_day_lengths_around_dst() -> None:
    def hours(zone: str, day: date) -> float:
        return (day_end(day, zone) - day_start(day, zone)).total_seconds() / 3600

    assert hours("America/New_York", date(2027, 3, 14)) == 23
    assert hours("Australia/Sydney", date(2027, 4, 4)) == 25
    assert hours("Pacific/Kiritimati", date(2026, 12, 31)) == 24


@pytest.mark.parametrize(
    ("value", "weekdays"),
    [
        (None, set(range(7))),
        ("every day", set(range(7))),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("weekends", {5, 6}),
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("fri-mon", {4, 5, 6, 0}),
        ("mon,wed,fri", {0, 2, 4}),
        (["Monday", "tue"], {0, 1}),
        ([0, 6], {0, 6}),
        ("01234", {0, 1, 2, 3, 4}),
    ],
)
def test_schedule_days_contract(value: object, weekdays: set[int]) -> None:
    assert parse_days(value) == weekdays


def test_channel_settings_without_a_daily_schedule_have_none() -> None:
    assert channel_days({}) is None
    assert channel_days({"daily": {"days": "weekdays"}}) == {0, 1, 2, 3, 4}
    assert channel_days({"daily": {"days": "weekdays", "paused": True}}) == frozenset()
    assert channel_days({"daily": {}}) == set(range(7))
