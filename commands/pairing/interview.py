"""The shape of one mock-interview session: who interviews whom, in what order, for how long,
and which concrete start times a group is offered. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# The suggested 45-minute format (minutes per part); shorter or longer turns scale it.
FORMAT: tuple[tuple[str, int], ...] = (
    ("introductions and the role being practised for", 5),
    ("the technical question", 20),
    ("the behavioral question (STAR)", 10),
    ("the candidate's questions for the interviewer", 5),
    ("feedback, spoken and kind", 5),
)
FORMAT_MINUTES = sum(m for _, m in FORMAT)
MAX_SLOTS = 3


@dataclass(frozen=True)
class Seat:
    """A group member as the session planner sees them."""

    person_id: int
    role: str


@dataclass(frozen=True)
class Turn:
    """One interview: `interviewer` asks, `interviewee` answers."""

    interviewer: int
    interviewee: int


def seat_order(seats: Sequence[Seat]) -> list[Seat]:
    """Members who prefer to interview go first, those who only want to be interviewed last
    (stable otherwise, so the caller's shuffle decides ties)."""
    rank = {"interviewer": 0, "both": 1, "interviewee": 2}
    return sorted(seats, key=lambda s: rank.get(s.role, 1))


def plan_turns(seats: Sequence[Seat]) -> list[Turn]:
    """Round-robin in seat order: the first interviews the second, the second the next, ...

    A member who only wants to interview is not interviewed, unless nobody in the group wants
    to be (then everyone takes a turn anyway: a mock interview needs a candidate).
    """
    n = len(seats)
    if n < 2:
        return []
    ring = [Turn(seats[i].person_id, seats[(i + 1) % n].person_id) for i in range(n)]
    if n == 2:
        ring = ring[:2]
    roles = {s.person_id: s.role for s in seats}
    wanted = [t for t in ring if roles[t.interviewee] != "interviewer"]
    return wanted or ring


def format_lines(minutes: int) -> list[str]:
    """The suggested format scaled to `minutes` per interview (45 gives the standard one)."""
    scaled = [max(1, round(m * minutes / FORMAT_MINUTES)) for _, m in FORMAT]
    scaled[1] += minutes - sum(scaled)  # the technical part absorbs rounding
    return [f"{m} min: {name}" for (name, _), m in zip(FORMAT, scaled, strict=True)]


def slot_starts(common: int, session_blocks: int, limit: int = MAX_SLOTS) -> list[int]:
    """Up to `limit` start blocks from a mask of common start times: the first start of each
    stretch of time first (spread over days), then later starts inside long stretches."""
    runs: list[tuple[int, int]] = []
    bits = common
    offset = 0
    while bits:
        low = (bits & -bits).bit_length() - 1
        bits >>= low
        offset += low
        length = (~bits & (bits + 1)).bit_length() - 1  # trailing ones
        runs.append((offset, length))
        bits >>= length
        offset += length
    chosen = [start for start, _ in runs[:limit]]
    # then later starts inside long stretches (a session apart), then any start at all
    for spacing in (max(1, session_blocks), 1):
        for start, length in runs:
            later = start + spacing
            while later < start + length and len(chosen) < limit:
                if later not in chosen:
                    chosen.append(later)
                later += spacing
    return sorted(chosen[:limit])
