"""Closing a round: members become candidates, the matcher groups them, groups get their
turns, questions, slots and scheduled sends. Also the rematch after a no-show."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Services
from bot.packs.schema import Question
from bot.store.tables import Channel
from bot.store.upsert import insert_once
from commands.pairing import queries as q
from commands.pairing.availability import block_mask, expand, parse_availability
from commands.pairing.interview import Seat, plan_turns, seat_order, slot_starts
from commands.pairing.matching import (
    BLOCK_MINUTES,
    Candidate,
    compatible,
    match,
    session_starts,
    weight,
)
from commands.pairing.questions import (
    Answered,
    choose_behavioral,
    choose_technical,
    seen_ids,
    weakest_topic,
)
from commands.pairing.rounds import LEVEL_INDEX
from commands.pairing.schedule import LEAD, ceil_block
from commands.pairing.tables import PairEntry, PairGroup, PairMember, PairRound, PairTask, PairTurn

log = logging.getLogger(__name__)

RECENT_ROUNDS = 3
FEEDBACK_BEFORE_END = timedelta(hours=12)
FEEDBACK_AFTER_SLOT = timedelta(minutes=15)
REMATCH_LEAD = timedelta(hours=1)


def session_blocks(minutes: int) -> int:
    return max(1, -(-minutes // BLOCK_MINUTES))


@dataclass
class MeetWindow:
    """The stretch of time a round's groups can meet in, cut into blocks."""

    start: datetime
    end: datetime

    @property
    def blocks(self) -> int:
        return max(0, int((self.end - self.start) / timedelta(minutes=BLOCK_MINUTES)))

    def at(self, block: int) -> datetime:
        return self.start + timedelta(minutes=BLOCK_MINUTES * block)


def meet_window(round_: PairRound, now: datetime, lead: timedelta = LEAD) -> MeetWindow:
    start = max(ceil_block(round_.closes_at + LEAD), ceil_block(now + lead))
    return MeetWindow(start, max(start, round_.ends_at))


async def candidates_for(
    session: AsyncSession,
    round_: PairRound,
    entries: Sequence[PairEntry],
    window: MeetWindow,
) -> list[Candidate]:
    """The matcher's view of these entries: availability, history and reliability."""
    ids = [e.person_id for e in entries]
    recent = await _recent_partners(session, round_)
    blocked: dict[int, set[int]] = {}
    for reporter, absent in await q.no_show_pairs(session, ids):
        blocked.setdefault(reporter, set()).add(absent)
        blocked.setdefault(absent, set()).add(reporter)
    no_shows = await q.no_show_counts(session, ids)
    carried = await _carried_over(session, round_)
    k = session_blocks(round_.session_minutes)
    out = []
    for e in entries:
        try:
            windows = parse_availability(e.availability)
        except Exception:
            windows = ()
        free = block_mask(
            expand(windows, ZoneInfo(e.timezone), window.start, window.end),
            window.start,
            BLOCK_MINUTES,
            window.blocks,
        )
        out.append(
            Candidate(
                id=e.person_id,
                starts=session_starts(free, k),
                level=LEVEL_INDEX.get(e.level, 1),
                role=e.role,
                priority=e.person_id in carried,
                no_shows=no_shows.get(e.person_id, 0),
                recent=recent.get(e.person_id, {}),
                blocked=frozenset(blocked.get(e.person_id, ())),
            )
        )
    return out


async def _recent_partners(session: AsyncSession, round_: PairRound) -> dict[int, dict[int, int]]:
    rounds = await q.paired_rounds_before(session, round_.channel_id, round_.opens_at,
                                          RECENT_ROUNDS)
    ago = {r.id: i + 1 for i, r in enumerate(rounds)}
    groups: dict[int, tuple[int, list[int]]] = {}
    for round_id, group_id, person_id in await q.members_of_rounds(session, list(ago)):
        groups.setdefault(group_id, (ago[round_id], []))[1].append(person_id)
    recent: dict[int, dict[int, int]] = {}
    for rounds_ago, people in groups.values():
        for p in people:
            for other in people:
                if other != p:
                    mine = recent.setdefault(p, {})
                    mine[other] = min(mine.get(other, rounds_ago), rounds_ago)
    return recent


async def _carried_over(session: AsyncSession, round_: PairRound) -> set[int]:
    previous = await q.paired_rounds_before(session, round_.channel_id, round_.opens_at, 1)
    if not previous:
        return set()
    return {e.person_id for e in await q.entries(session, previous[0].id, ("unplaced", "waiting"))}


@dataclass
class QuestionBook:
    """What each interviewee has seen and where they are weakest, loaded once per close."""

    pool: list[Question]
    seen: dict[int, set[str]] = field(default_factory=dict)
    weak: dict[int, str | None] = field(default_factory=dict)

    @classmethod
    async def load(
        cls, session: AsyncSession, services: Services, workspace_id: int, ids: Sequence[int]
    ) -> QuestionBook:
        pool = list(services.packs.questions(workspace_id))
        known = {question.id for question in pool}
        book = cls(pool)
        answers: dict[int, list[Answered]] = {}
        refs: dict[int, list[str]] = {}
        for person, ref, topic, correct in await q.answer_history(session, workspace_id, ids):
            answers.setdefault(person, []).append(Answered(topic, correct))
            refs.setdefault(person, []).append(ref)
        for person in ids:
            book.seen[person] = seen_ids(refs.get(person, ()), known)
            book.weak[person] = weakest_topic(answers.get(person, ()))
        for person, technical, behavioral in await q.asked_before(session, ids):
            book.seen.setdefault(person, set()).update(x for x in (technical, behavioral) if x)
        return book

    def pick(
        self, interviewee: int, level: int, rng: random.Random, avoid: set[str]
    ) -> tuple[Question | None, Question | None]:
        """Questions the interviewee has not seen; `avoid` (the group's other questions) is
        skipped too when anything else is left, so a trio gets different questions."""
        seen = self.seen.setdefault(interviewee, set())
        topic = self.weak.get(interviewee)
        technical = choose_technical(self.pool, seen | avoid, topic=topic, level=level,
                                     rng=rng) or choose_technical(self.pool, seen, topic=topic,
                                                                  level=level, rng=rng)
        behavioral = choose_behavioral(self.pool, seen | avoid, level=level, rng=rng) or (
            choose_behavioral(self.pool, seen, level=level, rng=rng)
        )
        chosen = {x.id for x in (technical, behavioral) if x is not None}
        seen.update(chosen)
        avoid.update(chosen)
        return technical, behavioral


async def add_task(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    round_id: int,
    due_at: datetime,
    group_id: int | None = None,
    person_id: int | None = None,
) -> bool:
    return await insert_once(
        session,
        PairTask,
        {
            "key": key,
            "kind": kind,
            "round_id": round_id,
            "group_id": group_id,
            "person_id": person_id,
            "due_at": due_at,
        },
    )


async def create_group(
    session: AsyncSession,
    round_: PairRound,
    members: Sequence[PairEntry],
    candidates: dict[int, Candidate],
    window: MeetWindow,
    book: QuestionBook,
    now: datetime,
    *,
    rematch_of: int | None = None,
) -> PairGroup:
    """A group with its seats, turns, questions, slots and scheduled sends."""
    ids = sorted(e.person_id for e in members)
    rng = random.Random(f"{round_.id}:{ids}")
    by_person = {e.person_id: e for e in members}
    seats = [Seat(e.person_id, e.role) for e in members]
    rng.shuffle(seats)
    seats = seat_order(seats)
    common = -1
    for e in members:
        common &= candidates[e.person_id].starts
    slots = [window.at(i) for i in slot_starts(max(common, 0),
                                               session_blocks(round_.session_minutes))]
    group = PairGroup(
        round_id=round_.id,
        slots=[s.isoformat() for s in slots],
        rematch_of=rematch_of,
        created_at=now,
    )
    session.add(group)
    await session.flush()
    for position, seat in enumerate(seats):
        entry = by_person[seat.person_id]
        session.add(
            PairMember(
                group_id=group.id,
                person_id=entry.person_id,
                account_id=entry.account_id,
                position=position,
                timezone=entry.timezone,
            )
        )
        entry.status, entry.group_id, entry.reason = "placed", group.id, None
    in_group: set[str] = set()
    for seq, turn in enumerate(plan_turns(seats), 1):
        level = LEVEL_INDEX.get(by_person[turn.interviewee].level, 1)
        technical, behavioral = book.pick(turn.interviewee, level, rng, in_group)
        session.add(
            PairTurn(
                group_id=group.id,
                seq=seq,
                interviewer_id=turn.interviewer,
                interviewee_id=turn.interviewee,
                technical_id=technical.id if technical else None,
                behavioral_id=behavioral.id if behavioral else None,
                topic=technical.topic if technical else None,
            )
        )
    checkin_at = round_.closes_at + (round_.ends_at - round_.closes_at) / 2
    await add_task(session, key=f"intro:{group.id}", kind="intro", round_id=round_.id,
                   group_id=group.id, due_at=now)
    if checkin_at > now:
        await add_task(session, key=f"checkin:{group.id}", kind="checkin",
                       round_id=round_.id, group_id=group.id, due_at=checkin_at)
    feedback_at = max(round_.ends_at - FEEDBACK_BEFORE_END, now + FEEDBACK_BEFORE_END / 4)
    await add_task(session, key=f"feedback:{group.id}:0", kind="feedback",
                   round_id=round_.id, group_id=group.id, due_at=feedback_at)
    return group


async def close_round(services: Services, round_id: int) -> None:
    """Pair a round whose joining has closed (claimed by its status; runs once)."""
    now = services.clock.now()
    async with services.store.session() as session:
        if not await q.claim_round_close(session, round_id, now):
            return
        round_ = await session.get(PairRound, round_id)
        assert round_ is not None
        channel = await session.get(Channel, round_.channel_id)
        assert channel is not None
        joined = await q.entries(session, round_id, ("joined",))
        window = meet_window(round_, now)
        candidates = await candidates_for(session, round_, joined, window)
        # The exact matcher takes a few seconds at 400 members: keep the event loop free.
        result = await asyncio.to_thread(match, candidates)
        by_id = {c.id: c for c in candidates}
        by_person = {e.person_id: e for e in joined}
        book = await QuestionBook.load(session, services, channel.workspace_id,
                                       [e.person_id for e in joined])
        for group_ids in result.groups:
            await create_group(session, round_, [by_person[i] for i in group_ids], by_id,
                               window, book, now)
        for person_id, reason in result.unplaced.items():
            entry = by_person[person_id]
            entry.status, entry.reason = "unplaced", reason
            await add_task(session, key=f"unplaced:{round_id}:{person_id}", kind="unplaced",
                           round_id=round_id, person_id=person_id, due_at=now)
        await add_task(session, key=f"summary:{round_id}", kind="summary", round_id=round_id,
                       due_at=now)
        log.info("round %s paired: %d groups, %d unplaced (%s)", round_id, len(result.groups),
                 len(result.unplaced), "exact" if result.exact else "greedy")


async def rematch(
    session: AsyncSession,
    services: Services,
    round_: PairRound,
    entry: PairEntry,
    workspace_id: int,
    now: datetime,
    *,
    after_group: int,
) -> PairGroup | None:
    """Pair `entry` with the best compatible member still waiting in the round, if any."""
    waiting = [
        e for e in await q.entries(session, round_.id, ("unplaced", "waiting"))
        if e.person_id != entry.person_id
    ]
    if not waiting:
        return None
    window = meet_window(round_, now, REMATCH_LEAD)
    candidates = await candidates_for(session, round_, [entry, *waiting], window)
    me, others = candidates[0], candidates[1:]
    best = max(
        (c for c in others if compatible(me, c)),
        key=lambda c: (weight(me, c), -c.id),
        default=None,
    )
    if best is None:
        return None
    partner = next(e for e in waiting if e.person_id == best.id)
    book = await QuestionBook.load(session, services, workspace_id,
                                   [entry.person_id, partner.person_id])
    return await create_group(session, round_, [entry, partner], {c.id: c for c in candidates},
                              window, book, now, rematch_of=after_group)
