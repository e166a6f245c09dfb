"""Pure time rules of the daily question: parsing a schedule and listing its slots across DST.

A slot is a channel-local date plus the local post time. A local time that does not exist on
that date (spring forward) moves to the next valid minute; a time that exists twice (fall
back) means its first occurrence, and the claim per (channel, local date) makes a second
firing a no-op anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.errors import UserError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = "0123456"
WEEKDAYS = "01234"
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_ALIASES = {
    "monday": 0, "tues": 1, "tuesday": 1, "weds": 2, "wednesday": 2, "thur": 3, "thurs": 3,
    "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
MAX_SCAN_DAYS = 400


def parse_time(text: str) -> time:
    """'09:00' or '9:00' -> time(9, 0); anything else is a polite error."""
    match = _TIME.match(text.strip())
    if not match:
        raise UserError(
            f"`{text}` is not a time I can read. Use 24-hour HH:MM, for example 09:00 or 18:30."
        )
    return time(int(match.group(1)), int(match.group(2)))


def check_zone(name: str) -> ZoneInfo:
    """An IANA timezone, or a polite error naming the expected form."""
    try:
        if not name or name != name.strip():
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"`{name}` is not a timezone I know. Use an IANA name such as Europe/Berlin, "
            "America/New_York or Asia/Kolkata."
        ) from None


def parse_days(text: str) -> str:
    """'every day', 'weekdays', 'weekends' or a list like 'mon,wed,fri' / 'mon-fri' -> digits."""
    cleaned = text.strip().lower()
    if cleaned in ("every day", "everyday", "daily", "all", "every-day"):
        return EVERY_DAY
    if cleaned in ("weekdays", "weekday", "work days", "workdays"):
        return WEEKDAYS
    if cleaned in ("weekends", "weekend"):
        return "56"
    chosen: set[int] = set()
    for part in re.split(r"[\s,;]+", cleaned):
        if not part:
            continue
        if "-" in part:
            first, _, last = part.partition("-")
            start, end = _day(first, text), _day(last, text)
            span = range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
            chosen.update(span)
        else:
            chosen.add(_day(part, text))
    if not chosen:
        raise UserError(_days_help(text))
    return "".join(str(d) for d in sorted(chosen))


def _day(word: str, whole: str) -> int:
    if word[:3] in DAY_NAMES and (len(word) == 3 or word in _ALIASES):
        return DAY_NAMES.index(word[:3])
    if word in _ALIASES:
        return _ALIASES[word]
    raise UserError(_days_help(whole))


def _days_help(text: str) -> str:
    return (
        f"`{text}` is not a list of days I can read. Use every day, weekdays, weekends or days "
        "such as mon,wed,fri (or a range like mon-fri)."
    )


def describe_days(days: str) -> str:
    if days == EVERY_DAY:
        return "every day"
    if days == WEEKDAYS:
        return "weekdays"
    if days == "56":
        return "weekends"
    return ", ".join(DAY_NAMES[int(d)] for d in days)


def local_slot(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of `at` on local `day`; a skipped time moves to the next valid minute."""
    wall = datetime.combine(day, at)
    for minutes in range(0, 24 * 60):
        candidate = wall + timedelta(minutes=minutes)
        aware = candidate.replace(tzinfo=zone)  # fold=0: the first of two repeated times
        if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == candidate:
            return aware.astimezone(UTC)
    raise ValueError(f"no valid local time on {day} in {zone}")  # pragma: no cover


@dataclass(frozen=True)
class Slot:
    """One scheduled post: the channel-local date and the UTC instant it falls due."""

    day: date
    at: datetime


def slots_between(
    post_time: str, zone_name: str, days: str, after: datetime, until: datetime
) -> Iterator[Slot]:
    """Slots strictly after `after` and at or before `until`, in time order."""
    if until <= after:
        return
    zone = ZoneInfo(zone_name)
    at = parse_time(post_time)
    day = after.astimezone(zone).date()
    last = min(until.astimezone(zone).date(), day + timedelta(days=MAX_SCAN_DAYS))
    while day <= last:
        if str(day.weekday()) in days:
            when = local_slot(day, at, zone)
            if after < when <= until:
                yield Slot(day, when)
        day += timedelta(days=1)


def next_slot(post_time: str, zone_name: str, days: str, after: datetime) -> Slot | None:
    """The first slot after `after` (None when `days` is empty)."""
    return next(iter(slots_between(post_time, zone_name, days, after, after + timedelta(days=8))),
                None)


def local_date(when: datetime, zone_name: str) -> date:
    return when.astimezone(ZoneInfo(zone_name)).date()


def show_local(when: datetime, zone_name: str) -> str:
    """'Wed 2 Dec 09:00 (Europe/Berlin)': a deadline as members of the channel read it."""
    local = when.astimezone(ZoneInfo(zone_name))
    return f"{local:%a} {local.day} {local:%b %H:%M} ({zone_name})"
