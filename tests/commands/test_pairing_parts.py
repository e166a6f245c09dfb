"""Pure parts of pairing: availability text, round timing, session shape, question choice."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import UserError
from bot.packs.schema import Question
from commands.pairing.availability import (
    Window,
    block_mask,
    describe,
    expand,
    parse_availability,
)
from commands.pairing.interview import Seat, format_lines, plan_turns, seat_order, slot_starts
from commands.pairing.questions import (
    Answered,
    choose_behavioral,
    choose_technical,
    seen_ids,
    weakest_topic,
)
from commands.pairing.schedule import Schedule, opening_after

# --- availability -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon 18:00-20:00, Wed 07:00-09:00", "Mon 18:00-20:00, Wed 07:00-09:00"),
        ("mon-wed 18-20", "Mon 18:00-20:00, Tue 18:00-20:00, Wed 18:00-20:00"),
        ("Mon, Wed 18:00-20:00", "Mon 18:00-20:00, Wed 18:00-20:00"),
        ("weekends 10am-2pm", "Sat 10:00-14:00, Sun 10:00-14:00"),
        ("Fri 22:00-01:00", "Fri 22:00-01:00"),
        ("Tue 07:00-09:00 18:30-20:00", "Tue 07:00-09:00, Tue 18:30-20:00"),
        ("Sun 20:00-24:00", "Sun 20:00-24:00"),
        ("Sat-Mon 9-11", "Mon 09:00-11:00, Sat 09:00-11:00, Sun 09:00-11:00"),
    ],
)
def test_availability_is_read_in_several_forms(text: str, expected: str) -> None:
    assert describe(parse_availability(text)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mon 25:00-26:00", "`25:00` is not a time of day; times run from 00:00 to 24:00."),
        ("Mon 18:61-19:00", "`18:61` is not a time of day"),
        ("Funday 10-12", "does not start with a weekday"),
        ("Mon", "Give times for Mon"),
        ("Mon 10:00-10:00", "starts and ends at the same time"),
        ("Mon evening", "does not start with a weekday"),
        ("Mon 18:00", "is not a time window"),
        ("", "Give your availability"),
        ("Mon 13pm-14pm", "is not a time of day"),
    ],
)
def test_unreadable_availability_is_explained(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_availability(text)


def test_windows_keep_their_local_time_across_daylight_saving() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    windows = parse_availability("Sat 10:00-12:00")
    # Europe/Berlin leaves summer time on Sunday 25 October 2026
    start = datetime(2026, 10, 17, tzinfo=UTC)
    found = expand(windows, berlin, start, start + timedelta(days=15))
    assert [(a.day, a.hour, b.hour) for a, b in found] == [(17, 8, 10), (24, 8, 10), (31, 9, 11)]
    assert all(a.astimezone(berlin).hour == 10 for a, _ in found)


def test_a_window_past_midnight_continues_into_the_next_day() -> None:
    found = expand(parse_availability("Fri 23:00-01:00"), ZoneInfo("UTC"),
                   datetime(2026, 12, 4, tzinfo=UTC), datetime(2026, 12, 6, tzinfo=UTC))
    assert found == [(datetime(2026, 12, 4, 23, tzinfo=UTC), datetime(2026, 12, 5, 1, tzinfo=UTC))]


def test_block_mask_counts_only_whole_blocks() -> None:
    origin = datetime(2026, 12, 1, tzinfo=UTC)
    interval = (origin + timedelta(minutes=15), origin + timedelta(minutes=100))
    # blocks of 30 minutes: 00:30-01:00 and 01:00-01:30 lie inside 00:15-01:40
    assert block_mask([interval], origin, 30, 10) == 0b110
    assert Window(0, 60, 90).describe() == "Mon 01:00-01:30"


# --- round timing -----------------------------------------------------------------------------


def schedule(anchor: datetime, **kw: object) -> Schedule:
    values: dict[str, object] = dict(weekday=0, time_of_day="09:00", frequency_weeks=1,
                                     session_minutes=90, join_hours=48, timezone="UTC")
    values.update(kw)
    return Schedule(anchor=anchor, **values)  # type: ignore[arg-type]


def test_the_round_taking_joins_at_setup_opens_at_once() -> None:
    tuesday = datetime(2026, 12, 1, 8, tzinfo=UTC)
    times = opening_after(schedule(tuesday), None, tuesday)
    assert times.opens_at == datetime(2026, 11, 30, 9, tzinfo=UTC)
    assert times.closes_at == datetime(2026, 12, 2, 9, tzinfo=UTC)
    assert times.ends_at == datetime(2026, 12, 9, 9, tzinfo=UTC)
    following = opening_after(schedule(tuesday), times.opens_at, tuesday)
    assert following.opens_at == datetime(2026, 12, 7, 9, tzinfo=UTC)


def test_a_window_already_over_at_setup_waits_for_the_next_opening() -> None:
    thursday = datetime(2026, 12, 3, 8, tzinfo=UTC)
    times = opening_after(schedule(thursday), None, thursday)
    assert times.opens_at == datetime(2026, 12, 7, 9, tzinfo=UTC)


def test_every_other_week_and_missed_rounds_are_skipped() -> None:
    anchor = datetime(2026, 12, 1, 8, tzinfo=UTC)
    every_two = schedule(anchor, frequency_weeks=2)
    first = opening_after(every_two, None, anchor)
    second = opening_after(every_two, first.opens_at, anchor)
    assert second.opens_at - first.opens_at == timedelta(weeks=2)
    # down for five weeks: the next round is the one still taking joins, nothing replayed
    later = datetime(2027, 1, 12, 8, tzinfo=UTC)
    resumed = opening_after(every_two, first.opens_at, later)
    assert resumed.closes_at > later and resumed.opens_at <= later + timedelta(weeks=2)


def test_openings_follow_local_time_across_daylight_saving() -> None:
    anchor = datetime(2026, 10, 20, tzinfo=UTC)
    ny = schedule(anchor, weekday=2, time_of_day="18:30", timezone="America/New_York")
    first = opening_after(ny, None, anchor)
    after_change = opening_after(ny, first.opens_at + timedelta(weeks=1), anchor)
    local = ZoneInfo("America/New_York")
    assert first.opens_at.astimezone(local).strftime("%a %H:%M") == "Wed 18:30"
    assert after_change.opens_at.astimezone(local).strftime("%a %H:%M") == "Wed 18:30"
    assert first.opens_at.hour != after_change.opens_at.hour  # UTC moved by an hour


# --- session shape ----------------------------------------------------------------------------


def test_each_member_is_interviewed_unless_they_only_want_to_interview() -> None:
    both = plan_turns([Seat(1, "both"), Seat(2, "both")])
    assert [(t.interviewer, t.interviewee) for t in both] == [(1, 2), (2, 1)]
    one_way = plan_turns(seat_order([Seat(2, "interviewee"), Seat(1, "interviewer")]))
    assert [(t.interviewer, t.interviewee) for t in one_way] == [(1, 2)]
    nobody_wants = plan_turns([Seat(1, "interviewer"), Seat(2, "interviewer")])
    assert len(nobody_wants) == 2
    trio = plan_turns([Seat(1, "both"), Seat(2, "both"), Seat(3, "both")])
    assert [(t.interviewer, t.interviewee) for t in trio] == [(1, 2), (2, 3), (3, 1)]


def test_the_format_adds_up_to_the_interview_length() -> None:
    for minutes in (30, 45, 60, 90):
        total = sum(int(line.split(" ")[0]) for line in format_lines(minutes))
        assert total == minutes
    assert format_lines(45)[1] == "20 min: the technical question"


def test_slots_spread_over_separate_stretches_first() -> None:
    assert slot_starts((0b11 << 10) | (1 << 40) | (1 << 80) | (1 << 90), 3) == [10, 40, 80]
    assert slot_starts(0b1111111, 3) == [0, 3, 6]
    assert slot_starts(0b11, 3) == [0, 1]
    assert slot_starts(0, 3) == []


# --- questions --------------------------------------------------------------------------------


def question(qid: str, topic: str, kind: str = "open", difficulty: str = "medium") -> Question:
    extra: dict[str, object] = {
        "open": {"model_answer": "m", "rubric": ["a", "b", "c"]},
        "behavioral": {"model_answer": "m", "rubric": ["a", "b", "c"]},
        "coding": {"solution": "s", "example_call": "f()", "expected_output": "1"},
    }[kind]
    return Question(id=qid, topic=topic, subtopic="x", difficulty=difficulty, kind=kind,
                    prompt="p", explanation="e", **extra)  # type: ignore[arg-type]


def test_the_weakest_topic_has_the_most_wrong_answers() -> None:
    answers = [Answered("deep_learning", False), Answered("deep_learning", True),
               Answered("evaluation", False), Answered("evaluation", False),
               Answered("behavioral", False), Answered(None, False)]
    assert weakest_topic(answers) == "evaluation"
    assert weakest_topic([Answered("evaluation", True)]) is None


def test_question_ids_are_found_inside_activity_refs() -> None:
    known = {"la-003", "ev-010"}
    assert seen_ids(["quiz:12:la-003", "daily:7/ev-010", "la-0031", "x"], known) == known


def test_technical_questions_come_from_the_weak_topic_and_are_never_seen() -> None:
    pool = [question("dl-1", "deep_learning"), question("ev-1", "evaluation"),
            question("ev-2", "evaluation", difficulty="hard"),
            question("bh-1", "behavioral", kind="behavioral"),
            question("cd-1", "coding", kind="coding")]
    rng = random.Random(1)
    picked = choose_technical(pool, {"ev-1"}, topic="evaluation", level=1, rng=rng)
    assert picked is not None and picked.id == "ev-2"
    picked = choose_technical(pool, {"ev-1", "ev-2"}, topic="evaluation", level=1, rng=rng)
    assert picked is not None and picked.id == "dl-1"
    everything = {"dl-1", "ev-1", "ev-2", "cd-1"}
    assert choose_technical(pool, everything, topic=None, level=1, rng=rng) is None
    behavioral = choose_behavioral(pool, set(), level=0, rng=rng)
    assert behavioral is not None and behavioral.id == "bh-1"
    assert choose_behavioral(pool, {"bh-1"}, level=0, rng=rng) is None
