"""Streak rules applied to members: evaluate, refresh the stored state, claim and send notices."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Context, Services
from bot.core.errors import NotAllowed, NotFound
from bot.core.ids import ChannelRef, Platform, UserRef, WorkspaceRef
from bot.core.outbox import dm_once, post_once
from bot.core.ports import ChannelGone
from bot.store.members import find_account
from bot.store.tables import Account, Channel, Person, Workspace
from commands.streaks import queries, views
from commands.streaks.model import REMINDER, MemberStreak, Notice
from commands.streaks.rules import FREEZE_USED, MILESTONE, StreakRules, compute
from commands.streaks.schedule import (
    day_end,
    home_channel,
    local_day,
    member_zone,
    rest_weekdays,
)
from commands.streaks.tables import StreakState

log = logging.getLogger(__name__)

RECENT_DAYS = 2  # older events (a first computation, a repair) are not announced any more


async def evaluate(
    session: AsyncSession, workspace: Workspace, person: Person, now: datetime
) -> MemberStreak:
    """The member's streak right now, computed from the activity log and repairs."""
    rules = StreakRules.from_settings(workspace.settings or {})
    zone = await member_zone(session, workspace.id, person)
    today = local_day(now, zone)
    kept = await queries.kept_days(session, workspace.id, person.id, rules.min_quiz_questions)
    rest = await rest_weekdays(session, workspace.id)
    return MemberStreak(compute(kept, today, rest_weekdays=rest, rules=rules), zone, rules)


def next_reminder(now: datetime, zone: str, rules: StreakRules) -> datetime:
    """The first reminder time strictly after `now`: N hours before a local day ends."""
    today = local_day(now, zone)
    for day in (today - timedelta(days=1), today, today + timedelta(days=1)):
        at = day_end(day, zone) - timedelta(hours=rules.remind_hours_before)
        if at > now:
            return at
    return day_end(today + timedelta(days=2), zone) - timedelta(hours=rules.remind_hours_before)


async def refresh(
    session: AsyncSession,
    workspace: Workspace,
    person: Person,
    now: datetime,
    *,
    announce: bool = True,
) -> tuple[MemberStreak, list[Notice]]:
    """Recompute, store the state the scheduler reads, and claim recent milestone and freeze
    notices (each at most once, ever)."""
    member = await evaluate(session, workspace, person, now)
    streak = member.streak
    state = await queries.state_of(session, workspace.id, person.id, now)
    state.current, state.longest, state.freezes = streak.current, streak.longest, streak.freezes
    state.last_kept = streak.last_kept
    state.check_at = day_end(streak.today, member.zone) if streak.current > 0 else None
    state.remind_at = next_reminder(now, member.zone, member.rules) if state.remind else None
    state.updated_at = now
    notices: list[Notice] = []
    if not announce:
        return member, notices
    recent = streak.today - timedelta(days=RECENT_DAYS)
    for event in streak.events:
        if event.kind in (MILESTONE, FREEZE_USED) and event.day >= recent:
            notice = await claim(
                session, workspace, person, event.kind, event.day, event.value, now
            )
            if notice is not None:
                notices.append(notice)
    return member, notices


async def claim(
    session: AsyncSession,
    workspace: Workspace,
    person: Person,
    kind: str,
    day: date,
    value: int,
    now: datetime,
) -> Notice | None:
    notice_id = await queries.claim_notice(
        session,
        workspace_id=workspace.id,
        person_id=person.id,
        kind=kind,
        day=day,
        value=value,
        now=now,
    )
    if notice_id is None:
        return None
    return Notice(notice_id, workspace.id, person.id, kind, day, value)


def workspace_ref(workspace: Workspace) -> WorkspaceRef:
    return WorkspaceRef(Platform(workspace.platform), workspace.external_id, workspace.name)


def channel_ref(workspace: Workspace, channel: Channel) -> ChannelRef:
    return ChannelRef(workspace_ref(workspace), channel.external_id, channel.name)


def can_send(services: Services, workspace: Workspace) -> bool:
    """Whether this process runs the workspace's platform (otherwise nothing is claimed)."""
    return workspace.platform in {p.value for p in services.chats}


async def send_notices(services: Services, notices: list[Notice]) -> None:
    """Send claimed notices (after their claim committed), then store the message ids.

    Each goes through the outbox (`streaks:<notice>`): a notice whose send failed or whose
    process died is sent again by the `streaks.resend` job, found rather than repeated when
    the platform had kept it. A notice with nowhere to go is confirmed without a message."""
    for notice in notices:
        async with services.store.session() as session:
            workspace = await session.get(Workspace, notice.workspace_id)
            account = await queries.account_of(session, notice.workspace_id, notice.person_id)
            state = await queries.find_state(session, notice.workspace_id, notice.person_id)
            channel = await home_channel(session, notice.workspace_id)
            person = await session.get(Person, notice.person_id)
            zone = await member_zone(session, notice.workspace_id, person) if person else "UTC"
        if workspace is not None and not can_send(services, workspace):
            continue  # the process running that platform sends it
        try:
            message_id = await _deliver(services, notice, workspace, account, state, channel, zone)
        except ChannelGone:
            log.warning("streak notice %s: channel gone", notice.id)
            message_id = ""
        except Exception:
            log.exception("streak notice %s failed; it is retried later", notice.id)
            continue
        if message_id is None:
            continue  # another run is sending it right now
        async with services.store.session() as session:
            await queries.confirm_notice(session, notice.id, message_id, services.clock.now())


async def _deliver(
    services: Services,
    notice: Notice,
    workspace: Workspace | None,
    account: Account | None,
    state: StreakState | None,
    channel: Channel | None,
    zone: str,
) -> str | None:
    """Send one notice through the outbox: its message id, "" when it has nowhere to go, or
    None while another run is sending it."""
    if workspace is None or account is None:
        return ""
    user = UserRef(workspace_ref(workspace), account.external_id, account.display_name)
    message = views.notice_message(notice, user, state, zone)
    key = f"streaks:{notice.id}"
    if notice.kind == REMINDER:
        ref = await dm_once(services, key, user, message)
    elif channel is not None:
        ref = await post_once(services, key, channel_ref(workspace, channel), message)
    else:
        return ""  # no channel to announce milestones in
    return None if ref is None else ref.id


async def target_member(ctx: Context) -> tuple[Person, str]:
    """The member a command is about (`member` option, else the caller) and their name.

    Members who left the boards keep their stats to themselves (admins still see them).
    """
    raw = ctx.args.get("member")
    if not raw:
        return ctx.person, ctx.account.display_name or ctx.person.display_name
    found = await find_account(ctx.session, ctx.workspace.id, str(raw))
    if found is None:
        raise NotFound(
            f"I don't know a member `{raw}` here yet: members appear once they have used "
            "StudyBot in this workspace."
        )
    account, person = found
    name = account.display_name or person.display_name
    if person.id != ctx.person.id and not person.on_leaderboard and not ctx.is_admin:
        raise NotAllowed(f"{name} keeps their stats to themselves (they left the boards).")
    return person, name
