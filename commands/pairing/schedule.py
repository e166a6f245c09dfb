"""When rounds open, close and end: pure functions of a channel's schedule and a time.

A round opens on the scheduled weekday and local time, takes joins for `join_hours`, is paired
when joining closes, and its pairs meet during the `frequency_weeks` after the close. Round
openings follow local wall time, so 09:00 stays 09:00 across daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from commands.pairing.availability import DAY_NAMES

BLOCK_MINUTES = 30
LEAD = timedelta(hours=3)  # the first slot is at least this long after pairing
DEFAULT_DAY = 0  # Monday
DEFAULT_TIME = "09:00"
DEFAULT_WEEKS = 1
DEFAULT_SESSION = 90  # two 45-minute interviews, one each way
JOIN_HOURS = 48
FREQUENCIES = {"weekly": 1, "biweekly": 2}


@dataclass(frozen=True)
class Schedule:
    """A channel's round settings, as plain values."""

    weekday: int
    time_of_day: str
    frequency_weeks: int
    session_minutes: int
    join_hours: int
    timezone: str
    anchor: datetime  # when the schedule was set: no round opens for a window ending before

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def describe(self) -> str:
        every = "weekly" if self.frequency_weeks == 1 else f"every {self.frequency_weeks} weeks"
        return (
            f"rounds open {DAY_NAMES[self.weekday]} {self.time_of_day} ({self.timezone}), "
            f"{every}; joining stays open {self.join_hours} h; sessions last "
            f"{self.session_minutes} min"
        )


@dataclass(frozen=True)
class Times:
    """One round's times, all aware UTC."""

    opens_at: datetime
    closes_at: datetime
    ends_at: datetime

    @property
    def meet_from(self) -> datetime:
        return ceil_block(self.closes_at + LEAD)

    @property
    def checkin_at(self) -> datetime:
        return self.closes_at + (self.ends_at - self.closes_at) / 2


def ceil_block(when: datetime) -> datetime:
    """Round up to the next whole block (slots start on :00 or :30 UTC)."""
    size = timedelta(minutes=BLOCK_MINUTES)
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    return epoch + -(-(when - epoch) // size) * size


def parse_time_of_day(text: str) -> time | None:
    try:
        hour, minute = (int(p) for p in text.strip().split(":"))
    except ValueError:
        return None
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _at(day: date, schedule: Schedule) -> datetime:
    clock = parse_time_of_day(schedule.time_of_day) or time(9, 0)
    return datetime.combine(day, clock).replace(tzinfo=schedule.tz).astimezone(UTC)


def times_for(opens_at: datetime, schedule: Schedule) -> Times:
    closes_at = opens_at + timedelta(hours=schedule.join_hours)
    return Times(opens_at, closes_at, closes_at + timedelta(weeks=schedule.frequency_weeks))


def _first_day(schedule: Schedule) -> date:
    """The local date of the scheduled opening on or before the anchor."""
    local = schedule.anchor.astimezone(schedule.tz)
    day = local.date() - timedelta(days=(local.weekday() - schedule.weekday) % 7)
    if _at(day, schedule) > schedule.anchor:
        day -= timedelta(weeks=1)
    return day


def opening_after(schedule: Schedule, after: datetime | None, not_before: datetime) -> Times:
    """The first round opening later than `after` (None: any) whose joining is still open at
    `not_before` and after the schedule was set (missed rounds are skipped, never replayed)."""
    step = timedelta(weeks=schedule.frequency_weeks)
    day = _first_day(schedule)
    floor = max(schedule.anchor, not_before)
    if after is not None and _at(day, schedule) <= after:
        # jump close to `after` instead of walking week by week from the anchor
        local_after = after.astimezone(schedule.tz).date()
        skip = max(0, (local_after - day).days // step.days - 1)
        day += step * skip
    for _ in range(10_000):
        opens = _at(day, schedule)
        times = times_for(opens, schedule)
        if (after is None or opens > after) and times.closes_at > floor:
            return times
        day += step
    raise RuntimeError("no round opening found")  # pragma: no cover - schedules always repeat


def local(when: datetime, tz: str) -> str:
    """`Wed 2 Dec 18:00` in `tz`."""
    moment = when.astimezone(ZoneInfo(tz))
    return f"{DAY_NAMES[moment.weekday()]} {moment.day} {moment:%b %H:%M}"
