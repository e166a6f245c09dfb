"""Where and when a member's day is: their timezone, the workspace's posting weekdays, its home
channel, and local midnights as UTC instants.

Contract with the daily question feature (read here, written there):
- `daily_schedules` rows (commands/daily/tables.py: `workspace_id`, `channel_id`, `days` as
  weekday digits with Monday = 0, `paused`), when that feature is installed;
- otherwise `Channel.settings["daily"]["days"]`: a list of weekday names (`"mon"`, `"Tuesday"`)
  or numbers (Monday = 0), or one of the strings `"every day"`, `"weekdays"`, `"weekends"`, or
  `"mon,wed,fri"` / `"mon-fri"`; a `"daily"` mapping without `"days"` posts every day.
A weekday on which no daily channel of the workspace posts is a rest day for streaks (a paused
schedule posts on no day). A workspace without any schedule has no rest days.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.tables import Channel, Person

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = frozenset(range(7))
_SPECIAL = {
    "every day": EVERY_DAY,
    "everyday": EVERY_DAY,
    "daily": EVERY_DAY,
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
}


def zone_of(name: str | None) -> ZoneInfo:
    """A ZoneInfo for a stored name; an unusable name falls back to UTC."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(at: datetime, zone: str) -> date:
    return at.astimezone(zone_of(zone)).date()


def day_start(day: date, zone: str) -> datetime:
    """The UTC instant at which `day` begins in `zone` (where midnight is skipped by a DST
    change, the first instant of that day)."""
    local = datetime.combine(day, time(0), tzinfo=zone_of(zone))
    instant = local.astimezone(UTC)
    if instant.astimezone(zone_of(zone)).date() != day:  # midnight did not exist
        instant = local.replace(hour=1).astimezone(UTC)
    return instant


def day_end(day: date, zone: str) -> datetime:
    return day_start(day + timedelta(days=1), zone)


def show_day(day: date, *, year: bool = False) -> str:
    """`Tue 8 Dec` (or `Tue 8 Dec 2026`), the way every StudyBot message writes a day."""
    return f"{day:%a} {day.day} {day:%b}" + (f" {day.year}" if year else "")


def _weekday(token: str) -> set[int]:
    token = token.strip().lower()
    if not token:
        return set()
    if token.isdigit() and int(token) < 7:
        return {int(token)}
    if "-" in token:
        first, _, last = token.partition("-")
        a, b = _weekday(first), _weekday(last)
        if len(a) == 1 and len(b) == 1:
            lo, hi = min(a), min(b)
            return set(range(lo, hi + 1)) if lo <= hi else set(range(lo, 7)) | set(range(hi + 1))
        return set()
    short = token[:3]
    return {DAY_NAMES.index(short)} if short in DAY_NAMES else set()


def parse_days(value: Any) -> frozenset[int] | None:
    """Weekdays from a schedule value (see the module docstring); None when unreadable."""
    if value is None:
        return EVERY_DAY
    if isinstance(value, str):
        cleaned = value.strip().lower()
        if cleaned in _SPECIAL:
            return _SPECIAL[cleaned]
        if cleaned.isdigit():  # the daily feature's digit string, "01234"
            return frozenset(int(c) for c in cleaned if int(c) < 7)
        tokens: Iterable[Any] = re.split(r"[,\s]+", cleaned)
    elif isinstance(value, list | tuple):
        tokens = value
    else:
        return None
    days: set[int] = set()
    for token in tokens:
        if isinstance(token, int) and not isinstance(token, bool):
            if 0 <= token < 7:
                days.add(token)
        elif isinstance(token, str):
            days |= _weekday(token)
    return frozenset(days)


def channel_days(settings: Mapping[str, Any]) -> frozenset[int] | None:
    """Posting weekdays from `Channel.settings["daily"]`, or None when it has no schedule."""
    daily = settings.get("daily")
    if not isinstance(daily, Mapping):
        return None
    if daily.get("paused"):
        return frozenset()
    return parse_days(daily.get("days"))


def _daily_schedule_model() -> Any:
    """The daily feature's schedule table, when that feature is installed."""
    try:
        module = importlib.import_module("commands.daily.tables")
    except ImportError:
        return None
    return getattr(module, "DailySchedule", None)


async def schedules(
    session: AsyncSession, workspace_id: int | None
) -> list[tuple[int, frozenset[int]]]:
    """(channel id, posting weekdays) of every daily channel of a workspace (None: of all)."""
    found: dict[int, frozenset[int]] = {}
    query = select(Channel).order_by(Channel.id)
    if workspace_id is not None:
        query = query.where(Channel.workspace_id == workspace_id)
    for channel in await session.scalars(query):
        days = channel_days(channel.settings or {})
        if days is not None:
            found[channel.id] = days
    model = _daily_schedule_model()
    if model is not None:
        rows = select(model.channel_id, model.days, model.paused)
        if workspace_id is not None:
            rows = rows.where(model.workspace_id == workspace_id)
        for channel_id, days, paused in await session.execute(rows):
            found[channel_id] = frozenset() if paused else parse_days(days) or frozenset()
    return sorted(found.items())


async def rest_weekdays(session: AsyncSession, workspace_id: int) -> frozenset[int]:
    """Weekdays on which no daily channel of the workspace posts (none without schedules)."""
    found = await schedules(session, workspace_id)
    if not found:
        return frozenset()
    posting: set[int] = set()
    for _, days in found:
        posting |= days
    return EVERY_DAY - posting


async def home_channel(session: AsyncSession, workspace_id: int) -> Channel | None:
    """Where the workspace's announcements go: its first daily channel, else its first channel."""
    found = await schedules(session, workspace_id)
    if found:
        return await session.get(Channel, found[0][0])
    return await session.scalar(
        select(Channel).where(Channel.workspace_id == workspace_id).order_by(Channel.id).limit(1)
    )


async def member_zone(session: AsyncSession, workspace_id: int, person: Person) -> str:
    """The member's own timezone, else the home channel's, else UTC."""
    if person.timezone:
        return zone_of(person.timezone).key
    channel = await home_channel(session, workspace_id)
    return zone_of(channel.timezone if channel else None).key
