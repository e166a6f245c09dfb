"""The pairing feature's SQL: the only place it reads or writes its tables."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, CursorResult, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ids import ChannelRef, Platform, UserRef, WorkspaceRef
from bot.core.outbox import STALE
from bot.store.tables import Account, Activity, Channel, Person, Workspace
from commands.pairing.tables import (
    PairEntry,
    PairFeedback,
    PairGroup,
    PairMember,
    PairNoShow,
    PairRound,
    PairSchedule,
    PairSignup,
    PairTask,
    PairTurn,
)

ANSWER_KINDS = ("quiz_answer", "daily_answer")
OUT = ("left", "skipped")  # entries kept only to remember a member's choice


async def schedule_of(session: AsyncSession, channel_id: int) -> PairSchedule | None:
    return await session.scalar(select(PairSchedule).where(PairSchedule.channel_id == channel_id))


async def open_round(session: AsyncSession, channel_id: int, now: datetime) -> PairRound | None:
    """The channel's round that still takes joins at `now`."""
    return await session.scalar(
        select(PairRound)
        .where(
            PairRound.channel_id == channel_id,
            PairRound.status == "open",
            PairRound.closes_at > now,
        )
        .order_by(PairRound.opens_at.desc())
        .limit(1)
    )


async def latest_round(session: AsyncSession, channel_id: int) -> PairRound | None:
    return await session.scalar(
        select(PairRound)
        .where(PairRound.channel_id == channel_id)
        .order_by(PairRound.opens_at.desc())
        .limit(1)
    )


async def paired_rounds_before(
    session: AsyncSession, channel_id: int, before: datetime, limit: int
) -> list[PairRound]:
    rows = await session.scalars(
        select(PairRound)
        .where(
            PairRound.channel_id == channel_id,
            PairRound.status == "paired",
            PairRound.opens_at < before,
        )
        .order_by(PairRound.opens_at.desc())
        .limit(limit)
    )
    return list(rows)


async def next_number(session: AsyncSession, channel_id: int) -> int:
    value = await session.scalar(
        select(func.coalesce(func.max(PairRound.number), 0)).where(
            PairRound.channel_id == channel_id
        )
    )
    return int(value or 0) + 1


async def round_by_opening(
    session: AsyncSession, channel_id: int, opens_at: datetime
) -> PairRound | None:
    return await session.scalar(
        select(PairRound).where(PairRound.channel_id == channel_id, PairRound.opens_at == opens_at)
    )


async def signup_of(session: AsyncSession, channel_id: int, person_id: int) -> PairSignup | None:
    return await session.scalar(
        select(PairSignup).where(
            PairSignup.channel_id == channel_id, PairSignup.person_id == person_id
        )
    )


async def active_signups(session: AsyncSession, channel_id: int) -> list[PairSignup]:
    rows = await session.scalars(
        select(PairSignup).where(PairSignup.channel_id == channel_id, PairSignup.active.is_(True))
    )
    return list(rows)


async def entry_of(session: AsyncSession, round_id: int, person_id: int) -> PairEntry | None:
    return await session.scalar(
        select(PairEntry).where(PairEntry.round_id == round_id, PairEntry.person_id == person_id)
    )


async def entries(
    session: AsyncSession, round_id: int, statuses: Collection[str]
) -> list[PairEntry]:
    rows = await session.scalars(
        select(PairEntry)
        .where(PairEntry.round_id == round_id, PairEntry.status.in_(list(statuses)))
        .order_by(PairEntry.id)
    )
    return list(rows)


async def count_entries(session: AsyncSession, round_id: int) -> int:
    value = await session.scalar(
        select(func.count())
        .select_from(PairEntry)
        .where(PairEntry.round_id == round_id, PairEntry.status.not_in(OUT))
    )
    return int(value or 0)


async def latest_entry(session: AsyncSession, channel_id: int, person_id: int) -> PairEntry | None:
    return await session.scalar(
        select(PairEntry)
        .join(PairRound, PairRound.id == PairEntry.round_id)
        .where(
            PairRound.channel_id == channel_id,
            PairEntry.person_id == person_id,
            PairEntry.status.not_in(OUT),
        )
        .order_by(PairRound.opens_at.desc())
        .limit(1)
    )


async def group_members(session: AsyncSession, group_id: int) -> list[PairMember]:
    rows = await session.scalars(
        select(PairMember).where(PairMember.group_id == group_id).order_by(PairMember.position)
    )
    return list(rows)


async def members_of_rounds(
    session: AsyncSession, round_ids: Collection[int]
) -> list[tuple[int, int, int]]:
    """(round id, group id, person id) for every member of the rounds' groups."""
    if not round_ids:
        return []
    rows = await session.execute(
        select(PairGroup.round_id, PairGroup.id, PairMember.person_id)
        .join(PairMember, PairMember.group_id == PairGroup.id)
        .where(PairGroup.round_id.in_(list(round_ids)))
    )
    return [(r, g, p) for r, g, p in rows.all()]


async def no_show_pairs(
    session: AsyncSession, person_ids: Collection[int]
) -> list[tuple[int, int]]:
    """(reporter, absent) of every no-show involving these people."""
    ids = list(person_ids)
    if not ids:
        return []
    rows = await session.execute(
        select(PairNoShow.reporter_id, PairNoShow.absent_id).where(
            PairNoShow.reporter_id.in_(ids) | PairNoShow.absent_id.in_(ids)
        )
    )
    return [(a, b) for a, b in rows.all()]


async def no_show_counts(session: AsyncSession, person_ids: Collection[int]) -> dict[int, int]:
    ids = list(person_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(PairNoShow.absent_id, func.count(func.distinct(PairNoShow.group_id)))
        .where(PairNoShow.absent_id.in_(ids))
        .group_by(PairNoShow.absent_id)
    )
    return {p: int(n) for p, n in rows.all()}


async def answer_history(
    session: AsyncSession, workspace_id: int, person_ids: Collection[int]
) -> list[tuple[int, str, str | None, bool | None]]:
    """(person, ref, topic, correct) of every quiz or daily answer of these people."""
    ids = list(person_ids)
    if not ids:
        return []
    rows = await session.execute(
        select(Activity.person_id, Activity.ref, Activity.topic, Activity.correct).where(
            Activity.workspace_id == workspace_id,
            Activity.person_id.in_(ids),
            Activity.kind.in_(ANSWER_KINDS),
        )
    )
    return [(p, r, t, c) for p, r, t, c in rows.all()]


async def asked_before(
    session: AsyncSession, person_ids: Collection[int]
) -> list[tuple[int, str | None, str | None]]:
    """(interviewee, technical id, behavioral id) of earlier mock interviews."""
    ids = list(person_ids)
    if not ids:
        return []
    rows = await session.execute(
        select(PairTurn.interviewee_id, PairTurn.technical_id, PairTurn.behavioral_id).where(
            PairTurn.interviewee_id.in_(ids)
        )
    )
    return [(p, t, b) for p, t, b in rows.all()]


async def turns_of(session: AsyncSession, group_id: int) -> list[PairTurn]:
    rows = await session.scalars(
        select(PairTurn).where(PairTurn.group_id == group_id).order_by(PairTurn.seq)
    )
    return list(rows)


async def channel_ref(session: AsyncSession, channel_id: int) -> ChannelRef:
    row = (
        await session.execute(
            select(Channel, Workspace)
            .join(Workspace, Workspace.id == Channel.workspace_id)
            .where(Channel.id == channel_id)
        )
    ).one()
    channel, workspace = row
    ws = WorkspaceRef(Platform(workspace.platform), workspace.external_id, workspace.name)
    return ChannelRef(ws, channel.external_id, channel.name)


async def accounts(
    session: AsyncSession, workspace: WorkspaceRef, account_ids: Iterable[int]
) -> dict[int, tuple[UserRef, str]]:
    """Account id -> (user ref, display name)."""
    ids = list(set(account_ids))
    if not ids:
        return {}
    rows = await session.scalars(select(Account).where(Account.id.in_(ids)))
    return {
        a.id: (UserRef(workspace, a.external_id, a.display_name), a.display_name or a.external_id)
        for a in rows
    }


async def person_names(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(person_ids))
    if not ids:
        return {}
    rows = await session.execute(select(Person.id, Person.display_name).where(Person.id.in_(ids)))
    return {p: n for p, n in rows.all()}


def _claimable(before: datetime) -> ColumnElement[bool]:
    """Never claimed, or claimed before `before` and never finished (its runner crashed)."""
    return and_(
        PairTask.cancelled_at.is_(None),
        or_(
            PairTask.claimed_at.is_(None),
            and_(PairTask.done_at.is_(None), PairTask.claimed_at < before),
        ),
    )


async def claim_task(session: AsyncSession, task_id: int, now: datetime) -> bool:
    """Take a task: a fresh one, or one whose runner died (its sends reconcile in the outbox)."""
    result = await session.execute(
        update(PairTask)
        .where(PairTask.id == task_id, _claimable(now - STALE))
        .values(claimed_at=now)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def claim_round_close(session: AsyncSession, round_id: int, now: datetime) -> bool:
    result = await session.execute(
        update(PairRound)
        .where(PairRound.id == round_id, PairRound.status == "open")
        .values(status="paired", paired_at=now)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def claim_announcement(session: AsyncSession, round_id: int, now: datetime) -> bool:
    result = await session.execute(
        update(PairRound)
        .where(PairRound.id == round_id, PairRound.announced_at.is_(None))
        .values(announced_at=now)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def cancel_pending(session: AsyncSession, group_id: int, kinds: Collection[str],
                         now: datetime) -> None:
    await session.execute(
        update(PairTask)
        .where(
            PairTask.group_id == group_id,
            PairTask.kind.in_(list(kinds)),
            PairTask.claimed_at.is_(None),
            PairTask.cancelled_at.is_(None),
        )
        .values(cancelled_at=now)
    )


async def due_tasks(
    session: AsyncSession, kinds: Collection[str], until: datetime, platforms: Collection[str]
) -> list[tuple[int, str, datetime]]:
    rows = await session.execute(
        select(PairTask.id, PairTask.kind, PairTask.due_at)
        .join(PairRound, PairRound.id == PairTask.round_id)
        .join(Channel, Channel.id == PairRound.channel_id)
        .join(Workspace, Workspace.id == Channel.workspace_id)
        .where(
            PairTask.kind.in_(list(kinds)),
            _claimable(until - STALE),
            PairTask.due_at <= until,
            Workspace.platform.in_(list(platforms)),
        )
        .order_by(PairTask.due_at, PairTask.id)
        .limit(2000)
    )
    return [(i, k, d) for i, k, d in rows.all()]


async def rounds_to_close(
    session: AsyncSession, until: datetime, platforms: Collection[str]
) -> list[tuple[int, datetime]]:
    rows = await session.execute(
        select(PairRound.id, PairRound.closes_at)
        .join(Channel, Channel.id == PairRound.channel_id)
        .join(Workspace, Workspace.id == Channel.workspace_id)
        .where(
            PairRound.status == "open",
            PairRound.closes_at <= until,
            Workspace.platform.in_(list(platforms)),
        )
    )
    return [(i, c) for i, c in rows.all()]


async def schedules(
    session: AsyncSession, platforms: Collection[str]
) -> list[tuple[PairSchedule, Channel]]:
    rows = await session.execute(
        select(PairSchedule, Channel)
        .join(Channel, Channel.id == PairSchedule.channel_id)
        .join(Workspace, Workspace.id == Channel.workspace_id)
        .where(Workspace.platform.in_(list(platforms)))
    )
    return [tuple(row) for row in rows.all()]  # type: ignore[misc]


async def unannounced_rounds(session: AsyncSession, channel_id: int) -> list[PairRound]:
    """Open rounds whose announcement is not out yet: never claimed, or claimed and left
    unconfirmed (a crash; the outbox finds or sends it)."""
    rows = await session.scalars(
        select(PairRound).where(
            PairRound.channel_id == channel_id,
            PairRound.status == "open",
            PairRound.announce_message_id.is_(None),
        )
    )
    return list(rows)


async def feedback_exists(
    session: AsyncSession, group_id: int, giver: int, receiver: int
) -> bool:
    found = await session.scalar(
        select(PairFeedback.id).where(
            PairFeedback.group_id == group_id,
            PairFeedback.from_person_id == giver,
            PairFeedback.to_person_id == receiver,
        )
    )
    return found is not None


async def feedback_given(session: AsyncSession, group_id: int) -> set[tuple[int, int]]:
    rows = await session.execute(
        select(PairFeedback.from_person_id, PairFeedback.to_person_id).where(
            PairFeedback.group_id == group_id
        )
    )
    return {(a, b) for a, b in rows.all()}


async def no_shows_in(session: AsyncSession, group_id: int) -> set[tuple[int, int]]:
    rows = await session.execute(
        select(PairNoShow.reporter_id, PairNoShow.absent_id).where(
            PairNoShow.group_id == group_id
        )
    )
    return {(a, b) for a, b in rows.all()}


async def person_groups(
    session: AsyncSession, channel_id: int, person_id: int, limit: int
) -> list[tuple[PairRound, PairGroup, PairMember]]:
    rows = await session.execute(
        select(PairRound, PairGroup, PairMember)
        .join(PairGroup, PairGroup.round_id == PairRound.id)
        .join(PairMember, PairMember.group_id == PairGroup.id)
        .where(PairRound.channel_id == channel_id, PairMember.person_id == person_id)
        .order_by(PairRound.opens_at.desc(), PairGroup.id.desc())
        .limit(limit)
    )
    return [tuple(row) for row in rows.all()]  # type: ignore[misc]


async def feedback_received(
    session: AsyncSession, group_ids: Collection[int], person_id: int
) -> dict[int, list[int]]:
    if not group_ids:
        return {}
    rows = await session.execute(
        select(PairFeedback.group_id, PairFeedback.overall).where(
            PairFeedback.group_id.in_(list(group_ids)), PairFeedback.to_person_id == person_id
        )
    )
    out: dict[int, list[int]] = {}
    for g, overall in rows.all():
        out.setdefault(g, []).append(overall)
    return out


async def reliability(
    session: AsyncSession, channel_id: int
) -> list[tuple[int, str, int, int, int, int]]:
    """(person, name, rounds joined, interviews met, no-shows, no-shows reported) per member
    who ever joined a round of the channel."""
    joined = dict(
        (
            await session.execute(
                select(PairEntry.person_id, func.count())
                .join(PairRound, PairRound.id == PairEntry.round_id)
                .where(PairRound.channel_id == channel_id, PairEntry.status.not_in(OUT))
                .group_by(PairEntry.person_id)
            )
        ).all()
    )
    met = dict(
        (
            await session.execute(
                select(PairMember.person_id, func.count())
                .join(PairGroup, PairGroup.id == PairMember.group_id)
                .join(PairRound, PairRound.id == PairGroup.round_id)
                .where(PairRound.channel_id == channel_id, PairMember.met_at.is_not(None))
                .group_by(PairMember.person_id)
            )
        ).all()
    )
    absent = dict(
        (
            await session.execute(
                select(PairNoShow.absent_id, func.count(func.distinct(PairNoShow.group_id)))
                .join(PairRound, PairRound.id == PairNoShow.round_id)
                .where(PairRound.channel_id == channel_id)
                .group_by(PairNoShow.absent_id)
            )
        ).all()
    )
    reported = dict(
        (
            await session.execute(
                select(PairNoShow.reporter_id, func.count())
                .join(PairRound, PairRound.id == PairNoShow.round_id)
                .where(PairRound.channel_id == channel_id)
                .group_by(PairNoShow.reporter_id)
            )
        ).all()
    )
    names = await person_names(session, joined)
    return [
        (p, names.get(p, str(p)), int(n), int(met.get(p, 0)), int(absent.get(p, 0)),
         int(reported.get(p, 0)))
        for p, n in joined.items()
    ]


async def mock_interviews_done(session: AsyncSession, workspace_id: int, person_id: int) -> int:
    value = await session.scalar(
        select(func.count())
        .select_from(Activity)
        .where(
            Activity.workspace_id == workspace_id,
            Activity.person_id == person_id,
            Activity.kind == "mock_interview",
        )
    )
    return int(value or 0)


async def intro_task(session: AsyncSession, group_id: int) -> int | None:
    return await session.scalar(
        select(PairTask.id).where(PairTask.group_id == group_id, PairTask.kind == "intro")
    )


async def account_rows(session: AsyncSession, account_ids: Iterable[int]) -> dict[int, Account]:
    ids = list(set(account_ids))
    if not ids:
        return {}
    return {a.id: a for a in await session.scalars(select(Account).where(Account.id.in_(ids)))}
