"""Synthetic communities for the leaderboard benchmark (the benchmark script calls these).

`fill` writes one workspace with `members` members and `answers` ledger lines spread over the
last months (skewed: a few members answer a lot), plus the aggregates computed from exactly
those lines, in bulk (awarding 2M lines one by one would take hours). `query` is the read a
`/leaderboard` command does. Typical use:

    community = await fill(store, members=100_000, answers=2_000_000, now=now)
    seen = await query(store, community, community.person_ids[-1], period="all")
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from bot.packs.schema import TOPICS
from bot.store.db import Store
from bot.store.tables import Account, Person, PointsEntry, Workspace
from commands.leaderboard.queries import Board, board
from commands.leaderboard.totals import Award, aggregate, board_key, write_aggregates

CHUNK = 10_000
POINTS = (1, 2, 3, 5, 10)
POINT_WEIGHTS = (30, 25, 20, 15, 10)


@dataclass(frozen=True)
class Community:
    """What `fill` wrote: the workspace, its members (in id order) and the time it used."""

    workspace_id: int
    person_ids: list[int]
    now: datetime


async def fill(
    store: Store,
    *,
    members: int = 100_000,
    answers: int = 2_000_000,
    now: datetime,
    days: int = 120,
    hidden_share: float = 0.02,
    seed: int = 8,
    name: str = "bench",
) -> Community:
    """Write a synthetic workspace (name must be new in this database)."""
    rng = random.Random(seed)
    topics = [t for t in TOPICS if t != "general"]
    async with store.session() as session:
        workspace = Workspace(platform="slack", external_id=name, name=name, settings={},
                              created_at=now - timedelta(days=days))
        session.add(workspace)
        await session.flush()
        ws = workspace.id
        first = int(await session.scalar(select(Person.id).order_by(Person.id.desc()).limit(1))
                    or 0) + 1
        ids = list(range(first, first + members))
        hidden = {p for p in ids if rng.random() < hidden_share}
        people = [
            {"id": p, "display_name": f"member{p - first}", "timezone": None,
             "on_leaderboard": p not in hidden, "created_at": workspace.created_at}
            for p in ids
        ]
        await _bulk(session, Person, people)
        await _bulk(session, Account, [
            {"person_id": p["id"], "workspace_id": ws, "external_id": f"U{p['id']}",
             "display_name": p["display_name"], "is_admin": False,
             "created_at": workspace.created_at}
            for p in people
        ])
    # Skewed activity: member k answers about in proportion to 1 / (k + 10).
    weights = [1.0 / (k + 10) for k in range(members)]
    awards: list[Award] = []
    for chosen in _chunks(rng.choices(ids, weights=weights, k=answers)):
        lines = []
        for person in chosen:
            at = now - timedelta(seconds=rng.randint(0, days * 86_400))
            points = rng.choices(POINTS, weights=POINT_WEIGHTS)[0]
            topic = rng.choice(topics)
            awards.append(Award(person, points, topic, at))
            lines.append({"key": f"bench:{ws}:{len(awards)}", "workspace_id": ws,
                          "person_id": person, "points": points, "reason": "daily_answer",
                          "ref": "", "topic": topic, "granted_by": None, "created_at": at})
        async with store.session() as session:
            await session.execute(insert(PointsEntry), lines)
    async with store.session() as session:
        await write_aggregates(session, aggregate(ws, awards), hidden)
    return Community(ws, ids, now)


async def query(
    store: Store,
    community: Community,
    person_id: int | None,
    *,
    period: str = "week",
    topic: str | None = None,
) -> Board:
    """One `/leaderboard` read, in its own transaction (as a command runs)."""
    key = board_key(community.workspace_id, period, community.now, topic)
    async with store.session() as session:
        return await board(session, key, person_id)


async def _bulk(session: Any, model: type, rows: list[dict[str, Any]]) -> None:
    for part in _chunks(rows):
        await session.execute(insert(model), part)


def _chunks(rows: list[Any]) -> list[list[Any]]:
    return [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
