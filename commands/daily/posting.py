"""Posting the question: choose it, claim the slot, send, open the thread, confirm.

The claim (a `daily_posts` row, unique per channel and slot) is committed before anything is
sent. The question is chosen at claim time, so a retry after a crash posts the same one.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Context, Services
from bot.core.errors import UserError
from bot.core.ids import MessageRef, Platform
from bot.core.markers import first_claimed, new_marker
from bot.core.ui import Reply
from bot.packs.plan import plan_week
from bot.packs.schema import Question
from bot.packs.selection import choose, pool_for
from bot.store.tables import Channel
from bot.store.upsert import insert_once
from commands.daily import queries, views
from commands.daily.tables import DailyPost, DailySchedule
from commands.daily.timing import local_date, local_slot, parse_time

log = logging.getLogger(__name__)


def channel_pool(services: Services, schedule: DailySchedule) -> list[Question]:
    """The questions this channel may be asked (its packs and topics, or everything)."""
    workspace_id = schedule.workspace_id
    return pool_for(
        services.packs.questions(workspace_id),
        packs=schedule.packs or None,
        pack_of=services.packs.pack_of(workspace_id),
        topics=schedule.topics or None,
    )


async def pick_question(
    session: AsyncSession, services: Services, schedule: DailySchedule, day: date
) -> Question | None:
    """The next question: the plan's topics of the week unless the channel chose its own."""
    pool = channel_pool(services, schedule)
    asked = await queries.asked_in_cycle(session, schedule.channel_id, schedule.cycle)
    preferred: tuple[str, ...] = ()
    if not schedule.packs and not schedule.topics:
        preferred = plan_week(schedule.plan_start, day).topics
    pick = choose(
        pool,
        asked,
        preferred_topics=preferred,
        recent_difficulties=await queries.recent_difficulties(session, schedule.channel_id),
        seed=f"{schedule.channel_id}:{schedule.cycle}",
    )
    if pick is None:
        return None
    if pick.new_cycle:
        schedule.cycle += 1
    return pick.question


async def claim_post(
    session: AsyncSession,
    services: Services,
    schedule: DailySchedule,
    slot: str | None,
    now: datetime,
) -> DailyPost | None:
    """Claim a post (a scheduled slot, or the next `now-<number>`); None if it is taken."""
    day = local_date(now, schedule.timezone)
    question = await pick_question(session, services, schedule, day)
    if question is None:
        log.warning("channel %s has no questions in its pool", schedule.channel_id)
        return None
    closes_at = now + timedelta(hours=schedule.window_hours)
    for _attempt in range(3):
        number = await queries.next_number(session, schedule.channel_id)
        key = slot or f"now-{number}"
        inserted = await insert_once(
            session,
            DailyPost,
            {
                "channel_id": schedule.channel_id,
                "slot": key,
                "number": number,
                "local_date": day,
                "question_id": question.id,
                "topic": question.topic,
                "difficulty": question.difficulty,
                "cycle": schedule.cycle,
                "reveal": schedule.reveal,
                "quorum": schedule.quorum,
                "reviews_first": schedule.reviews_first,
                "marker": new_marker(now),
                "claimed_at": now,
                "closes_at": closes_at,
                "review_ends_at": closes_at + timedelta(hours=schedule.review_hours),
            },
        )
        post = await queries.post_by_slot(session, schedule.channel_id, key)
        if inserted:
            return post
        if post is not None:
            return None  # the slot is claimed already: by an earlier run or another instance
        # Another post took this number at the same moment: count again.
    return None


async def run_slot(services: Services, schedule_id: int, day: date, at: datetime) -> None:
    """Scheduled work: claim the (channel, local date) slot if it still holds, then post."""
    now = services.clock.now()
    async with services.store.session() as session:
        schedule = await session.get(DailySchedule, schedule_id)
        if schedule is None or schedule.paused or str(day.weekday()) not in schedule.days:
            return
        if local_slot(day, parse_time(schedule.post_time), ZoneInfo(schedule.timezone)) != at:
            return  # the schedule changed since this was found due
        post = await claim_post(session, services, schedule, day.isoformat(), now)
        if post is None:
            return
        post_id = post.id
    await deliver(services, post_id)


async def retry_post(services: Services, post_id: int, claimed_at: datetime) -> None:
    """A claim that was never confirmed: take it over, look for the post, then finish."""
    async with services.store.session() as session:
        taken = await queries.claim_phase(
            session, post_id, "claimed_at", claimed_at, services.clock.now(),
            DailyPost.posted_at.is_(None),
        )
    if taken:
        await deliver(services, post_id, since=claimed_at)


async def deliver(services: Services, post_id: int, since: datetime | None = None) -> None:
    """Send the claimed question, open its thread and confirm each step as it happens."""
    async with services.store.session() as session:
        place = await queries.place_of(session, post_id)
    if place is None or place.post.posted_at is not None:
        return
    post = place.post
    port = services.chat(place.platform)
    channel = place.channel_ref
    ref: MessageRef | None = None
    if post.message_id is not None:
        ref = MessageRef(channel, post.message_id)
    elif since is not None:
        # From the first claim: `since` is the claim this run took over, maybe itself a retry.
        ref = await port.find_post(channel, post.marker, first_claimed(post.marker, since))
    if ref is None:
        question = services.packs.question(place.workspace.id, post.question_id)
        if question is None:  # maybe imported through another instance a moment ago
            await services.packs.load_imported(services.store)
            question = services.packs.question(place.workspace.id, post.question_id)
        late = post.closes_at <= services.clock.now()
        if question is None or late:
            # Never retried forever: a question removed from the packs cannot be asked, and
            # one whose answer window closed while the bot was down helps nobody any more.
            why = "its question is gone from the packs" if question is None else \
                "its answer window closed before it could be posted"
            log.warning("daily post %s of channel %s given up: %s", post.id, channel.id, why)
            async with services.store.session() as session:
                now = services.clock.now()
                await queries.set_post(session, post.id, closed_at=now, reviewed_at=now)
            return
        # Discord delivers thread text only with the message-content intent.
        readable = place.platform is not Platform.DISCORD or bool(
            services.settings.discord_message_content
        )
        message = views.question_message(post, question, place.channel.timezone, readable)
        message.marker = post.marker
        ref = await port.post(channel, message)
    async with services.store.session() as session:
        await queries.set_post(session, post.id, message_id=ref.id)
    thread = await port.open_thread(ref, views.thread_name(post))
    async with services.store.session() as session:
        await queries.set_post(
            session, post.id, thread_id=thread.id, posted_at=services.clock.now()
        )


async def post_now(ctx: Context) -> Reply:
    """/daily now: post the next question at once, under its own claim key."""
    channel = _channel(ctx)
    schedule = await queries.schedule_of(ctx.session, channel.id)
    if schedule is None:
        raise UserError("This channel has no daily question yet. Set it up with `/daily setup`.")
    post = await claim_post(ctx.session, ctx.services, schedule, None, ctx.now)
    if post is None:
        raise UserError(
            "I found no question to ask: the channel's packs and topics have no questions. "
            "Check them with `/daily status`."
        )
    post_id = post.id
    services = ctx.services

    async def send() -> None:
        await deliver(services, post_id)

    ctx.later(send)
    return Reply.private_text(f"Posting daily question #{post.number} now.")


def _channel(ctx: Context) -> Channel:
    if ctx.channel is None:
        raise UserError("Use this command in the channel where the daily question runs.")
    return ctx.channel
