"""Points of the daily question, each awarded once through the ledger.

Graded work earns the most (a correct auto-graded answer, a well-rated answer, a review the
author found helpful); merely answering earns a little. A workspace overrides any value in
`Workspace.settings["points"]` under the reason name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.ledger import Grant, award, award_all, points_value
from bot.store.tables import Workspace

DEFAULTS: dict[str, int] = {
    "daily_answer": 2,  # answered the question
    "daily_on_time": 1,  # answered within the first half of the answer window
    "daily_correct": 5,  # the first version of an auto-graded answer was right
    "review_given": 2,  # a review written (the first few per question count)
    "well_rated_answer": 5,  # final peer score of at least WELL_RATED
    "helpful_review": 3,  # the answer's author rated this review helpful
}
WELL_RATED = 4.0
REVIEWS_PAID_PER_QUESTION = 3  # more reviews are welcome but earn nothing more


async def give_all(
    session: AsyncSession,
    workspace: Workspace,
    *,
    person_id: int,
    awards: Sequence[tuple[str, str]],
    now: datetime,
    ref: str,
    topic: str | None = None,
) -> list[bool]:
    """Award each (reason, key) once per key, together (see `award_all`); True for each one
    this call awarded."""
    grants = [
        Grant(key, reason, points_value(workspace.settings, reason, DEFAULTS[reason]))
        for reason, key in awards
    ]
    return await award_all(session, grants, workspace_id=workspace.id, person_id=person_id,
                           now=now, ref=ref, topic=topic)


async def give(
    session: AsyncSession,
    workspace: Workspace,
    *,
    person_id: int,
    reason: str,
    key: str,
    now: datetime,
    ref: str,
    topic: str | None = None,
) -> bool:
    """Award `reason` once per `key`; True when this call awarded it."""
    return await award(
        session,
        key=key,
        workspace_id=workspace.id,
        person_id=person_id,
        points=points_value(workspace.settings, reason, DEFAULTS[reason]),
        reason=reason,
        now=now,
        ref=ref,
        topic=topic,
    )
