"""Scheduled streak work: react to new activity, close members' days, send reminders.

Each `due` asks one indexed question of the database and returns at most one piece of work
(the earliest); the scheduler asks again after running it, so everything runs in time order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Services
from bot.core.outbox import STALE
from bot.store.tables import Person, Workspace
from commands.spec import DueWork
from commands.streaks import queries
from commands.streaks.model import REMINDER, Notice
from commands.streaks.service import can_send, claim, refresh, send_notices

RESEND_FOR = timedelta(days=1)  # a notice still unsent a day after its claim is dropped


async def due_activity(services: Services, until: datetime) -> list[DueWork]:
    """New answers or finished quizzes: milestones are announced soon after they happen."""
    async with services.store.session() as session:
        after = await queries.activity_cursor(session)
        first, last = await queries.new_activity(session, after)
    if first is None or last is None:
        return []
    return [DueWork(min(first, until), f"streaks.activity:{last}", _activity(after, last))]


def _activity(after: int, upto: int) -> Callable[[Services], Awaitable[None]]:
    async def run(services: Services) -> None:
        notices: list[Notice] = []
        now = services.clock.now()
        async with services.store.session() as session:
            for workspace_id, person_id in await queries.members_with_activity(
                session, after, upto
            ):
                workspace = await session.get(Workspace, workspace_id)
                person = await session.get(Person, person_id)
                if workspace is None or person is None:
                    continue
                _, claimed = await refresh(
                    session, workspace, person, now, announce=can_send(services, workspace)
                )
                notices += claimed
            await queries.set_activity_cursor(session, upto)
        await send_notices(services, notices)

    return run


async def _members_due(
    session: AsyncSession, column: str, at: datetime
) -> list[tuple[Workspace, Person]]:
    """The (workspace, person) rows whose streak state has `column` due at `at`."""
    found = []
    for workspace_id, person_id in await queries.states_due(session, column, at):
        workspace = await session.get(Workspace, workspace_id)
        person = await session.get(Person, person_id)
        if workspace is not None and person is not None:
            found.append((workspace, person))
    return found


async def due_day_ends(services: Services, until: datetime) -> list[DueWork]:
    """Members whose local day ended with a live streak: the missed day uses a freeze (and is
    announced) or ends the streak."""
    async with services.store.session() as session:
        at = await queries.earliest(session, "check_at", until)
    if at is None:
        return []
    return [DueWork(at, f"streaks.day_end:{at.isoformat()}", _day_ends(at))]


def _day_ends(at: datetime) -> Callable[[Services], Awaitable[None]]:
    async def run(services: Services) -> None:
        notices: list[Notice] = []
        now = services.clock.now()
        async with services.store.session() as session:
            for workspace, person in await _members_due(session, "check_at", at):
                _, claimed = await refresh(
                    session, workspace, person, now, announce=can_send(services, workspace)
                )
                notices += claimed
        await send_notices(services, notices)

    return run


async def due_reminders(services: Services, until: datetime) -> list[DueWork]:
    """Members who asked for reminders, a few hours before their day ends."""
    async with services.store.session() as session:
        at = await queries.earliest(session, "remind_at", until)
    if at is None:
        return []
    return [DueWork(at, f"streaks.remind:{at.isoformat()}", _reminders(at))]


def _reminders(at: datetime) -> Callable[[Services], Awaitable[None]]:
    async def run(services: Services) -> None:
        notices: list[Notice] = []
        now = services.clock.now()
        async with services.store.session() as session:
            for workspace, person in await _members_due(session, "remind_at", at):
                sendable = can_send(services, workspace)
                member, claimed = await refresh(session, workspace, person, now, announce=sendable)
                notices += claimed
                streak = member.streak
                if sendable and streak.at_risk:
                    notice = await claim(
                        session, workspace, person, REMINDER, streak.today, streak.current, now
                    )
                    if notice is not None:
                        notices.append(notice)
        await send_notices(services, notices)

    return run


async def due_resends(services: Services, until: datetime) -> list[DueWork]:
    """Notices whose send failed or whose run died: sent again (the outbox finds any the
    platform kept) once their claim is stale, for a day."""
    platforms = [p.value for p in services.chats]
    async with services.store.session() as session:
        notices = await queries.unsent_notices(
            session, until - STALE, until - RESEND_FOR, platforms
        )
    if not notices:
        return []
    last = notices[-1].id
    return [DueWork(until, f"streaks.resend:{last}", _resend(notices))]


def _resend(notices: list[Notice]) -> Callable[[Services], Awaitable[None]]:
    async def run(services: Services) -> None:
        await send_notices(services, notices)

    return run
