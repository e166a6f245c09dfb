"""The rules of what members do: join, leave, skip, pick a slot, confirm, report, give feedback.

Each function runs inside the event's one transaction (`ctx.session`) and raises UserError for
anything the member can fix, so nothing is stored then. Sends go through `ctx.later`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.context import Context, Services
from bot.core.errors import NotFound, UserError
from bot.store.activity import record_activity
from bot.store.ledger import award, points_value
from bot.store.tables import Channel, Person, Workspace
from bot.store.upsert import insert_once
from commands.pairing import queries as q
from commands.pairing import views
from commands.pairing.availability import describe, longest, parse_availability
from commands.pairing.closing import add_task, rematch
from commands.pairing.rounds import (
    DEFAULT_PREFS,
    LEVELS,
    ROLES,
    Prefs,
    ensure_round,
    ensure_schedule,
    enter,
    last_prefs,
    member_timezone,
    next_opening,
    save_signup,
    schedule_values,
)
from commands.pairing.schedule import local
from commands.pairing.tables import (
    PairEntry,
    PairFeedback,
    PairGroup,
    PairMember,
    PairNoShow,
    PairRound,
)

POINTS_DEFAULT = 20
POINTS_REASON = "mock_interview"
FEEDBACK_AFTER_SLOT = timedelta(minutes=15)


def require_channel(ctx: Context) -> Channel:
    if ctx.channel is None:
        raise UserError("Use pairing commands in the study channel.")
    return ctx.channel


def resolve_prefs(
    base: Prefs | None, level: str | None, role: str | None, availability: str | None
) -> tuple[Prefs, str]:
    """Given options over the last preferences over the defaults; returns the prefs and the
    canonical availability text (raises UserError for unreadable availability)."""
    base = base or DEFAULT_PREFS
    level = (level or base.level).strip().lower()
    role = (role or base.role).strip().lower()
    if level not in LEVELS:
        raise UserError(f"Level must be one of {', '.join(LEVELS)} (got `{level}`).")
    if role not in ROLES:
        raise UserError(f"Role must be one of {', '.join(ROLES)} (got `{role}`).")
    windows = parse_availability(availability or base.availability)
    canonical = describe(windows)
    if len(canonical) > 300:
        raise UserError("That availability is too long once written out; use fewer windows.")
    return Prefs(level, role, canonical), canonical


async def join(
    ctx: Context,
    *,
    level: str | None = None,
    role: str | None = None,
    availability: str | None = None,
    round_id: int | None = None,
) -> str:
    """Sign the member up and enter them in the round taking joins; the reply text."""
    channel = require_channel(ctx)
    now = ctx.now
    schedule = schedule_values(await ensure_schedule(ctx.session, channel, now), channel)
    base = await last_prefs(ctx.session, channel.id, ctx.person.id)
    prefs, canonical = resolve_prefs(base, level, role, availability)
    if longest(parse_availability(canonical)) < schedule.session_minutes:
        raise UserError(
            f"Each of your windows is shorter than a {schedule.session_minutes}-minute session; "
            "give at least one longer window, e.g. `Mon 18:00-20:00`."
        )
    tz = member_timezone(ctx.person, channel)
    if round_id is not None:
        round_ = await ctx.session.get(PairRound, round_id)
        if round_ is None or round_.channel_id != channel.id:
            raise NotFound("That round does not exist here.")
        if round_.status != "open" or round_.closes_at <= now:
            raise UserError(
                f"Round {round_.number} closed at {local(round_.closes_at, tz)}; "
                "`/pair join` signs you up for the next one."
            )
    else:
        round_ = await ensure_round(ctx.session, channel, now)
    signup = await q.signup_of(ctx.session, channel.id, ctx.person.id)
    if round_ is not None:
        existing = await q.entry_of(ctx.session, round_.id, ctx.person.id)
        if existing is not None and existing.status not in q.OUT:
            raise UserError(
                f"You're already in round {round_.number} (level {existing.level}, role "
                f"{existing.role}). To change your preferences, `/pair leave` and join again."
            )
        await save_signup(ctx.session, channel.id, ctx.person.id, ctx.account.id, prefs, now)
        if existing is not None:  # back after leaving or skipping this round
            existing.status, existing.account_id, existing.joined_at = "joined", ctx.account.id, now
            existing.level, existing.role, existing.availability = (
                prefs.level, prefs.role, prefs.availability
            )
            existing.timezone = tz
        else:
            await enter(ctx.session, round_, person_id=ctx.person.id, account_id=ctx.account.id,
                        prefs=prefs, timezone=tz, now=now)
        return views.joined_text(round_.number, round_.closes_at, tz, prefs.level, prefs.role,
                                 canonical)
    times = await next_opening(ctx.session, schedule, channel.id, now)
    if signup is not None and signup.active and not signup.skip_next:
        raise UserError(
            f"You're already signed up; the next round opens {local(times.opens_at, tz)} and "
            "you'll be in it. To change your preferences, `/pair leave` and join again."
        )
    await save_signup(ctx.session, channel.id, ctx.person.id, ctx.account.id, prefs, now)
    return (
        f"You're signed up. The next round opens {local(times.opens_at, tz)} ({tz}) and "
        f"you'll be in it: level {prefs.level}, role {prefs.role}, free {canonical}."
    )


async def leave(ctx: Context) -> str:
    channel = require_channel(ctx)
    now = ctx.now
    tz = member_timezone(ctx.person, channel)
    signup = await q.signup_of(ctx.session, channel.id, ctx.person.id)
    round_ = await q.open_round(ctx.session, channel.id, now)
    entry = await q.entry_of(ctx.session, round_.id, ctx.person.id) if round_ else None
    if round_ is not None and entry is not None and entry.status == "joined":
        entry.status = "left"
        if signup is not None:
            signup.active = False
        return (
            f"You left round {round_.number} and won't be entered in later rounds. "
            "`/pair join` brings you back any time."
        )
    if signup is not None and signup.active:
        signup.active = False
        text = "You won't be entered in later rounds; `/pair join` brings you back."
        last = await q.latest_entry(ctx.session, channel.id, ctx.person.id)
        if last is not None and last.status == "placed":
            text += (
                " Your current mock interview stays arranged: please tell your partner in your "
                "private space if you can't make it."
            )
        return text
    last = await q.latest_entry(ctx.session, channel.id, ctx.person.id)
    closed = await ctx.session.get(PairRound, last.round_id) if last is not None else None
    if closed is not None and closed.status == "paired":
        raise UserError(
            f"Round {closed.number} closed at {local(closed.closes_at, tz)} and is already "
            "paired, so there is nothing to leave; you are not signed up for later rounds."
        )
    raise UserError("You haven't joined pairing here. `/pair join` signs you up.")


async def skip(ctx: Context) -> str:
    channel = require_channel(ctx)
    now = ctx.now
    tz = member_timezone(ctx.person, channel)
    signup = await q.signup_of(ctx.session, channel.id, ctx.person.id)
    if signup is None or not signup.active:
        raise UserError("You're not signed up for pairing here; `/pair join` first.")
    round_ = await q.open_round(ctx.session, channel.id, now)
    entry = await q.entry_of(ctx.session, round_.id, ctx.person.id) if round_ else None
    if round_ is not None and entry is not None and entry.status == "joined":
        entry.status = "skipped"
        return (
            f"You're sitting out round {round_.number}. You stay signed up and will be in the "
            "one after."
        )
    if signup.skip_next:
        raise UserError("You're already sitting out the next round.")
    signup.skip_next = True
    schedule = schedule_values(await ensure_schedule(ctx.session, channel, now), channel)
    times = await next_opening(ctx.session, schedule, channel.id, now)
    return (
        f"You'll sit out the round opening {local(times.opens_at, tz)} ({tz}); you stay "
        "signed up for the ones after."
    )


# --- inside a group ---------------------------------------------------------------------------


@dataclass
class Membership:
    """The acting member's place in a group (`me`), found by person or by platform user id."""

    group: PairGroup
    round_: PairRound
    members: list[PairMember]
    me: PairMember
    workspace: Workspace
    names: dict[int, str]  # person id -> display name in the group's workspace

    def other(self, person_id: int) -> PairMember | None:
        return next(
            (m for m in self.members if m.person_id == person_id and m is not self.me), None
        )

    @property
    def my_name(self) -> str:
        return self.names[self.me.person_id]


async def membership(ctx: Context, group_id: int) -> Membership:
    group = await ctx.session.get(PairGroup, group_id)
    if group is None:
        raise NotFound("That pairing no longer exists.")
    round_ = await ctx.session.get(PairRound, group.round_id)
    assert round_ is not None
    channel = await ctx.session.get(Channel, round_.channel_id)
    assert channel is not None
    workspace = await ctx.session.get(Workspace, channel.workspace_id)
    assert workspace is not None
    members = await q.group_members(ctx.session, group_id)
    accounts = await q.account_rows(ctx.session, [m.account_id for m in members])
    me = next((m for m in members if m.person_id == ctx.person.id), None)
    if me is None and ctx.workspace.platform == workspace.platform:
        # Discord delivers presses in direct messages from a workspace of their own; the
        # platform's user id still tells who pressed.
        me = next(
            (m for m in members if accounts[m.account_id].external_id == ctx.account.external_id),
            None,
        )
    if me is None:
        raise UserError("You weren't in that pair, so that button isn't yours.")
    names = {m.person_id: accounts[m.account_id].display_name or accounts[m.account_id].external_id
             for m in members}
    return Membership(group, round_, members, me, workspace, names)


def parse_ids(arg: str, parts: int) -> list[int]:
    try:
        values = [int(x) for x in arg.split(".")]
    except ValueError:
        values = []
    if len(values) != parts:
        raise UserError("That button is damaged; please use the newest message.")
    return values


async def choose_slot(ctx: Context, group_id: int, index: int) -> tuple[Membership, datetime]:
    found = await membership(ctx, group_id)
    slots = [datetime.fromisoformat(s) for s in found.group.slots]
    if not 1 <= index <= len(slots):
        raise UserError("That slot does not exist.")
    when = slots[index - 1]
    if when <= ctx.now:
        raise UserError("That time has passed; pick a later slot or agree on one here.")
    if found.group.chosen_at == when:
        raise UserError("That slot is already chosen; see you then.")
    found.group.chosen_at = when
    await q.cancel_pending(ctx.session, group_id, ("remind24", "remind1", "feedback"), ctx.now)
    stamp = f"{int(when.timestamp())}:{int(ctx.now.timestamp())}"
    for kind, before in (("remind24", timedelta(hours=24)), ("remind1", timedelta(hours=1))):
        if when - before > ctx.now:
            await add_task(ctx.session, key=f"{kind}:{group_id}:{stamp}", kind=kind,
                           round_id=found.round_.id, group_id=group_id, due_at=when - before)
    feedback_at = when + timedelta(minutes=found.round_.session_minutes) + FEEDBACK_AFTER_SLOT
    await add_task(ctx.session, key=f"feedback:{group_id}:{stamp}", kind="feedback",
                   round_id=found.round_.id, group_id=group_id, due_at=feedback_at)
    return found, when


async def credit(
    services: Services,
    ctx: Context,
    found: Membership,
    member: PairMember,
) -> bool:
    """Count a completed mock interview for `member`: activity and points, exactly once."""
    session = ctx.session
    now = ctx.now
    if member.met_at is None:
        member.met_at = now
    person = await session.get(Person, member.person_id)
    channel = await session.get(Channel, found.round_.channel_id)
    workspace = await session.get(Workspace, channel.workspace_id) if channel else None
    assert person is not None and channel is not None and workspace is not None
    day = now.astimezone(ZoneInfo(member_timezone(person, channel))).date()
    ref = f"pair:{found.group.id}"
    recorded = await record_activity(
        session,
        workspace_id=workspace.id,
        person_id=member.person_id,
        kind="mock_interview",
        ref=ref,
        at=now,
        local_day=day,
    )
    await award(
        session,
        key=f"pairing:interview:{found.group.id}:{member.person_id}",
        workspace_id=workspace.id,
        person_id=member.person_id,
        points=points_value(workspace.settings, POINTS_REASON, POINTS_DEFAULT),
        reason=POINTS_REASON,
        now=now,
        ref=ref,
    )
    return recorded


async def feedback_targets(ctx: Context, found: Membership) -> list[PairMember]:
    given = await q.feedback_given(ctx.session, found.group.id)
    absent = await q.no_shows_in(ctx.session, found.group.id)
    me = found.me.person_id
    return [
        m
        for m in found.members
        if m.person_id != me and (me, m.person_id) not in given and (me, m.person_id) not in absent
    ]


async def give_feedback(
    ctx: Context, group_id: int, to_person: int, fields: dict[str, str]
) -> tuple[Membership, PairMember, int]:
    found = await membership(ctx, group_id)
    receiver = found.other(to_person)
    if receiver is None:
        raise UserError("You can only give feedback to a partner from your own pair.")
    raw = fields.get("overall", "").strip()
    if raw not in {"1", "2", "3", "4", "5"}:
        raise UserError(f"Overall must be a whole number from 1 to 5 (got `{raw}`).")
    strengths = fields.get("strengths", "").strip()
    improve = fields.get("improve", "").strip()
    if not strengths or not improve:
        raise UserError("Please fill in both what went well and one thing to improve.")
    me = found.me.person_id
    if (me, to_person) in await q.no_shows_in(ctx.session, group_id):
        raise UserError("You reported that this partner didn't show, so there's no feedback.")
    inserted = await insert_once(
        ctx.session,
        PairFeedback,
        {
            "group_id": group_id,
            "from_person_id": me,
            "to_person_id": to_person,
            "overall": int(raw),
            "strengths": strengths[:1000],
            "improve": improve[:1000],
            "created_at": ctx.now,
        },
    )
    if not inserted:
        raise UserError("You already sent feedback for this interview; it's been delivered.")
    # Feedback means the interview happened, for the giver and the receiver alike.
    await credit(ctx.services, ctx, found, found.me)
    await credit(ctx.services, ctx, found, receiver)
    return found, receiver, int(raw)


@dataclass
class NoShowOutcome:
    """What a no-show report led to."""

    found: Membership
    absent: PairMember
    still_with: list[PairMember]
    new_group: PairGroup | None


async def report_no_show(ctx: Context, group_id: int, absent_id: int) -> NoShowOutcome:
    found = await membership(ctx, group_id)
    me = found.me.person_id
    if absent_id == 0:
        others = [m for m in found.members if m.person_id != me]
        if len(others) != 1:
            raise UserError("Say which member didn't show.")
        absent_id = others[0].person_id
    absent = found.other(absent_id)
    if absent is None:
        raise UserError("That member isn't in your group.")
    tz = found.me.timezone
    if found.group.chosen_at is not None and ctx.now < found.group.chosen_at:
        raise UserError(
            f"Your slot is {local(found.group.chosen_at, tz)}; if your partner doesn't come "
            "then, report it after it starts."
        )
    if await q.feedback_exists(ctx.session, group_id, me, absent_id):
        raise UserError("You already gave this partner feedback for the interview.")
    inserted = await insert_once(
        ctx.session,
        PairNoShow,
        {
            "round_id": found.round_.id,
            "group_id": group_id,
            "reporter_id": me,
            "absent_id": absent_id,
            "created_at": ctx.now,
        },
    )
    if not inserted:
        raise UserError("You already reported that; I'm on it.")
    reported = await q.no_shows_in(ctx.session, group_id)
    still_with = [
        m
        for m in found.members
        if m.person_id != me
        and (me, m.person_id) not in reported
        and (m.person_id, me) not in reported
    ]
    new_group = None
    if not still_with:
        entry = await q.entry_of(ctx.session, found.round_.id, me)
        if entry is None:  # joined through a rematch before the entry existed: cannot happen
            raise UserError("I can't find your place in this round.")
        new_group = await _rematch_or_wait(ctx, found, entry)
    return NoShowOutcome(found, absent, still_with, new_group)


async def _rematch_or_wait(ctx: Context, found: Membership, entry: PairEntry) -> PairGroup | None:
    channel = await ctx.session.get(Channel, found.round_.channel_id)
    assert channel is not None
    group = None
    if ctx.now < found.round_.ends_at:
        group = await rematch(ctx.session, ctx.services, found.round_, entry,
                              channel.workspace_id, ctx.now, after_group=found.group.id)
    if group is None:
        entry.status, entry.reason = "waiting", "noshow"
    return group
