"""The streak feature's SQL: kept days, repairs, day counts, states and notices."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.tables import Account, Activity, Note, Person, Workspace
from bot.store.upsert import insert_once
from commands.streaks.model import Notice
from commands.streaks.tables import StreakNotice, StreakRepair, StreakState

COUNTING = ("daily_answer", "quiz_finished")
CURSOR_NOTE = "streaks.activity_cursor"


def counts_condition(min_quiz_questions: int) -> ColumnElement[bool]:
    """Activity that keeps a day: a daily answer, or a quiz of at least N questions (a quiz
    recorded without its size counts)."""
    return or_(
        Activity.kind == "daily_answer",
        and_(
            Activity.kind == "quiz_finished",
            or_(Activity.size.is_(None), Activity.size >= min_quiz_questions),
        ),
    )


async def kept_days(
    session: AsyncSession, workspace_id: int, person_id: int, min_quiz_questions: int
) -> set[date]:
    """Days kept by activity or by a repair."""
    active = await active_days(session, workspace_id, person_id, min_quiz_questions)
    return active | await repaired_days(session, workspace_id, person_id)


async def active_days(
    session: AsyncSession, workspace_id: int, person_id: int, min_quiz_questions: int
) -> set[date]:
    """Days the member kept by their own activity."""
    rows = await session.scalars(
        select(Activity.local_day)
        .where(
            Activity.workspace_id == workspace_id,
            Activity.person_id == person_id,
            counts_condition(min_quiz_questions),
        )
        .distinct()
    )
    return set(rows)


async def repaired_days(session: AsyncSession, workspace_id: int, person_id: int) -> set[date]:
    rows = await session.scalars(
        select(StreakRepair.day).where(
            StreakRepair.workspace_id == workspace_id, StreakRepair.person_id == person_id
        )
    )
    return set(rows)


async def day_counts(
    session: AsyncSession, workspace_id: int, person_id: int, first: date, last: date
) -> dict[date, int]:
    """How many things the member did on each local day of [first, last] (any kind)."""
    rows = await session.execute(
        select(Activity.local_day, func.count())
        .where(
            Activity.workspace_id == workspace_id,
            Activity.person_id == person_id,
            Activity.local_day >= first,
            Activity.local_day <= last,
        )
        .group_by(Activity.local_day)
    )
    return {day: int(n) for day, n in rows}


async def state_of(
    session: AsyncSession, workspace_id: int, person_id: int, now: datetime
) -> StreakState:
    """The member's state row, created empty on first use."""
    await insert_once(
        session,
        StreakState,
        {
            "workspace_id": workspace_id,
            "person_id": person_id,
            "current": 0,
            "longest": 0,
            "freezes": 0,
            "remind": False,
            "updated_at": now,
        },
    )
    state = await session.get(StreakState, (workspace_id, person_id))
    assert state is not None
    return state


async def find_state(
    session: AsyncSession, workspace_id: int, person_id: int
) -> StreakState | None:
    return await session.get(StreakState, (workspace_id, person_id))


async def claim_notice(
    session: AsyncSession,
    *,
    workspace_id: int,
    person_id: int,
    kind: str,
    day: date,
    value: int,
    now: datetime,
) -> int | None:
    """Claim a notice; its id when this call claimed it, None when it was claimed before."""
    inserted = await insert_once(
        session,
        StreakNotice,
        {
            "workspace_id": workspace_id,
            "person_id": person_id,
            "kind": kind,
            "day": day,
            "value": value,
            "claimed_at": now,
        },
    )
    if not inserted:
        return None
    return await session.scalar(
        select(StreakNotice.id).where(
            StreakNotice.workspace_id == workspace_id,
            StreakNotice.person_id == person_id,
            StreakNotice.kind == kind,
            StreakNotice.day == day,
        )
    )


async def confirm_notice(
    session: AsyncSession, notice_id: int, message_id: str, now: datetime
) -> None:
    notice = await session.get(StreakNotice, notice_id)
    if notice is not None:
        notice.message_id = message_id
        notice.sent_at = now


# What the scheduler asks.


async def activity_cursor(session: AsyncSession) -> int:
    note = await session.get(Note, CURSOR_NOTE)
    return int(note.value) if note is not None else 0


async def set_activity_cursor(session: AsyncSession, value: int) -> None:
    if not await insert_once(session, Note, {"key": CURSOR_NOTE, "value": str(value)}):
        note = await session.get(Note, CURSOR_NOTE)
        assert note is not None
        note.value = str(max(int(note.value), value))


async def new_activity(session: AsyncSession, after: int) -> tuple[datetime | None, int | None]:
    """(earliest time, highest id) of streak-relevant activity recorded after id `after`."""
    row = (
        await session.execute(
            select(func.min(Activity.at), func.max(Activity.id)).where(
                Activity.id > after, Activity.kind.in_(COUNTING)
            )
        )
    ).one()
    return row[0], row[1]


async def members_with_activity(
    session: AsyncSession, after: int, upto: int
) -> list[tuple[int, int]]:
    rows = await session.execute(
        select(Activity.workspace_id, Activity.person_id)
        .where(Activity.id > after, Activity.id <= upto, Activity.kind.in_(COUNTING))
        .distinct()
    )
    return [(w, p) for w, p in rows]


async def earliest(session: AsyncSession, column: str, until: datetime) -> datetime | None:
    """The earliest `check_at` or `remind_at` at or before `until`."""
    col = getattr(StreakState, column)
    query = select(func.min(col)).where(col <= until)
    if column == "remind_at":
        query = query.where(StreakState.remind.is_(True))
    value: datetime | None = await session.scalar(query)
    return value


async def states_due(
    session: AsyncSession, column: str, at: datetime
) -> Sequence[tuple[int, int]]:
    col = getattr(StreakState, column)
    query = select(StreakState.workspace_id, StreakState.person_id).where(col <= at)
    if column == "remind_at":
        query = query.where(StreakState.remind.is_(True))
    return [(w, p) for w, p in await session.execute(query.order_by(col))]


async def account_of(
    session: AsyncSession, workspace_id: int, person_id: int
) -> Account | None:
    return await session.scalar(
        select(Account)
        .where(Account.workspace_id == workspace_id, Account.person_id == person_id)
        .order_by(Account.id)
        .limit(1)
    )


async def longest_current(
    session: AsyncSession, workspace_id: int, limit: int, since: date
) -> list[tuple[int, int]]:
    """(person id, current streak) of the longest live streaks of visible members."""
    rows = await session.execute(
        select(StreakState.person_id, StreakState.current)
        .join(Person, Person.id == StreakState.person_id)
        .where(
            StreakState.workspace_id == workspace_id,
            StreakState.current > 0,
            StreakState.last_kept >= since,
            Person.on_leaderboard.is_(True),
        )
        .order_by(StreakState.current.desc(), StreakState.person_id)
        .limit(limit)
    )
    return [(p, c) for p, c in rows]


async def unsent_notices(
    session: AsyncSession, claimed_before: datetime, claimed_after: datetime,
    platforms: Collection[str],
) -> list[Notice]:
    """Notices claimed in a window and never confirmed (their send failed or its run died)."""
    rows = await session.scalars(
        select(StreakNotice)
        .join(Workspace, Workspace.id == StreakNotice.workspace_id)
        .where(
            StreakNotice.sent_at.is_(None),
            StreakNotice.claimed_at < claimed_before,
            StreakNotice.claimed_at > claimed_after,
            Workspace.platform.in_(list(platforms)),
        )
        .order_by(StreakNotice.claimed_at)
        .limit(500)
    )
    return [Notice(n.id, n.workspace_id, n.person_id, n.kind, n.day, n.value) for n in rows]
