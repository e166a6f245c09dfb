"""Sending what a committed quiz step shows: race posts in the channel, private messages.

Runs after the transaction committed (ctx.later or the deadline job). A race question is
claimed first (opened in the database), then posted through the outbox, then confirmed: its
message id is stored so the post can be closed (edited) later. A failed send never undoes the
quiz's state: the question simply runs out of time and the quiz moves on.
"""

from __future__ import annotations

import logging

from bot.core.context import Services
from bot.core.ids import ChannelRef, MessageRef, Platform, UserRef, WorkspaceRef
from bot.core.outbox import post_once
from bot.core.ports import ChannelGone, ChatPort
from bot.core.ui import Message
from bot.store.tables import Account, Channel, Workspace
from commands.quiz import queries
from commands.quiz import session as quiz_session
from commands.quiz.session import Step

log = logging.getLogger(__name__)


def refs(
    workspace: Workspace, channel: Channel | None, account: Account
) -> tuple[Platform, ChannelRef | None, UserRef]:
    """Neutral references rebuilt from stored rows (scheduled work has no inbound event)."""
    ws = WorkspaceRef(Platform(workspace.platform), workspace.external_id, workspace.name)
    where = ChannelRef(ws, channel.external_id, channel.name) if channel is not None else None
    return ws.platform, where, UserRef(ws, account.external_id, account.display_name)


def _chat(services: Services, platform: Platform) -> ChatPort | None:
    try:
        return services.chat(platform)
    except KeyError:
        log.warning("no %s adapter is running; a quiz message was not sent", platform)
        return None


async def race(services: Services, platform: Platform, channel: ChannelRef, step: Step) -> None:
    """Close the finished question's post, then post the next question or the final board."""
    chat = _chat(services, platform)
    if chat is None:
        return
    for message_id, closed in step.edits:
        try:
            await chat.update(MessageRef(channel, message_id), closed)
        except ChannelGone:
            log.info("race post %s is gone; not closing it", message_id)
    # Through the outbox: a platform retry after a lost answer finds the post by its marker
    # instead of showing the question (or the final board) twice.
    try:
        if step.next is not None and step.next_row_id is not None:
            key = f"quiz:{step.quiz.id}:question:{step.next_row_id}"
            ref = await post_once(services, key, channel, step.next)
            if ref is not None:
                async with services.store.session() as db:
                    await queries.set_message_id(db, step.next_row_id, ref.id)
        for number, page in enumerate(step.pages):
            await post_once(services, f"quiz:{step.quiz.id}:board:{number}", channel, page)
    except ChannelGone:
        log.warning("race channel %s is gone; the race will run out of time", channel.id)


async def private(
    services: Services,
    platform: Platform,
    channel: ChannelRef | None,
    user: UserRef,
    messages: list[Message],
) -> None:
    """Messages only the member sees (a solo quiz moving on without a press of theirs)."""
    chat = _chat(services, platform)
    if chat is None:
        return
    try:
        for message in messages:
            if channel is not None:
                await chat.send_private(channel, user, message)
            else:
                await chat.send_dm(user, message)
    except ChannelGone:
        log.info("could not reach %s privately; their quiz goes on without them", user.id)


async def run_timeout(services: Services, row_id: int) -> None:
    """The deadline job's work: close the question in the database, then show the result."""
    async with services.store.session() as db:
        step = await quiz_session.time_out(db, services, row_id)
        if step is None:
            return
        workspace, channel, account, _person = await queries.places(db, step.quiz)
    platform, where, user = refs(workspace, channel, account)
    if step.quiz.mode == "race":
        if where is not None:
            await race(services, platform, where, step)
        return
    await private(services, platform, where, user, [step.next] if step.next else step.pages)
