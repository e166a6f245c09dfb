"""/streak: current and longest streak, freezes, reminders, and admin repairs after an outage."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.ui import Reply
from bot.store.ledger import award
from bot.store.upsert import insert_once
from commands.spec import CommandSpec, Feature, JobSpec, Option, OptionType
from commands.streaks import jobs, queries, views
from commands.streaks.schedule import DAY_NAMES, rest_weekdays, show_day, zone_of
from commands.streaks.service import (
    evaluate,
    next_reminder,
    refresh,
    send_notices,
    target_member,
)
from commands.streaks.tables import StreakRepair


async def show(ctx: Context) -> Reply:
    person, name = await target_member(ctx)
    member = await evaluate(ctx.session, ctx.workspace, person, ctx.now)
    today = member.streak.today
    counts = await queries.day_counts(
        ctx.session, ctx.workspace.id, person.id, today - timedelta(weeks=12), today
    )
    state = await queries.find_state(ctx.session, ctx.workspace.id, person.id)
    own = person.id == ctx.person.id
    return Reply(views.streak_card(name, member, counts, state, own=own))


async def remind(ctx: Context) -> Reply:
    on = ctx.args["state"] == "on"
    state = await queries.state_of(ctx.session, ctx.workspace.id, ctx.person.id, ctx.now)
    state.remind = on
    member = await evaluate(ctx.session, ctx.workspace, ctx.person, ctx.now)
    state.remind_at = next_reminder(ctx.now, member.zone, member.rules) if on else None
    if not on:
        return Reply.private_text("Streak reminders are off.")
    hours = member.rules.remind_hours_before
    assert state.remind_at is not None
    return Reply.private_text(
        f"Streak reminders are on: when your streak is at risk I will message you privately "
        f"{hours} hours before your day ends (midnight in {member.zone}; next check "
        f"{_when(state.remind_at, member.zone)})."
    )


def _when(at: datetime, zone: str) -> str:
    local = at.astimezone(zone_of(zone))
    return f"{show_day(local.date())} {local:%H:%M}"


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"`{text}` is not a date I can read; write it as YYYY-MM-DD, "
                        "e.g. 2026-12-03.") from None


async def repair(ctx: Context) -> Reply:
    person, name = await target_member(ctx)
    day = parse_day(str(ctx.args["date"]))
    member = await evaluate(ctx.session, ctx.workspace, person, ctx.now)
    today = member.streak.today
    if day >= today:
        raise UserError(f"{day} is not over yet for {name} (today is {today} in "
                        f"{member.zone}); only past days can be repaired.")
    if day < today - timedelta(days=365):
        raise UserError("I only repair days of the last year.")
    if day.weekday() in await rest_weekdays(ctx.session, ctx.workspace.id):
        raise UserError(f"{DAY_NAMES[day.weekday()].capitalize()} is a rest day in this "
                        "workspace: "
                        "it never breaks a streak, so there is nothing to repair.")
    if day in await queries.active_days(ctx.session, ctx.workspace.id, person.id,
                                        member.rules.min_quiz_questions):
        raise UserError(f"{name} already kept {day}; there is nothing to repair.")
    inserted = await insert_once(
        ctx.session,
        StreakRepair,
        {
            "workspace_id": ctx.workspace.id,
            "person_id": person.id,
            "day": day,
            "granted_by": ctx.person.id,
            "at": ctx.now,
        },
    )
    if not inserted:
        raise UserError(f"{day} was already repaired for {name}.")
    await award(
        ctx.session,
        key=f"streak_repair:{ctx.workspace.id}:{person.id}:{day.isoformat()}",
        workspace_id=ctx.workspace.id,
        person_id=person.id,
        points=0,
        reason="streak_repair",
        now=ctx.now,
        ref=day.isoformat(),
        granted_by=ctx.person.id,
    )
    member, notices = await refresh(ctx.session, ctx.workspace, person, ctx.now)
    services = ctx.services
    if notices:
        ctx.later(lambda: send_notices(services, notices))
    s = member.streak
    return Reply.private_text(
        f"Repaired {show_day(day, year=True)} for {name} (recorded in the ledger as given by you). "
        f"Their streak is now {views.days(s.current)} (longest {views.days(s.longest)})."
    )


MEMBER = Option("member", "A member (default: you)", type=OptionType.USER)

FEATURE = Feature(
    name="Streaks",
    commands=[
        CommandSpec(
            "streak",
            "Your streak (or a member's): current, longest, freezes, 12-week heatmap.",
            show,
            options=(MEMBER,),
        ),
        CommandSpec(
            "streak remind",
            "A private reminder a few hours before your day ends while your streak is at risk.",
            remind,
            options=(Option("state", "on or off", required=True, choices=("on", "off")),),
        ),
        CommandSpec(
            "streak repair",
            "Count a day for a member whose streak broke during an outage (recorded).",
            repair,
            options=(
                Option("member", "The member", type=OptionType.USER, required=True),
                Option("date", "The day to count, YYYY-MM-DD (their local date)", required=True),
            ),
            admin=True,
        ),
    ],
    jobs=[
        JobSpec("streaks.activity", jobs.due_activity),
        JobSpec("streaks.day_end", jobs.due_day_ends),
        JobSpec("streaks.remind", jobs.due_reminders),
        JobSpec("streaks.resend", jobs.due_resends),
    ],
)
