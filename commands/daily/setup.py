"""Setting a channel up: /daily setup, status, pause and resume, and option suggestions.

A second `/daily setup` changes only the options it names. Packs and topics are checked
against the library this workspace sees, and the channel must end up with questions to ask.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from bot.core.context import Context, Services
from bot.core.errors import UserError
from bot.core.ui import Field, Message, Reply
from bot.packs.plan import plan_week
from bot.packs.schema import TOPICS
from commands.daily import queries, views
from commands.daily.posting import channel_pool
from commands.daily.tables import DailyPost, DailySchedule
from commands.daily.timing import (
    EVERY_DAY,
    check_zone,
    local_date,
    next_slot,
    parse_days,
    parse_time,
    show_local,
)

DEFAULTS: dict[str, Any] = {
    "post_time": "09:00",
    "days": EVERY_DAY,
    "window_hours": 24,
    "reveal": "open",
    "quorum": 3,
    "review_hours": 24,
    "reviews_first": False,
}
ALL = ("all", "any", "none", "*")


def parse_list(text: str, known: Iterable[str], noun: str) -> list[str] | None:
    """'a, b' -> ['a', 'b'] checked against `known`; 'all' -> None (no restriction)."""
    items = [part.strip().lower() for part in re.split(r"[,\s]+", text) if part.strip()]
    if not items or items[0] in ALL:
        return None
    known_list = sorted(known)
    unknown = [item for item in items if item not in known_list]
    if unknown:
        raise UserError(
            f"I don't know the {noun}{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(f'`{u}`' for u in unknown)}. Known {noun}s: {', '.join(known_list)} "
            "(or `all`)."
        )
    return list(dict.fromkeys(items))


async def setup(ctx: Context) -> Reply:
    """/daily setup: create or change this channel's daily question (admins only)."""
    channel = ctx.channel
    if channel is None:
        raise UserError("Run `/daily setup` in the channel where the questions should appear.")
    args = ctx.args
    schedule = await queries.schedule_of(ctx.session, channel.id)
    current: Callable[[str], Any] = (
        (lambda name: getattr(schedule, name)) if schedule is not None
        else (lambda name: DEFAULTS.get(name))
    )
    post_time = parse_time(args["time"]).strftime("%H:%M") if "time" in args \
        else current("post_time")
    zone = args.get("timezone") or (schedule.timezone if schedule else channel.timezone or "UTC")
    check_zone(zone)
    days = parse_days(args["days"]) if "days" in args else current("days")
    packs_known = ctx.services.packs.packs_for(ctx.workspace.id)
    packs = parse_list(args["packs"], packs_known, "pack") if "packs" in args \
        else current("packs")
    topics = parse_list(args["topics"], TOPICS, "topic") if "topics" in args \
        else current("topics")
    values = {
        "post_time": post_time,
        "timezone": zone,
        "days": days,
        "packs": packs,
        "topics": topics,
        "window_hours": args.get("window", current("window_hours")),
        "reveal": args.get("reveal", current("reveal")),
        "quorum": args.get("quorum", current("quorum")),
        "review_hours": args.get("review_hours", current("review_hours")),
        "reviews_first": args.get("reviews_first", current("reviews_first")),
        "active_since": ctx.now,
        "updated_at": ctx.now,
    }
    if schedule is None:
        schedule = DailySchedule(
            workspace_id=ctx.workspace.id, channel_id=channel.id, paused=False, cycle=1,
            plan_start=local_date(ctx.now, zone), created_at=ctx.now, **values,
        )
        ctx.session.add(schedule)
        created = True
    else:
        for name, value in values.items():
            setattr(schedule, name, value)
        created = False
    pool = channel_pool(ctx.services, schedule)
    if not pool:
        raise UserError(
            f"No question is in packs {', '.join(packs or ['all'])} with topics "
            f"{', '.join(topics or ['all'])}. Choose other packs or topics; nothing was changed."
        )
    channel.timezone = zone
    await ctx.session.flush()
    ctx.later(ctx.services.schedule_changed)
    upcoming = None if schedule.paused else next_slot(post_time, zone, days, ctx.now)
    verb = "is set up" if created else "is updated"
    size = f"{len(pool)} question{'s' if len(pool) != 1 else ''}"
    notes = [f"The daily question {verb} for this channel: {size} to ask."]
    if schedule.paused:
        notes.append("It is paused; `/daily resume` starts it again.")
    return Reply(Message(
        title="Daily question",
        text="\n".join(notes),
        fields=views.schedule_fields(schedule, upcoming.at if upcoming else None),
    ))


async def status(ctx: Context) -> Reply:
    channel = ctx.channel
    schedule = await queries.schedule_of(ctx.session, channel.id) if channel else None
    if channel is None or schedule is None:
        return Reply.private_text(
            "This channel has no daily question. An admin can start one with `/daily setup`."
        )
    upcoming = None if schedule.paused else next_slot(
        schedule.post_time, schedule.timezone, schedule.days, ctx.now
    )
    fields = views.schedule_fields(schedule, upcoming.at if upcoming else None)
    pool = channel_pool(ctx.services, schedule)
    asked = await queries.asked_in_cycle(ctx.session, channel.id, schedule.cycle)
    fields.append(Field("Pool", f"{len(pool)} questions, {len(asked & {q.id for q in pool})} "
                        f"asked in round {schedule.cycle}"))
    if not schedule.packs and not schedule.topics:
        week = plan_week(schedule.plan_start, local_date(ctx.now, schedule.timezone))
        fields.append(Field("Plan week", f"{week.number}: {week.theme}"))
    for post in await queries.open_posts(ctx.session, channel.id):
        fields.append(Field(f"Question #{post.number}", _phase(post, schedule.timezone),
                            inline=False))
    state = "paused" if schedule.paused else "running"
    return Reply(Message(title=f"Daily question: {state}", fields=fields))


def _phase(post: DailyPost, zone: str) -> str:
    if post.posted_at is None:
        return ("not in the channel yet: the platform has not taken it so far, I try again "
                f"every 2 minutes until {show_local(post.closes_at, zone)}")
    if post.close_claimed_at is None:
        return f"answers open until {show_local(post.closes_at, zone)}"
    return f"reviews open until {show_local(post.review_ends_at, zone)}"


async def pause(ctx: Context) -> Reply:
    schedule = await _schedule(ctx)
    if schedule.paused:
        return Reply.private_text("The daily question is already paused here.")
    schedule.paused = True
    schedule.updated_at = ctx.now
    ctx.later(ctx.services.schedule_changed)
    return Reply.private_text(
        "Paused: no new questions until `/daily resume`. Open questions still close and get "
        "reviewed as planned."
    )


async def resume(ctx: Context) -> Reply:
    schedule = await _schedule(ctx)
    if not schedule.paused:
        return Reply.private_text("The daily question is running already.")
    schedule.paused = False
    schedule.active_since = ctx.now  # days missed while paused are not made up
    schedule.updated_at = ctx.now
    ctx.later(ctx.services.schedule_changed)
    upcoming = next_slot(schedule.post_time, schedule.timezone, schedule.days, ctx.now)
    when = show_local(upcoming.at, schedule.timezone) if upcoming else "never (no days set)"
    return Reply.private_text(f"Resumed. The next question comes {when}.")


async def _schedule(ctx: Context) -> DailySchedule:
    schedule = await queries.schedule_of(ctx.session, ctx.channel.id) if ctx.channel else None
    if schedule is None:
        raise UserError("This channel has no daily question. Start one with `/daily setup`.")
    return schedule


def _complete_list(prefix: str, known: Iterable[str]) -> list[str]:
    """Complete the last item of a comma-separated list ('math,prob' -> 'math,probability')."""
    head, _, last = prefix.rpartition(",")
    lead = f"{head}," if head else ""
    chosen = {part.strip() for part in head.split(",") if part.strip()}
    last = last.strip().lower()
    return [lead + name for name in sorted(known) if last in name and name not in chosen]


async def suggest_topics(_services: Services, prefix: str, _workspace: str) -> list[str]:
    return _complete_list(prefix, TOPICS)[:25]


async def suggest_packs(services: Services, prefix: str, workspace: str) -> list[str]:
    workspace_id = int(workspace) if workspace.isdigit() else None
    return _complete_list(prefix, services.packs.packs_for(workspace_id))[:25]
