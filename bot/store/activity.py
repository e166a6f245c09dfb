"""Member activity by local day: what streaks, heatmaps and plan progress are computed from.

Features record activity (a daily answer, a finished quiz, a mock interview, a project
milestone) once per (person, kind, ref); streak and progress features read it back.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.tables import Activity
from bot.store.upsert import insert_once


async def record_activity(
    session: AsyncSession,
    *,
    workspace_id: int,
    person_id: int,
    kind: str,
    ref: str,
    at: datetime,
    local_day: date,
    topic: str | None = None,
    correct: bool | None = None,
    size: int | None = None,
) -> bool:
    """Record one activity once; True when this call recorded it.

    `local_day` is the day in the member's own timezone (the caller knows it); `kind` is one
    of daily_answer, quiz_finished, quiz_answer, mock_interview, project_milestone, review.
    `size` is how many questions a finished quiz had (streaks count quizzes from a minimum
    size; None counts as big enough).
    """
    return await insert_once(
        session,
        Activity,
        {
            "workspace_id": workspace_id,
            "person_id": person_id,
            "kind": kind,
            "ref": ref,
            "at": at,
            "local_day": local_day,
            "topic": topic,
            "correct": correct,
            "size": size,
        },
    )


async def activity_days(
    session: AsyncSession, workspace_id: int, person_id: int, kinds: tuple[str, ...]
) -> list[date]:
    rows = await session.scalars(
        select(Activity.local_day)
        .where(
            Activity.workspace_id == workspace_id,
            Activity.person_id == person_id,
            Activity.kind.in_(kinds),
        )
        .distinct()
        .order_by(Activity.local_day)
    )
    return list(rows)
