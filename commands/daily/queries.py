"""The daily feature's SQL: the only module that builds queries over its tables."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.core.ids import ChannelRef, Platform, ThreadRef, UserRef, WorkspaceRef
from bot.store.tables import Account, Channel, Note, Workspace
from commands.daily.tables import (
    DailyAnswer,
    DailyAssignment,
    DailyPost,
    DailyReview,
    DailySchedule,
)


@dataclass
class Place:
    """A post with its channel and workspace: enough to address the platform."""

    post: DailyPost
    channel: Channel
    workspace: Workspace

    @property
    def platform(self) -> Platform:
        return Platform(self.workspace.platform)

    @property
    def workspace_ref(self) -> WorkspaceRef:
        return WorkspaceRef(self.platform, self.workspace.external_id, self.workspace.name)

    @property
    def channel_ref(self) -> ChannelRef:
        return ChannelRef(self.workspace_ref, self.channel.external_id, self.channel.name)

    @property
    def thread_ref(self) -> ThreadRef | None:
        if self.post.thread_id is None:
            return None
        return ThreadRef(self.channel_ref, self.post.thread_id)

    def user_ref(self, account: Account) -> UserRef:
        return UserRef(self.workspace_ref, account.external_id, account.display_name)


# ---------------------------------------------------------------- schedules


async def schedule_of(session: AsyncSession, channel_id: int) -> DailySchedule | None:
    return await session.scalar(
        select(DailySchedule).where(DailySchedule.channel_id == channel_id)
    )


async def active_schedules(
    session: AsyncSession, platforms: Collection[str]
) -> list[DailySchedule]:
    """Unpaused schedules of workspaces whose platform is attached to this process."""
    rows = await session.scalars(
        select(DailySchedule)
        .join(Workspace, Workspace.id == DailySchedule.workspace_id)
        .where(DailySchedule.paused.is_(False), Workspace.platform.in_(list(platforms)))
        .order_by(DailySchedule.id)
    )
    return list(rows)


async def claimed_slots(
    session: AsyncSession, channel_ids: Collection[int], since: date
) -> set[tuple[int, str]]:
    if not channel_ids:
        return set()
    rows = await session.execute(
        select(DailyPost.channel_id, DailyPost.slot).where(
            DailyPost.channel_id.in_(list(channel_ids)), DailyPost.local_date >= since
        )
    )
    return {(channel_id, slot) for channel_id, slot in rows}


async def noted(session: AsyncSession, keys: Collection[str]) -> set[str]:
    """Which of these note keys are stored (slots given up after an outage, see jobs.py)."""
    if not keys:
        return set()
    rows = await session.scalars(select(Note.key).where(Note.key.in_(list(keys))))
    return set(rows)


# ---------------------------------------------------------------- posts


async def asked_in_cycle(session: AsyncSession, channel_id: int, cycle: int) -> set[str]:
    rows = await session.scalars(
        select(DailyPost.question_id).where(
            DailyPost.channel_id == channel_id, DailyPost.cycle == cycle
        )
    )
    return set(rows)


async def recent_difficulties(session: AsyncSession, channel_id: int, count: int = 3) -> list[str]:
    rows = await session.scalars(
        select(DailyPost.difficulty)
        .where(DailyPost.channel_id == channel_id)
        .order_by(DailyPost.number.desc())
        .limit(count)
    )
    return list(reversed(list(rows)))


async def next_number(session: AsyncSession, channel_id: int) -> int:
    value = await session.scalar(
        select(func.max(DailyPost.number)).where(DailyPost.channel_id == channel_id)
    )
    return int(value or 0) + 1


async def post_by_slot(session: AsyncSession, channel_id: int, slot: str) -> DailyPost | None:
    return await session.scalar(
        select(DailyPost).where(DailyPost.channel_id == channel_id, DailyPost.slot == slot)
    )


async def place_of(session: AsyncSession, post_id: int) -> Place | None:
    row = (
        await session.execute(
            select(DailyPost, Channel, Workspace)
            .join(Channel, Channel.id == DailyPost.channel_id)
            .join(Workspace, Workspace.id == Channel.workspace_id)
            .where(DailyPost.id == post_id)
        )
    ).first()
    return Place(*row) if row is not None else None


async def place_by_thread(
    session: AsyncSession, workspace_id: int, thread_id: str, channel_external_id: str
) -> Place | None:
    """The post whose answer thread this is (thread ids are unique per channel at least)."""
    rows = (
        await session.execute(
            select(DailyPost, Channel, Workspace)
            .join(Channel, Channel.id == DailyPost.channel_id)
            .join(Workspace, Workspace.id == Channel.workspace_id)
            .where(Workspace.id == workspace_id, DailyPost.thread_id == thread_id)
        )
    ).all()
    places = [Place(*row) for row in rows]
    if len(places) > 1:
        places = [p for p in places if p.channel.external_id == channel_external_id]
    return places[0] if places else None


async def post_by_number(session: AsyncSession, channel_id: int, number: int) -> DailyPost | None:
    return await session.scalar(
        select(DailyPost).where(DailyPost.channel_id == channel_id, DailyPost.number == number)
    )


async def open_posts(session: AsyncSession, channel_id: int) -> list[DailyPost]:
    """Posts of the channel whose answers or reviews are still open."""
    rows = await session.scalars(
        select(DailyPost)
        .where(DailyPost.channel_id == channel_id, DailyPost.reviewed_at.is_(None))
        .order_by(DailyPost.number)
    )
    return list(rows)


async def claim_phase(
    session: AsyncSession,
    post_id: int,
    column: str,
    expected: datetime | None,
    now: datetime,
    *extra: ColumnElement[bool],
) -> bool:
    """Compare-and-set a phase's claim time: True when this caller owns the phase now."""
    target = getattr(DailyPost, column)
    condition = target.is_(None) if expected is None else target == expected
    result = await session.execute(
        update(DailyPost)
        .where(DailyPost.id == post_id, condition, *extra)
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return bool(result.rowcount == 1)


async def set_post(session: AsyncSession, post_id: int, **values: object) -> None:
    await session.execute(
        update(DailyPost)
        .where(DailyPost.id == post_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def unposted(session: AsyncSession, platforms: Collection[str]) -> list[DailyPost]:
    """Claimed and not confirmed; a post given up (closed without being posted) is not."""
    return await _posts_where(
        session, platforms, DailyPost.posted_at.is_(None), DailyPost.closed_at.is_(None)
    )


async def unclosed(session: AsyncSession, platforms: Collection[str]) -> list[DailyPost]:
    return await _posts_where(
        session, platforms, DailyPost.posted_at.is_not(None), DailyPost.closed_at.is_(None)
    )


async def unreviewed(session: AsyncSession, platforms: Collection[str]) -> list[DailyPost]:
    return await _posts_where(
        session, platforms, DailyPost.closed_at.is_not(None), DailyPost.reviewed_at.is_(None)
    )


async def _posts_where(
    session: AsyncSession, platforms: Collection[str], *conditions: ColumnElement[bool]
) -> list[DailyPost]:
    rows = await session.scalars(
        select(DailyPost)
        .join(Channel, Channel.id == DailyPost.channel_id)
        .join(Workspace, Workspace.id == Channel.workspace_id)
        .where(Workspace.platform.in_(list(platforms)), *conditions)
        .order_by(DailyPost.id)
    )
    return list(rows)


# ---------------------------------------------------------------- answers


async def answer_of(session: AsyncSession, post_id: int, person_id: int) -> DailyAnswer | None:
    return await session.scalar(
        select(DailyAnswer).where(
            DailyAnswer.post_id == post_id, DailyAnswer.person_id == person_id
        )
    )


async def answers_with_accounts(
    session: AsyncSession, post_id: int
) -> list[tuple[DailyAnswer, Account]]:
    """A post's answers in the order they first arrived, with their authors' accounts."""
    rows = await session.execute(
        select(DailyAnswer, Account)
        .join(Account, Account.id == DailyAnswer.account_id)
        .where(DailyAnswer.post_id == post_id)
        .order_by(DailyAnswer.created_at, DailyAnswer.id)
    )
    return [(answer, account) for answer, account in rows]


async def answer_with_account(
    session: AsyncSession, answer_id: int
) -> tuple[DailyAnswer, Account] | None:
    row = (
        await session.execute(
            select(DailyAnswer, Account)
            .join(Account, Account.id == DailyAnswer.account_id)
            .where(DailyAnswer.id == answer_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def answered_posts(
    session: AsyncSession, channel_id: int, person_id: int, limit: int = 1
) -> list[DailyPost]:
    rows = await session.scalars(
        select(DailyPost)
        .join(DailyAnswer, DailyAnswer.post_id == DailyPost.id)
        .where(DailyPost.channel_id == channel_id, DailyAnswer.person_id == person_id)
        .order_by(DailyPost.number.desc())
        .limit(limit)
    )
    return list(rows)


# ---------------------------------------------------------------- reviews


async def reviews_of(session: AsyncSession, answer_ids: Sequence[int]) -> list[DailyReview]:
    if not answer_ids:
        return []
    rows = await session.scalars(
        select(DailyReview)
        .where(DailyReview.answer_id.in_(list(answer_ids)))
        .order_by(DailyReview.created_at, DailyReview.id)
    )
    return list(rows)


async def review_by(
    session: AsyncSession, answer_id: int, reviewer_id: int
) -> DailyReview | None:
    return await session.scalar(
        select(DailyReview).where(
            DailyReview.answer_id == answer_id, DailyReview.reviewer_id == reviewer_id
        )
    )


async def reviews_given_on_post(session: AsyncSession, post_id: int, reviewer_id: int) -> int:
    value = await session.scalar(
        select(func.count())
        .select_from(DailyReview)
        .join(DailyAnswer, DailyAnswer.id == DailyReview.answer_id)
        .where(DailyAnswer.post_id == post_id, DailyReview.reviewer_id == reviewer_id)
    )
    return int(value or 0)


async def assignments_of(session: AsyncSession, post_id: int) -> list[DailyAssignment]:
    rows = await session.scalars(
        select(DailyAssignment)
        .where(DailyAssignment.post_id == post_id)
        .order_by(DailyAssignment.id)
    )
    return list(rows)


async def unreviewed_assignments(
    session: AsyncSession, post_id: int, reviewer_id: int
) -> list[DailyAnswer]:
    """The answers assigned to `reviewer_id` that they have not reviewed yet, in one query."""
    reviewed = (
        select(DailyReview.id)
        .where(DailyReview.answer_id == DailyAnswer.id, DailyReview.reviewer_id == reviewer_id)
        .exists()
    )
    rows = await session.scalars(
        select(DailyAnswer)
        .join(DailyAssignment, DailyAssignment.answer_id == DailyAnswer.id)
        .where(DailyAssignment.post_id == post_id, DailyAssignment.reviewer_id == reviewer_id,
               ~reviewed)
        .order_by(DailyAnswer.number)
    )
    return list(rows)
