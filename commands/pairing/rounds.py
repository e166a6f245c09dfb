"""Rounds of a channel: its schedule, the round taking joins now, the next opening, sign-ups.

A channel gets the default schedule (weekly, Monday 09:00 in the channel's timezone, 90-minute
sessions) the first time anyone joins; `/pair setup` changes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.tables import Channel, Person
from bot.store.upsert import insert_once
from commands.pairing import queries as q
from commands.pairing.availability import DEFAULT_TEXT, parse_availability
from commands.pairing.schedule import (
    DEFAULT_DAY,
    DEFAULT_SESSION,
    DEFAULT_TIME,
    DEFAULT_WEEKS,
    JOIN_HOURS,
    Schedule,
    Times,
    opening_after,
)
from commands.pairing.tables import PairEntry, PairRound, PairSchedule, PairSignup

LEVELS = ("entry", "mid", "senior")
ROLES = ("interviewer", "interviewee", "both")
LEVEL_INDEX = {name: i for i, name in enumerate(LEVELS)}


@dataclass(frozen=True)
class Prefs:
    """What a member asks for: level, role and availability (canonical text)."""

    level: str
    role: str
    availability: str


DEFAULT_PREFS = Prefs("mid", "both", DEFAULT_TEXT)


def member_timezone(person: Person, channel: Channel | None) -> str:
    """The member's own timezone, else the channel's, else UTC."""
    return person.timezone or (channel.timezone if channel is not None else None) or "UTC"


def schedule_values(row: PairSchedule, channel: Channel) -> Schedule:
    return Schedule(
        weekday=row.weekday,
        time_of_day=row.time_of_day,
        frequency_weeks=row.frequency_weeks,
        session_minutes=row.session_minutes,
        join_hours=row.join_hours,
        timezone=channel.timezone or "UTC",
        anchor=row.anchor_at,
    )


async def ensure_schedule(session: AsyncSession, channel: Channel, now: datetime) -> PairSchedule:
    row = await q.schedule_of(session, channel.id)
    if row is None:
        await insert_once(
            session,
            PairSchedule,
            {
                "channel_id": channel.id,
                "weekday": DEFAULT_DAY,
                "time_of_day": DEFAULT_TIME,
                "frequency_weeks": DEFAULT_WEEKS,
                "session_minutes": DEFAULT_SESSION,
                "join_hours": JOIN_HOURS,
                "anchor_at": now,
                "updated_at": now,
            },
        )
        row = await q.schedule_of(session, channel.id)
        assert row is not None
    return row


async def next_opening(
    session: AsyncSession, schedule: Schedule, channel_id: int, now: datetime
) -> Times:
    """The next opening after the channel's latest round that is not over by `now`."""
    latest = await q.latest_round(session, channel_id)
    times = opening_after(schedule, latest.opens_at if latest else None, now)
    # a changed schedule never opens a round while the previous one still takes joins
    while latest is not None and times.opens_at < latest.closes_at:
        times = opening_after(schedule, times.opens_at, now)
    return times


async def create_round(
    session: AsyncSession, channel_id: int, times: Times, session_minutes: int, now: datetime
) -> PairRound:
    await insert_once(
        session,
        PairRound,
        {
            "channel_id": channel_id,
            "number": await q.next_number(session, channel_id),
            "opens_at": times.opens_at,
            "closes_at": times.closes_at,
            "ends_at": times.ends_at,
            "session_minutes": session_minutes,
            "status": "open",
            "created_at": now,
        },
    )
    found = await q.round_by_opening(session, channel_id, times.opens_at)
    assert found is not None
    return found


async def ensure_round(session: AsyncSession, channel: Channel, now: datetime) -> PairRound | None:
    """The round taking joins now; created from the schedule when its opening has come."""
    found = await q.open_round(session, channel.id, now)
    if found is not None:
        return found
    schedule = schedule_values(await ensure_schedule(session, channel, now), channel)
    times = await next_opening(session, schedule, channel.id, now)
    if times.opens_at > now:
        return None
    return await create_round(session, channel.id, times, schedule.session_minutes, now)


async def enter(
    session: AsyncSession,
    round_: PairRound,
    *,
    person_id: int,
    account_id: int,
    prefs: Prefs,
    timezone: str,
    now: datetime,
) -> bool:
    return await insert_once(
        session,
        PairEntry,
        {
            "round_id": round_.id,
            "person_id": person_id,
            "account_id": account_id,
            "level": prefs.level,
            "role": prefs.role,
            "availability": prefs.availability,
            "timezone": timezone,
            "status": "joined",
            "joined_at": now,
        },
    )


async def save_signup(
    session: AsyncSession,
    channel_id: int,
    person_id: int,
    account_id: int,
    prefs: Prefs,
    now: datetime,
) -> PairSignup:
    """Create or refresh the member's standing sign-up (active, not skipping)."""
    await insert_once(
        session,
        PairSignup,
        {
            "channel_id": channel_id,
            "person_id": person_id,
            "account_id": account_id,
            "active": True,
            "skip_next": False,
            "level": prefs.level,
            "role": prefs.role,
            "availability": prefs.availability,
            "updated_at": now,
        },
    )
    row = await q.signup_of(session, channel_id, person_id)
    assert row is not None
    row.active, row.skip_next = True, False
    row.level, row.role, row.availability = prefs.level, prefs.role, prefs.availability
    row.account_id, row.updated_at = account_id, now
    return row


async def enter_signups(
    session: AsyncSession, round_: PairRound, channel: Channel, now: datetime
) -> int:
    """Enter every active sign-up in a round that just opened; a skip is used up here.

    Members with any entry in the round already (joined, left or skipped while it was open
    before its announcement went out) keep their choice.
    """
    entered = 0
    for signup in await q.active_signups(session, channel.id):
        if await q.entry_of(session, round_.id, signup.person_id) is not None:
            continue  # joined, left or skipped this round already: their choice stands
        if signup.skip_next:
            signup.skip_next = False
            continue
        try:
            parse_availability(signup.availability)
        except Exception:  # text saved by an older version that no longer parses
            continue
        person = await session.get(Person, signup.person_id)
        if person is None:
            continue
        prefs = Prefs(signup.level, signup.role, signup.availability)
        if await enter(
            session,
            round_,
            person_id=signup.person_id,
            account_id=signup.account_id,
            prefs=prefs,
            timezone=member_timezone(person, channel),
            now=now,
        ):
            entered += 1
    return entered


async def last_prefs(session: AsyncSession, channel_id: int, person_id: int) -> Prefs | None:
    signup = await q.signup_of(session, channel_id, person_id)
    if signup is not None:
        return Prefs(signup.level, signup.role, signup.availability)
    entry = await q.latest_entry(session, channel_id, person_id)
    if entry is not None:
        return Prefs(entry.level, entry.role, entry.availability)
    return None
