"""The daily question's pure rules: schedule parsing, slots across DST, scores, assignments."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import UserError
from commands.daily.scoring import (
    DEFAULT_RUBRIC,
    assign_reviews,
    final_score,
    parse_scores,
    rubric_for,
    score,
)
from commands.daily.timing import (
    local_slot,
    next_slot,
    parse_days,
    parse_time,
    show_local,
    slots_between,
)
from commands.daily.views import how_to_answer
from commands.spec import Wakeup
from scheduler.runner import cron_trigger

NY = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("every day", "0123456"),
        ("weekdays", "01234"),
        ("weekends", "56"),
        ("mon,wed,fri", "024"),
        ("Monday Thursday", "03"),
        ("mon-fri", "01234"),
        ("fri-mon", "0456"),
        ("tue, tues, tuesday", "1"),
    ],
)
def test_days_are_read_in_every_usual_form(text: str, digits: str) -> None:
    assert parse_days(text) == digits


@pytest.mark.parametrize("text", ["funday", "mon,xyz", "", "m"])
def test_unreadable_days_explain_the_forms(text: str) -> None:
    with pytest.raises(UserError, match="every day, weekdays, weekends or days such as"):
        parse_days(text)


def test_times_are_24_hour() -> None:
    assert parse_time("9:05") == time(9, 5)
    assert parse_time("23:59") == time(23, 59)
    for bad in ("24:00", "9am", "09:60", "0900"):
        with pytest.raises(UserError, match="24-hour HH:MM"):
            parse_time(bad)


def test_spring_forward_moves_a_missing_time_to_the_next_valid_minute() -> None:
    # 2027-03-14 02:00 -> 03:00 in New York: 02:30 does not exist that day.
    assert local_slot(date(2027, 3, 13), time(2, 30), NY) == utc(2027, 3, 13, 7, 30)
    assert local_slot(date(2027, 3, 14), time(2, 30), NY) == utc(2027, 3, 14, 7, 0)  # 03:00 EDT
    assert local_slot(date(2027, 3, 15), time(2, 30), NY) == utc(2027, 3, 15, 6, 30)


def test_fall_back_uses_the_first_of_the_repeated_times_once() -> None:
    # 2027-11-07 01:30 happens twice in New York; the day has exactly one slot, the first.
    slots = list(slots_between("01:30", "America/New_York", "0123456",
                               utc(2027, 11, 6, 12), utc(2027, 11, 8, 12)))
    assert [(s.day, s.at) for s in slots] == [
        (date(2027, 11, 7), utc(2027, 11, 7, 5, 30)),  # 01:30 EDT
        (date(2027, 11, 8), utc(2027, 11, 8, 6, 30)),  # 01:30 EST
    ]


def test_a_daily_nine_oclock_stays_at_nine_local_across_dst() -> None:
    slots = list(slots_between("09:00", "Europe/Berlin", "0123456",
                               utc(2027, 3, 26), utc(2027, 3, 30)))
    local = [s.at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%d %H:%M") for s in slots]
    assert local == ["26 09:00", "27 09:00", "28 09:00", "29 09:00"]
    assert {s.at.hour for s in slots} == {8, 7}  # UTC moves, local time does not


def test_slots_are_strictly_after_the_start_and_only_on_chosen_days() -> None:
    start = utc(2026, 12, 1, 9)  # a Tuesday, exactly at the post time
    slots = list(slots_between("09:00", "UTC", "024", start, utc(2026, 12, 9, 9)))
    assert [s.day.isoformat() for s in slots] == ["2026-12-02", "2026-12-04", "2026-12-07",
                                                  "2026-12-09"]
    assert next_slot("09:00", "UTC", "", start) is None


def test_deadlines_read_in_the_channels_zone() -> None:
    assert show_local(utc(2026, 12, 2, 9), "Asia/Kolkata") == "Wed 2 Dec 14:30 (Asia/Kolkata)"


def test_cron_wakeups_follow_the_local_time_and_fire_twice_in_the_repeated_hour() -> None:
    trigger = cron_trigger(Wakeup("daily:1", 1, 30, (0, 1, 2, 3, 4, 5, 6), "America/New_York"))
    first = trigger.get_next_fire_time(None, datetime(2027, 11, 6, 12, tzinfo=NY))
    assert first is not None and first.astimezone(UTC) == utc(2027, 11, 7, 5, 30)
    second = trigger.get_next_fire_time(first, first.astimezone(UTC).replace(minute=31))
    assert second is not None and second.astimezone(UTC) == utc(2027, 11, 7, 6, 30)
    weekdays = cron_trigger(Wakeup("daily:2", 9, 0, (0, 1, 2, 3, 4), "Europe/Berlin"))
    saturday = datetime(2027, 3, 27, 12, tzinfo=ZoneInfo("Europe/Berlin"))
    monday = weekdays.get_next_fire_time(None, saturday)
    assert monday is not None and monday.astimezone(UTC) == utc(2027, 3, 29, 7)


def test_median_per_criterion_and_the_quorum() -> None:
    reviews = [[2, 3, 3], [3, 4, 4], [5, 4, 1]]
    found = score(reviews)
    assert found is not None and found.medians == (3.0, 4.0, 3.0) and found.overall == 3.33
    assert final_score(reviews[:2], quorum=3, ended=False) is None
    even = final_score(reviews[:2], quorum=3, ended=True)
    assert even is not None and even.medians == (2.5, 3.5, 3.5)
    assert final_score([], quorum=1, ended=True) is None


def test_assignments_spread_evenly_and_never_to_oneself() -> None:
    for size in range(1, 12):
        authors = list(range(100, 100 + size))
        plan = assign_reviews(authors)
        load: Counter[int] = Counter()
        for reviewer, picked in plan.items():
            assert authors.index(reviewer) not in picked
            assert len(picked) == min(2, size - 1)
            load.update(picked)
        if size > 1:
            counts = [load[i] for i in range(size)]
            assert max(counts) - min(counts) <= 1, (size, counts)
        assert plan == assign_reviews(authors)  # deterministic


def test_assignments_prefer_answers_with_fewer_reviews_already() -> None:
    plan = assign_reviews([1, 2, 3, 4], existing={0: 5, 1: 5})
    assert plan[1] == [2, 3] and plan[2] == [2, 3]


def test_rubric_is_the_questions_own_up_to_four_or_the_default() -> None:
    assert rubric_for(None) == DEFAULT_RUBRIC
    with pytest.raises(ValueError, match="`7` for “Clarity”"):
        parse_scores(["3", "7", "1"], DEFAULT_RUBRIC)
    with pytest.raises(ValueError, match="`nothing` for"):
        parse_scores(["", "1", "1"], DEFAULT_RUBRIC)
    assert parse_scores([" 5", "1", "3 "], DEFAULT_RUBRIC) == [5, 1, 3]


def test_without_readable_threads_members_are_sent_to_the_answer_button() -> None:
    from bot.packs.schema import Question

    question = Question.model_validate({
        "id": "q1", "topic": "evaluation", "subtopic": "x", "difficulty": "easy",
        "kind": "numeric", "prompt": "How many?", "explanation": "Because.", "answer": 3,
        "tolerance": 0, "unit": "ms",
    })
    assert how_to_answer(question, "open") == (
        "Reply in the thread below, or press Answer. Give a number (in ms)."
    )
    assert how_to_answer(question, "open", thread_answers=False).startswith(
        "Press Answer; the thread below is for discussion."
    )
    assert how_to_answer(question, "blind").startswith("Press Answer: answers stay private")
