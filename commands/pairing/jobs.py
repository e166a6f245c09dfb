"""Scheduled work of pairing rounds: pure `due` questions and the runs they point to.

Openings come from each channel's schedule; closes from rounds still open; everything else
(intros, notices, check-ins, reminders, feedback requests) from `pair_tasks`. Every run claims
in the database first (a conditional UPDATE), sends, then confirms; a run whose claim is taken
does nothing, so a second scheduler or a repeated tick never sends twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Services
from bot.core.ids import ChannelRef, MessageRef, ThreadRef
from bot.core.outbox import STALE, dm_once, post_once
from bot.core.ports import ChannelGone
from bot.core.ui import Message
from bot.packs.schema import Question
from bot.store.tables import Channel
from commands.pairing import queries as q
from commands.pairing import views
from commands.pairing.closing import close_round
from commands.pairing.rounds import (
    create_round,
    enter_signups,
    next_opening,
    schedule_values,
)
from commands.pairing.schedule import times_for
from commands.pairing.tables import PairGroup, PairRound, PairTask
from commands.spec import DueWork, JobSpec

log = logging.getLogger(__name__)

DELIVER = ("intro", "unplaced", "summary")
REMIND = ("remind24", "remind1")
NOT_POSTED = ""  # a message id meaning "given up" (the channel is gone): never retried
GIVE_UP = timedelta(days=1)  # a task still failing this long after it was due is dropped


def _platforms(services: Services) -> list[str]:
    return [p.value for p in services.chats]


async def due_open(services: Services, until: datetime) -> list[DueWork]:
    now = services.clock.now()
    out: list[DueWork] = []
    async with services.store.session() as session:
        for row, channel in await q.schedules(session, _platforms(services)):
            for round_ in await q.unannounced_rounds(session, channel.id):
                at = max(round_.opens_at, round_.created_at)
                if round_.announced_at is not None:  # claimed, unconfirmed: retry when stale
                    at = max(at, round_.announced_at + STALE)
                if round_.closes_at > now and at <= until:
                    out.append(_open_work(channel.id, round_.opens_at, at))
            schedule = schedule_values(row, channel)
            times = await next_opening(session, schedule, channel.id, now)
            at = max(times.opens_at, schedule.anchor)
            if at <= until:
                out.append(_open_work(channel.id, times.opens_at, at))
    return out


def _open_work(channel_id: int, opens_at: datetime, at: datetime) -> DueWork:
    async def run(services: Services) -> None:
        await open_round(services, channel_id, opens_at)

    return DueWork(at, f"pairing.open:{channel_id}:{opens_at.isoformat()}", run)


async def open_round(services: Services, channel_id: int, opens_at: datetime) -> None:
    """Create the round if needed, claim its announcement, enter the sign-ups, announce.

    The sign-ups are entered once, with the first claim; the announcement goes through the
    outbox, so a run after a crash finds a post the platform kept instead of posting again."""
    now = services.clock.now()
    async with services.store.session() as session:
        channel = await session.get(Channel, channel_id)
        row = await q.schedule_of(session, channel_id)
        if channel is None or row is None:
            return
        schedule = schedule_values(row, channel)
        round_ = await q.round_by_opening(session, channel_id, opens_at)
        if round_ is None:
            round_ = await create_round(
                session, channel_id, times_for(opens_at, schedule), schedule.session_minutes, now
            )
        if round_.status != "open" or round_.closes_at <= now:
            return
        if await q.claim_announcement(session, round_.id, now):
            await enter_signups(session, round_, channel, now)
        elif round_.announce_message_id is not None:
            return
        ref = await q.channel_ref(session, channel_id)
        message = views.announcement(
            round_.number,
            round_.id,
            round_.closes_at,
            channel.timezone or "UTC",
            round_.session_minutes,
            await q.count_entries(session, round_.id),
        )
        round_id = round_.id
    try:
        posted = await post_once(services, f"pairing:announce:{round_id}", ref, message)
    except ChannelGone:
        log.warning("pairing round %s: its channel is gone; not announcing it", round_id)
        posted = MessageRef(ref, NOT_POSTED)
    if posted is None:
        return  # another run is sending it right now
    async with services.store.session() as session:
        stored = await session.get(PairRound, round_id)
        if stored is not None:
            stored.announce_message_id = posted.id


async def due_close(services: Services, until: datetime) -> list[DueWork]:
    async with services.store.session() as session:
        rows = await q.rounds_to_close(session, until, _platforms(services))
    return [_close_work(round_id, at) for round_id, at in rows]


def _close_work(round_id: int, at: datetime) -> DueWork:
    async def run(services: Services) -> None:
        await close_round(services, round_id)

    return DueWork(at, f"pairing.close:{round_id}", run)


def due_tasks(kinds: tuple[str, ...]) -> Callable[[Services, datetime], Awaitable[list[DueWork]]]:
    async def due(services: Services, until: datetime) -> list[DueWork]:
        async with services.store.session() as session:
            rows = await q.due_tasks(session, kinds, until, _platforms(services))
        return [_task_work(task_id, kind, at) for task_id, kind, at in rows]

    return due


def _task_work(task_id: int, kind: str, at: datetime) -> DueWork:
    async def run(services: Services) -> None:
        await run_task(services, task_id)

    return DueWork(at, f"pairing.{kind}:{task_id}", run)


# --- running one task -----------------------------------------------------------------------


@dataclass
class GroupView:
    """A group as senders need it: where it talks and who is in it."""

    group: PairGroup
    round_: PairRound
    channel: ChannelRef
    members: list[views.Who]


async def load_group(session: AsyncSession, group_id: int) -> GroupView | None:
    group = await session.get(PairGroup, group_id)
    if group is None:
        return None
    round_ = await session.get(PairRound, group.round_id)
    assert round_ is not None
    channel = await q.channel_ref(session, round_.channel_id)
    members = await q.group_members(session, group_id)
    users = await q.accounts(session, channel.workspace, [m.account_id for m in members])
    return GroupView(
        group,
        round_,
        channel,
        [
            views.Who(m.person_id, users[m.account_id][0], users[m.account_id][1], m.timezone)
            for m in members
        ],
    )


async def run_task(services: Services, task_id: int) -> None:
    """Claim one task, send what it stands for, confirm it.

    Every message a task sends goes through the outbox under `pairing:<task>:...`, so a run
    that takes over the task of a crashed one sends only what is missing. A task that keeps
    failing is retried (after `STALE`) for a day, then dropped."""
    now = services.clock.now()
    async with services.store.session() as session:
        if not await q.claim_task(session, task_id, now):
            return
        task = await session.get(PairTask, task_id)
        assert task is not None
        kind, due_at = task.kind, task.due_at
    sender = SENDERS[kind]
    try:
        message_id = await sender(services, task_id)
    except ChannelGone:
        log.warning("pairing %s task %s: the place is gone; dropping it", kind, task_id)
        message_id = None
    except Exception:
        if services.clock.now() < due_at + GIVE_UP:
            raise  # the claim stays unfinished: the next run after STALE finishes it
        log.exception("pairing %s task %s still fails a day late; dropping it", kind, task_id)
        message_id = None
    async with services.store.session() as session:
        stored = await session.get(PairTask, task_id)
        if stored is not None:
            stored.done_at = services.clock.now()
            stored.message_id = message_id


async def post_to_group(
    services: Services, view: GroupView, message: Message, key: str
) -> str | None:
    """Post in the group's private space, or to each member directly when it has none.

    `key` names the message in the outbox (one per member when it goes by DM)."""
    group = view.group
    ref: MessageRef | None = None
    if group.space_kind == "thread" and group.space_id:
        thread = ThreadRef(view.channel, group.space_id)
        ref = await post_once(services, key, view.channel, message, thread=thread)
    elif group.space_kind == "channel" and group.space_id:
        space = ChannelRef(view.channel.workspace, group.space_id)
        ref = await post_once(services, key, space, message)
    else:
        for member in view.members:
            ref = await dm_once(services, f"{key}:{member.person_id}", member.user, message) \
                or ref
    return ref.id if ref else None


async def _intro(services: Services, task_id: int) -> str | None:
    async with services.store.session() as session:
        task = await session.get(PairTask, task_id)
        assert task is not None and task.group_id is not None
        view = await load_group(session, task.group_id)
        if view is None:
            return None
        turns = await q.turns_of(session, task.group_id)
        workspace_id = await _workspace_of(session, view.round_.channel_id)
    by_id = {m.person_id: m for m in view.members}
    if view.group.space_kind is None:  # a run taking over after a crash reuses the space
        await _open_space(services, view)
    slots = [datetime.fromisoformat(s) for s in view.group.slots]
    pairs = [(by_id[t.interviewer_id], by_id[t.interviewee_id]) for t in turns]
    message = views.intro(view.round_.number, view.group.id, view.members, pairs, slots,
                          view.round_.session_minutes, view.group.rematch_of is not None)
    posted = await post_to_group(services, view, message, f"pairing:{task_id}:intro")
    for seq, turn in enumerate(turns, 1):
        interviewer, interviewee = by_id[turn.interviewer_id], by_id[turn.interviewee_id]
        for label, qid in (("technical", turn.technical_id), ("behavioral", turn.behavioral_id)):
            question = _question(services, workspace_id, qid)
            note = views.question_message(label, question, interviewee, seq, len(turns))
            await dm_once(services, f"pairing:{task_id}:{seq}:{label}", interviewer.user, note)
    return posted


async def _open_space(services: Services, view: GroupView) -> None:
    """Open the group's private space (or settle for DMs) and store it before any message.

    A crash between opening and storing leaves an empty space behind, never two intros."""
    chat = services.chat(view.channel.workspace.platform)
    users = [m.user for m in view.members]
    name = f"mock-interview-{view.round_.number}-" + "-".join(m.name for m in view.members)
    try:
        space = await chat.open_private_space(view.channel, users, name[:90])
    except Exception:
        log.exception("could not open a private space for group %s; using DMs", view.group.id)
        space_kind, space_id = "dm", None
    else:
        space_kind = "thread" if isinstance(space, ThreadRef) else "channel"
        space_id = space.id
    view.group.space_kind, view.group.space_id = space_kind, space_id
    async with services.store.session() as session:
        stored = await session.get(PairGroup, view.group.id)
        assert stored is not None
        stored.space_kind, stored.space_id = space_kind, space_id


def _question(services: Services, workspace_id: int, question_id: str | None) -> Question | None:
    if question_id is None:
        return None
    return services.packs.question(workspace_id, question_id)


async def _workspace_of(session: AsyncSession, channel_id: int) -> int:
    channel = await session.get(Channel, channel_id)
    assert channel is not None
    return channel.workspace_id


async def _unplaced(services: Services, task_id: int) -> str | None:
    async with services.store.session() as session:
        task = await session.get(PairTask, task_id)
        assert task is not None and task.person_id is not None
        round_ = await session.get(PairRound, task.round_id)
        assert round_ is not None
        entry = await q.entry_of(session, task.round_id, task.person_id)
        if entry is None or entry.status != "unplaced":
            return None  # placed since (a rematch took them)
        channel = await q.channel_ref(session, round_.channel_id)
        user = (await q.accounts(session, channel.workspace, [entry.account_id]))[entry.account_id]
        message = views.unplaced_message(round_.number, entry.reason or "", round_.session_minutes)
    sent = await dm_once(services, f"pairing:{task_id}:unplaced", user[0], message)
    return sent.id if sent else None


async def _summary(services: Services, task_id: int) -> str | None:
    async with services.store.session() as session:
        task = await session.get(PairTask, task_id)
        assert task is not None
        round_ = await session.get(PairRound, task.round_id)
        assert round_ is not None
        channel = await q.channel_ref(session, round_.channel_id)
        groups = await q.members_of_rounds(session, [round_.id])
        unplaced = len(await q.entries(session, round_.id, ("unplaced",)))
        number = round_.number
    sizes: dict[int, int] = {}
    for _, group_id, _ in groups:
        sizes[group_id] = sizes.get(group_id, 0) + 1
    if not sizes and not unplaced:
        return None  # nobody joined: nothing to say
    pairs = sum(1 for n in sizes.values() if n == 2)
    trios = sum(1 for n in sizes.values() if n == 3)
    message = views.summary(number, pairs, trios, unplaced)
    sent = await post_once(services, f"pairing:{task_id}:summary", channel, message)
    return sent.id if sent else None


async def _checkin(services: Services, task_id: int) -> str | None:
    async with services.store.session() as session:
        task = await session.get(PairTask, task_id)
        assert task is not None and task.group_id is not None
        view = await load_group(session, task.group_id)
        members = await q.group_members(session, task.group_id)
    if view is None or all(m.met_at is not None for m in members):
        return None
    if services.clock.now() >= view.round_.ends_at:
        return None
    message = views.checkin(view.group.id, view.members)
    return await post_to_group(services, view, message, f"pairing:{task_id}:checkin")


async def _remind(services: Services, task_id: int) -> str | None:
    async with services.store.session() as session:
        task = await session.get(PairTask, task_id)
        assert task is not None and task.group_id is not None
        view = await load_group(session, task.group_id)
        kind = task.kind
    if view is None or view.group.chosen_at is None:
        return None
    when = view.group.chosen_at
    if services.clock.now() >= when:
        return None  # the bot was down past the slot: a late reminder helps nobody
    hours = 24 if kind == "remind24" else 1
    message = views.reminder(view.members, when, hours)
    return await post_to_group(services, view, message, f"pairing:{task_id}:{kind}")


async def _feedback(services: Services, task_id: int) -> str | None:
    async with services.store.session() as session:
        task = await session.get(PairTask, task_id)
        assert task is not None and task.group_id is not None
        view = await load_group(session, task.group_id)
        if view is None:
            return None
        given = await q.feedback_given(session, view.group.id)
        absent = await q.no_shows_in(session, view.group.id)
    last = None
    for member in view.members:
        partners = [
            other
            for other in view.members
            if other.person_id != member.person_id
            and (member.person_id, other.person_id) not in given
            and (member.person_id, other.person_id) not in absent
            and (other.person_id, member.person_id) not in absent
        ]
        if partners:
            message = views.feedback_request(view.group.id, partners)
            key = f"pairing:{task_id}:feedback:{member.person_id}"
            ref = await dm_once(services, key, member.user, message)
            last = ref.id if ref else last
    return last


SENDERS: dict[str, Callable[[Services, int], Awaitable[str | None]]] = {
    "intro": _intro,
    "unplaced": _unplaced,
    "summary": _summary,
    "checkin": _checkin,
    "remind24": _remind,
    "remind1": _remind,
    "feedback": _feedback,
}

JOBS = [
    JobSpec("pairing.open", due_open),
    JobSpec("pairing.close", due_close),
    JobSpec("pairing.deliver", due_tasks(DELIVER)),
    JobSpec("pairing.checkin", due_tasks(("checkin",))),
    JobSpec("pairing.remind", due_tasks(REMIND)),
    JobSpec("pairing.feedback", due_tasks(("feedback",))),
]
