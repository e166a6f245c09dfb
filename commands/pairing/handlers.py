"""Handlers of the /pair commands, buttons and forms: parse, call the rules, build the reply."""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.ui import Button, ButtonStyle, Field, Message, Reply
from commands.pairing import jobs, service, views
from commands.pairing import queries as q
from commands.pairing.availability import DAY_NAMES
from commands.pairing.rounds import (
    DEFAULT_PREFS,
    ensure_schedule,
    last_prefs,
    member_timezone,
    next_opening,
    schedule_values,
)
from commands.pairing.schedule import FREQUENCIES, local, parse_time_of_day
from commands.pairing.tables import PairRound

DAY_CHOICES = tuple(name.lower() for name in DAY_NAMES)


# --- commands ---------------------------------------------------------------------------------


async def cmd_join(ctx: Context) -> Reply:
    text = await service.join(
        ctx,
        level=ctx.args.get("level"),
        role=ctx.args.get("role"),
        availability=ctx.args.get("availability"),
    )
    return Reply.private_text(text)


async def cmd_leave(ctx: Context) -> Reply:
    return Reply.private_text(await service.leave(ctx))


async def cmd_skip(ctx: Context) -> Reply:
    return Reply.private_text(await service.skip(ctx))


async def cmd_status(ctx: Context) -> Reply:
    channel = service.require_channel(ctx)
    now = ctx.now
    tz = member_timezone(ctx.person, channel)
    signup = await q.signup_of(ctx.session, channel.id, ctx.person.id)
    fields = []
    if signup is not None and signup.active:
        skipping = " (sitting out the next round)" if signup.skip_next else ""
        fields.append(Field("Signed up", f"yes{skipping}: level {signup.level}, role "
                            f"{signup.role}", inline=False))
        fields.append(Field(f"Free ({tz})", signup.availability, inline=False))
    else:
        fields.append(Field("Signed up", "no (`/pair join` signs you up)", inline=False))
    round_ = await q.open_round(ctx.session, channel.id, now)
    if round_ is not None:
        entry = await q.entry_of(ctx.session, round_.id, ctx.person.id)
        state = "you're in" if entry is not None and entry.status == "joined" else (
            "you're not in it"
        )
        fields.append(Field("This round", f"round {round_.number} pairs at "
                            f"{local(round_.closes_at, tz)}; {state}", inline=False))
    else:
        schedule_row = await q.schedule_of(ctx.session, channel.id)
        if schedule_row is not None:
            schedule = schedule_values(schedule_row, channel)
            times = await next_opening(ctx.session, schedule, channel.id, now)
            fields.append(Field("Next round", f"opens {local(times.opens_at, tz)}",
                                inline=False))
    current = await _current_group_text(ctx, channel.id, tz)
    if current:
        fields.append(Field("Your current pairing", current, inline=False))
    done = await q.mock_interviews_done(ctx.session, ctx.workspace.id, ctx.person.id)
    fields.append(Field("Mock interviews done", f"{done} of the plan's 4"))
    return Reply(Message(title="Your mock-interview pairing", fields=fields))


async def _current_group_text(ctx: Context, channel_id: int, tz: str) -> str:
    rows = await q.person_groups(ctx.session, channel_id, ctx.person.id, 1)
    if not rows:
        entry = await q.latest_entry(ctx.session, channel_id, ctx.person.id)
        if entry is not None and entry.status in ("unplaced", "waiting"):
            unplaced_in = await ctx.session.get(PairRound, entry.round_id)
            minutes = unplaced_in.session_minutes if unplaced_in else 90
            return "not placed this round: " + views.reason_text(entry.reason, minutes)
        return ""
    round_, group, _ = rows[0]
    if ctx.now >= round_.ends_at:
        return ""
    members = await q.group_members(ctx.session, group.id)
    names = await q.person_names(ctx.session, [m.person_id for m in members])
    partners = ", ".join(names[m.person_id] for m in members if m.person_id != ctx.person.id)
    if group.chosen_at is not None:
        when = f"meeting {local(group.chosen_at, tz)}"
    else:
        offered = ", ".join(local(datetime.fromisoformat(s), tz) for s in group.slots)
        when = f"no slot picked yet (offered: {offered})" if offered else "no slot picked yet"
    return f"round {round_.number} with {partners}; {when}"


async def cmd_history(ctx: Context) -> Reply:
    channel = service.require_channel(ctx)
    tz = member_timezone(ctx.person, channel)
    rows = await q.person_groups(ctx.session, channel.id, ctx.person.id, 10)
    if not rows:
        return Reply.private_text("No mock interviews yet. `/pair join` to get a partner.")
    scores = await q.feedback_received(ctx.session, [g.id for _, g, _ in rows], ctx.person.id)
    lines = []
    for round_, group, me in rows:
        members = await q.group_members(ctx.session, group.id)
        names = await q.person_names(ctx.session, [m.person_id for m in members])
        partners = ", ".join(names[m.person_id] for m in members if m.person_id != ctx.person.id)
        absent = await q.no_shows_in(ctx.session, group.id)
        if me.met_at is not None:
            state = "met"
        elif any(reporter == ctx.person.id for reporter, _ in absent):
            state = "partner didn't show"
        elif any(missing == ctx.person.id for _, missing in absent):
            state = "reported as a no-show"
        elif ctx.now < round_.ends_at:
            state = "in progress"
        else:
            state = "not confirmed"
        received = scores.get(group.id)
        feedback = f" · feedback {sum(received) / len(received):.1f}/5" if received else ""
        day = local(round_.closes_at, tz).rsplit(" ", 1)[0]
        lines.append(f"- Round {round_.number} ({day}): with {partners}: {state}{feedback}")
    done = await q.mock_interviews_done(ctx.session, ctx.workspace.id, ctx.person.id)
    return Reply(
        Message(
            title="Your mock interviews",
            text="\n".join(lines),
            footer=f"{done} completed; the 6-week plan asks for 4",
        )
    )


async def cmd_admin(ctx: Context) -> Reply:
    channel = service.require_channel(ctx)
    now = ctx.now
    schedule = schedule_values(await ensure_schedule(ctx.session, channel, now), channel)
    fields = [Field("Schedule", schedule.describe(), inline=False)]
    round_ = await q.latest_round(ctx.session, channel.id)
    if round_ is not None:
        joined = await q.count_entries(ctx.session, round_.id)
        tz = channel.timezone or "UTC"
        state = (
            f"open, pairs at {local(round_.closes_at, tz)}"
            if round_.status == "open"
            else f"paired, meeting until {local(round_.ends_at, tz)}"
        )
        fields.append(Field("Latest round", f"round {round_.number}: {state}; {joined} joined",
                            inline=False))
    rows = sorted(await q.reliability(ctx.session, channel.id),
                  key=lambda r: (-r[4], -r[2], r[1]))
    if rows:
        lines = [
            f"- {name}: joined {joined_n}, met {met}, no-shows {absent}, reported {reported}"
            for _, name, joined_n, met, absent, reported in rows[:25]
        ]
        fields.append(Field("Reliability (most no-shows first)", "\n".join(lines),
                            inline=False))
    return Reply(Message(title=f"Pairing in #{channel.name or channel.external_id}",
                         fields=fields,
                         footer="Change with /pair setup day time frequency session_minutes"))


async def cmd_setup(ctx: Context) -> Reply:
    channel = service.require_channel(ctx)
    now = ctx.now
    row = await ensure_schedule(ctx.session, channel, now)
    args = ctx.args
    if not args:
        return await cmd_admin(ctx)
    if "time" in args:
        clock = parse_time_of_day(args["time"])
        if clock is None:
            raise UserError(f"`{args['time']}` is not a time of day; use HH:MM, e.g. 18:30.")
        row.time_of_day = f"{clock.hour:02d}:{clock.minute:02d}"
    if "day" in args:
        row.weekday = DAY_CHOICES.index(args["day"])
    if "frequency" in args:
        row.frequency_weeks = FREQUENCIES[args["frequency"]]
    if "session_minutes" in args:
        row.session_minutes = int(args["session_minutes"])
        open_round = await q.open_round(ctx.session, channel.id, now)
        if open_round is not None:
            open_round.session_minutes = row.session_minutes
    row.anchor_at = now
    row.updated_at = now
    schedule = schedule_values(row, channel)
    times = await next_opening(ctx.session, schedule, channel.id, now)
    tz = channel.timezone or "UTC"
    opening = "now" if times.opens_at <= now else local(times.opens_at, tz)
    return Reply.private_text(
        f"Pairing rounds here: {schedule.describe()}. The next round opens {opening} ({tz})."
    )


# --- joining by button and form ---------------------------------------------------------------


async def act_join(ctx: Context) -> Reply:
    """Join with the last preferences; the first time, ask for them in a form."""
    round_id = service.parse_ids(ctx.action_arg, 1)[0]
    channel = service.require_channel(ctx)
    prefs = await last_prefs(ctx.session, channel.id, ctx.person.id)
    if prefs is None:
        return _join_form(ctx, round_id, DEFAULT_PREFS.level, DEFAULT_PREFS.role, "")
    return Reply.private_text(await service.join(ctx, round_id=round_id))


async def act_prefs(ctx: Context) -> Reply:
    round_id = service.parse_ids(ctx.action_arg, 1)[0]
    channel = service.require_channel(ctx)
    prefs = await last_prefs(ctx.session, channel.id, ctx.person.id) or DEFAULT_PREFS
    return _join_form(ctx, round_id, prefs.level, prefs.role, prefs.availability)


def _join_form(ctx: Context, round_id: int, level: str, role: str, availability: str) -> Reply:
    tz = member_timezone(ctx.person, ctx.channel)
    return Reply.open(views.join_form(round_id, level, role, availability, tz))


async def form_join(ctx: Context) -> Reply:
    event_fields = getattr(ctx.event, "fields", {})
    round_id = service.parse_ids(getattr(ctx.event, "context", ""), 1)[0]
    text = await service.join(
        ctx,
        level=event_fields.get("level") or None,
        role=event_fields.get("role") or None,
        availability=event_fields.get("availability") or None,
        round_id=round_id,
    )
    return Reply.private_text(text)


# --- inside a group ---------------------------------------------------------------------------


async def act_slot(ctx: Context) -> Reply:
    group_id, index = service.parse_ids(ctx.action_arg, 2)
    found, when = await service.choose_slot(ctx, group_id, index)
    view_members = await _who(ctx, found)
    return Reply.public(views.slot_chosen(found.my_name, when, view_members))


async def _who(ctx: Context, found: service.Membership) -> list[views.Who]:
    channel = await q.channel_ref(ctx.session, found.round_.channel_id)
    users = await q.accounts(ctx.session, channel.workspace,
                             [m.account_id for m in found.members])
    return [
        views.Who(m.person_id, users[m.account_id][0], users[m.account_id][1], m.timezone)
        for m in found.members
    ]


async def act_met(ctx: Context) -> Reply:
    (group_id,) = service.parse_ids(ctx.action_arg, 1)
    found = await service.membership(ctx, group_id)
    first = await service.credit(ctx.services, ctx, found, found.me)
    done = await q.mock_interviews_done(ctx.session, found.workspace.id, found.me.person_id)
    targets = await service.feedback_targets(ctx, found)
    who = {w.person_id: w for w in await _who(ctx, found)}
    text = (
        f"Counted: that's {done} of the plan's 4 mock interviews."
        if first
        else f"Already counted, once: {done} of the plan's 4 mock interviews."
    )
    buttons = [
        Button(f"Feedback for {who[m.person_id].name[:60]}", f"pair.fb:{group_id}.{m.person_id}",
               ButtonStyle.PRIMARY)
        for m in targets
    ]
    if buttons:
        text += " Now tell your partner how it went; only they will see it."
    return Reply(Message(text=text, buttons=buttons))


async def act_not_yet(ctx: Context) -> Reply:
    (group_id,) = service.parse_ids(ctx.action_arg, 1)
    found = await service.membership(ctx, group_id)
    tz = found.me.timezone
    if found.group.chosen_at is not None:
        text = f"No problem; your slot is {local(found.group.chosen_at, tz)}."
    else:
        text = "No problem; pick one of the offered slots, or agree on a time in your space."
    return Reply.private_text(
        text + " If your partner doesn't come at the agreed time, press \"Partner didn't show\"."
    )


async def act_no_show(ctx: Context) -> Reply:
    group_id, absent_id = service.parse_ids(ctx.action_arg, 2)
    outcome = await service.report_no_show(ctx, group_id, absent_id)
    who = {w.person_id: w for w in await _who(ctx, outcome.found)}
    absent = who[outcome.absent.person_id]
    services = ctx.services
    reporter = outcome.found.my_name
    platform = absent.user.workspace.platform

    async def tell_absent() -> None:
        await services.chat(platform).send_dm(
            absent.user,
            Message(
                text=(
                    f"{reporter} reported that you missed your mock interview in round "
                    f"{outcome.found.round_.number}. If that's a mistake, tell an admin. "
                    "I won't pair the two of you again."
                )
            ),
        )

    ctx.later(tell_absent)
    if outcome.still_with:
        names = ", ".join(who[m.person_id].name for m in outcome.still_with)
        return Reply.private_text(f"Noted. You still have {names} in this group.")
    if outcome.new_group is not None:
        await ctx.session.flush()
        task = await q.intro_task(ctx.session, outcome.new_group.id)
        if task is not None:
            task_id = task

            async def send_intro() -> None:
                await jobs.run_task(services, task_id)

            ctx.later(send_intro)
        partners = await q.group_members(ctx.session, outcome.new_group.id)
        known = await q.person_names(ctx.session, [m.person_id for m in partners])
        me = outcome.found.me.person_id
        other = ", ".join(known[m.person_id] for m in partners if m.person_id != me)
        return Reply.private_text(
            f"Sorry about that. I've paired you with {other}, who was still waiting; look "
            "for your new private space."
        )
    return Reply.private_text(
        "Sorry about that. Nobody free at your times is waiting right now; if someone frees "
        "up in this round I'll pair you, and you'll go first next round."
    )


async def act_feedback(ctx: Context) -> Reply:
    group_id, to_person = service.parse_ids(ctx.action_arg, 2)
    found = await service.membership(ctx, group_id)
    receiver = found.other(to_person)
    if receiver is None:
        raise UserError("You can only give feedback to a partner from your own pair.")
    me = found.me.person_id
    if await q.feedback_exists(ctx.session, group_id, me, to_person):
        raise UserError("You already sent feedback for this interview; it's been delivered.")
    if (me, to_person) in await q.no_shows_in(ctx.session, group_id):
        raise UserError("You reported that this partner didn't show, so there's no feedback.")
    who = {w.person_id: w for w in await _who(ctx, found)}
    return Reply.open(views.feedback_form(group_id, who[to_person]))


async def form_feedback(ctx: Context) -> Reply:
    group_id, to_person = service.parse_ids(getattr(ctx.event, "context", ""), 2)
    fields: dict[str, str] = getattr(ctx.event, "fields", {})
    found, receiver, overall = await service.give_feedback(ctx, group_id, to_person, fields)
    who = {w.person_id: w for w in await _who(ctx, found)}
    to = who[receiver.person_id]
    message = views.feedback_delivery(
        found.my_name, overall, fields["strengths"].strip(), fields["improve"].strip()
    )
    services = ctx.services

    async def deliver() -> None:
        await services.chat(to.user.workspace.platform).send_dm(to.user, message)

    ctx.later(deliver)
    return Reply.private_text(f"Thank you! I sent your feedback to {to.name} privately.")
