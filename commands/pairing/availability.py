"""Weekly availability: parse "Mon 18:00-20:00, Wed 07:00-09:00", expand it to real times.

A member writes windows in their own timezone. They are kept as written (weekday, minutes from
local midnight) and turned into UTC intervals only for a concrete stretch of time, so that a
window keeps its local meaning across daylight-saving changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.errors import UserError

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAYS = {
    "mon": 0, "monday": 0, "mo": 0,
    "tue": 1, "tues": 1, "tuesday": 1, "tu": 1,
    "wed": 2, "weds": 2, "wednesday": 2, "we": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "th": 3,
    "fri": 4, "friday": 4, "fr": 4,
    "sat": 5, "saturday": 5, "sa": 5,
    "sun": 6, "sunday": 6, "su": 6,
}  # fmt: skip
_GROUPS = {
    "weekdays": (0, 1, 2, 3, 4),
    "weekday": (0, 1, 2, 3, 4),
    "weekends": (5, 6),
    "weekend": (5, 6),
    "daily": tuple(range(7)),
    "everyday": tuple(range(7)),
    "any": tuple(range(7)),
}
_TIME = re.compile(r"^(\d{1,2})(?::?(\d{2}))?\s*(am|pm)?$")
_RANGE = re.compile(r"^(.+?)\s*(?:-|–|—|\bto\b)\s*(.+)$")
MAX_TEXT = 300
MAX_WINDOWS = 28
DAY_MINUTES = 24 * 60
EXAMPLE = "Mon 18:00-20:00, Wed 07:00-09:00"
DEFAULT_TEXT = "Mon-Fri 18:00-21:00, Sat-Sun 10:00-18:00"


@dataclass(frozen=True, order=True)
class Window:
    """A weekly window in local time; `end` may pass midnight (up to 48:00)."""

    day: int
    start: int
    end: int

    def describe(self) -> str:
        end = self.end if self.end <= DAY_MINUTES else self.end - DAY_MINUTES
        return f"{DAY_NAMES[self.day]} {_clock(self.start)}-{_clock(end)}"


def _clock(minutes: int) -> str:
    if minutes == DAY_MINUTES:
        return "24:00"
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_availability(text: str) -> tuple[Window, ...]:
    """Windows from text such as `Mon 18:00-20:00, Wed 07:00-09:00` or `Mon-Fri 18-20`.

    Items are separated by commas or semicolons; an item of days only (`Mon, Wed 18:00-20:00`)
    shares the times of the next item. A window whose end is before its start runs past
    midnight. Anything unreadable raises a UserError that names the piece and shows an example.
    """
    text = text.strip()
    if not text:
        raise UserError(f"Give your availability as weekday time windows, e.g. `{EXAMPLE}`.")
    if len(text) > MAX_TEXT:
        raise UserError(f"Your availability is {len(text)} characters; keep it under {MAX_TEXT}.")
    windows: set[Window] = set()
    waiting_days: list[int] = []
    for raw in re.split(r"[,;\n]+", text):
        item = raw.strip()
        if not item:
            continue
        days, rest = _leading_days(item)
        if not days:
            raise UserError(
                f"`{item}` does not start with a weekday (Mon, Tue, ... or Mon-Fri, weekends). "
                f"Example: `{EXAMPLE}`."
            )
        if not rest:
            waiting_days += days
            continue
        for day in [*waiting_days, *days]:
            for start, end in _ranges(rest, item):
                windows.add(Window(day, start, end))
        waiting_days = []
    if waiting_days:
        names = ", ".join(DAY_NAMES[d] for d in waiting_days)
        raise UserError(f"Give times for {names}, e.g. `{DAY_NAMES[waiting_days[0]]} 18:00-20:00`.")
    if len(windows) > MAX_WINDOWS:
        raise UserError(f"That is {len(windows)} windows; {MAX_WINDOWS} at most, please.")
    return tuple(sorted(windows))


def _leading_days(item: str) -> tuple[list[int], str]:
    """Split `Mon-Fri 18-20` into ([0..4], `18-20`); days may be joined by `/`, `&` or `+`."""
    match = re.match(r"^([A-Za-z][A-Za-z/&+\- ]*?)(?=\s*\d|$)", item)
    if not match:
        return [], item
    spec = match.group(1).strip().lower()
    rest = item[match.end() :].strip()
    days: list[int] = []
    for part in re.split(r"\s*[/&+]\s*|\s+and\s+|\s+", spec):
        if not part:
            continue
        if part in _GROUPS:
            days += _GROUPS[part]
            continue
        ends = part.split("-")
        if len(ends) == 1 and part in _DAYS:
            days.append(_DAYS[part])
        elif len(ends) == 2 and ends[0] in _DAYS and ends[1] in _DAYS:
            first, last = _DAYS[ends[0]], _DAYS[ends[1]]
            days += [(first + i) % 7 for i in range((last - first) % 7 + 1)]
        else:
            return [], item
    return sorted(set(days)), rest


def _ranges(rest: str, item: str) -> list[tuple[int, int]]:
    found = []
    for piece in re.split(r"\s+(?=\d)|\s*&\s*|\s+and\s+", rest.strip()):
        piece = piece.strip()
        if not piece:
            continue
        match = _RANGE.match(piece)
        if not match:
            raise UserError(
                f"`{piece}` in `{item}` is not a time window; write it like `18:00-20:00`."
            )
        start, end = _minutes(match.group(1)), _minutes(match.group(2))
        if end == start:
            raise UserError(f"`{piece}` starts and ends at the same time.")
        if end < start:
            end += DAY_MINUTES  # runs past midnight, e.g. 22:00-01:00
        found.append((start, end))
    return found


def _minutes(text: str) -> int:
    value = text.strip().lower().replace(".", ":").replace("h", ":").rstrip(":")
    match = _TIME.match(value)
    if not match:
        raise UserError(f"`{text.strip()}` is not a time of day; use 24-hour times like 18:30.")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half is not None:
        if not 1 <= hour <= 12:
            raise UserError(f"`{text.strip()}` is not a time of day.")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise UserError(
            f"`{text.strip()}` is not a time of day; times run from 00:00 to 24:00."
        )
    return hour * 60 + minute


def describe(windows: Iterable[Window]) -> str:
    return ", ".join(w.describe() for w in windows)


def longest(windows: Sequence[Window]) -> int:
    return max((w.end - w.start for w in windows), default=0)


def expand(
    windows: Iterable[Window], tz: ZoneInfo, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The UTC intervals of `windows` (local to `tz`) that fall between `start` and `end`."""
    windows = list(windows)
    first = start.astimezone(tz).date() - timedelta(days=2)
    last = end.astimezone(tz).date()
    out: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        for window in windows:
            if window.day != day.weekday():
                continue
            lo = _local(day, window.start, tz)
            hi = _local(day, window.end, tz)
            lo, hi = max(lo, start), min(hi, end)
            if lo < hi:
                out.append((lo, hi))
        day += timedelta(days=1)
    return sorted(out)


def _local(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """Wall-clock `minutes` after local midnight of `day`, as UTC (DST-aware)."""
    days, rest = divmod(minutes, DAY_MINUTES)
    wall = datetime.combine(day + timedelta(days=days), datetime.min.time()) + timedelta(
        minutes=rest
    )
    return wall.replace(tzinfo=tz).astimezone(UTC)


def block_mask(
    intervals: Iterable[tuple[datetime, datetime]],
    origin: datetime,
    block_minutes: int,
    blocks: int,
) -> int:
    """Bit i set when block i (of `block_minutes`, counted from `origin`) is wholly free."""
    size = timedelta(minutes=block_minutes)
    mask = 0
    for lo, hi in intervals:
        first = -(-(lo - origin) // size)  # ceil: a block must start inside the interval
        stop = (hi - origin) // size
        first, stop = max(first, 0), min(stop, blocks)
        if stop > first:
            mask |= ((1 << (stop - first)) - 1) << first
    return mask
