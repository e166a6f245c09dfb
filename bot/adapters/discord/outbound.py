"""The chat port over Discord's REST API: posts, threads, DMs, private threads, edits.

Everything goes through the Pacer (global pace, timeouts, 503 retries). Channels are addressed
by id through `get_partial_messageable`, so a sharded process can post to any guild, cached
or not. A missing channel or message, or lost access, becomes `ChannelGone`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal, TypeVar

import discord

from bot.adapters.discord.inbound import DM_WORKSPACE
from bot.adapters.discord.pacing import Pacer
from bot.adapters.discord.render import carries_marker, clip, emoji_for, render_message
from bot.core.ids import ChannelRef, MessageRef, Platform, ThreadRef, UserRef
from bot.core.ports import ChannelGone
from bot.core.ui import Message

log = logging.getLogger(__name__)

T = TypeVar("T")

THREAD_NAME_MAX = 100
# A week: answer threads stay open for the late ones.
ARCHIVE_AFTER_MINUTES: Literal[60, 1440, 4320, 10080] = 10080
HISTORY_LIMIT = 50
THREAD_EXISTS = 160004  # "A thread has already been created for this message"


class DiscordPort:
    """ChatPort for Discord."""

    platform = Platform.DISCORD

    def __init__(
        self, client: discord.Client, pacer: Pacer, posted: Callable[[], None] | None = None
    ) -> None:
        self.client = client
        self.pacer = pacer
        self._posted = posted or (lambda: None)

    async def _rest(
        self, what: str, op: Callable[[], Awaitable[T]], *, repeatable: bool = True
    ) -> T:
        try:
            return await self.pacer.call(what, op, repeatable=repeatable)
        except (discord.NotFound, discord.Forbidden) as exc:
            raise ChannelGone(f"{what}: {exc.status} {exc.text}") from exc

    def _target(self, channel: ChannelRef, thread: ThreadRef | None) -> discord.PartialMessageable:
        guild_id = None if channel.workspace == DM_WORKSPACE else int(channel.workspace.id)
        target = thread.id if thread is not None else channel.id
        return self.client.get_partial_messageable(int(target), guild_id=guild_id)

    async def post(
        self, channel: ChannelRef, message: Message, *, thread: ThreadRef | None = None
    ) -> MessageRef:
        sent = await self._send(self._target(channel, thread), message, f"post {channel.id}")
        return MessageRef(channel, str(sent.id), thread)

    async def _send(
        self, target: discord.abc.Messageable, message: Message, what: str
    ) -> discord.Message:
        # A nonce on every post makes a retry after a timeout return the first message
        # instead of posting twice (discord.py adds enforce_nonce).
        nonce_base = secrets.token_hex(12)

        async def send() -> discord.Message:
            rendered = render_message(message)  # fresh File objects for every attempt
            return await target.send(
                **rendered.send_kwargs(), nonce=rendered.nonce or nonce_base
            )

        sent = await self._rest(what, send)
        self._posted()
        return sent

    async def open_thread(self, parent: MessageRef, name: str) -> ThreadRef:
        http = self.client.http

        async def start() -> Any:
            return await http.start_thread_with_message(
                int(parent.channel.id),
                int(parent.id),
                name=clip(name, THREAD_NAME_MAX),
                auto_archive_duration=ARCHIVE_AFTER_MINUTES,
            )

        try:
            data = await self._rest(f"open thread on {parent.id}", start)
        except discord.HTTPException as exc:
            if exc.code != THREAD_EXISTS:
                raise
            # Opened before (a retry after a crash): a message's thread has the message's id.
            return ThreadRef(parent.channel, parent.id)
        return ThreadRef(parent.channel, str(data["id"]))

    async def send_dm(self, user: UserRef, message: Message) -> MessageRef:
        dm = await self._rest(
            f"open DM with {user.id}", lambda: self.client.create_dm(discord.Object(int(user.id)))
        )
        sent = await self._send(dm, message, f"DM {user.id}")
        return MessageRef(ChannelRef(DM_WORKSPACE, str(dm.id)), str(sent.id))

    async def open_private_space(
        self, channel: ChannelRef, users: list[UserRef], name: str
    ) -> ThreadRef | ChannelRef:
        """A private thread in `channel` with `users` added.

        Created invitable, so the bot (its owner, without Manage Threads) may add members."""
        http = self.client.http

        async def start() -> Any:
            return await http.start_thread_without_message(
                int(channel.id),
                name=clip(name, THREAD_NAME_MAX),
                auto_archive_duration=ARCHIVE_AFTER_MINUTES,
                type=discord.ChannelType.private_thread.value,
                invitable=True,
            )

        data = await self._rest(f"open private thread in {channel.id}", start, repeatable=False)
        thread_id = int(data["id"])
        for user in users:
            await self._rest(f"add {user.id} to {thread_id}", _adder(http, thread_id, user))
        return ThreadRef(channel, str(thread_id))

    async def send_private(self, channel: ChannelRef, user: UserRef, message: Message) -> None:
        """Outside an interaction Discord has no ephemeral messages: a DM is the private way."""
        await self.send_dm(user, message)

    async def update(self, ref: MessageRef, message: Message) -> None:
        partial = self._target(ref.channel, ref.thread).get_partial_message(int(ref.id))

        async def edit() -> Any:
            return await partial.edit(**render_message(message).edit_kwargs())

        await self._rest(f"edit {ref.id}", edit)

    async def delete(self, ref: MessageRef) -> None:
        partial = self._target(ref.channel, ref.thread).get_partial_message(int(ref.id))
        try:
            await self.pacer.call(f"delete {ref.id}", partial.delete)
        except discord.NotFound:
            return  # already gone: that is what was wanted
        except discord.Forbidden as exc:
            raise ChannelGone(f"delete {ref.id}: {exc.text}") from exc

    async def react(self, ref: MessageRef, emoji: str) -> None:
        partial = self._target(ref.channel, ref.thread).get_partial_message(int(ref.id))
        char = emoji_for(emoji)
        await self._rest(f"react {emoji} on {ref.id}", lambda: partial.add_reaction(char))

    async def find_post(
        self, channel: ChannelRef, marker: str, since: datetime, *, thread: ThreadRef | None = None
    ) -> MessageRef | None:
        """The bot's own recent post carrying `marker` (nonce, or the invisible marker)."""
        found = await self._find(self._target(channel, thread), marker, since, channel.id)
        return None if found is None else MessageRef(channel, found, thread)

    async def find_dm(self, user: UserRef, marker: str, since: datetime) -> MessageRef | None:
        dm = await self._rest(
            f"open DM with {user.id}", lambda: self.client.create_dm(discord.Object(int(user.id)))
        )
        found = await self._find(dm, marker, since, f"DM {user.id}")
        return None if found is None else MessageRef(ChannelRef(DM_WORKSPACE, str(dm.id)), found)

    async def _find(
        self, target: discord.abc.Messageable, marker: str, since: datetime, what: str
    ) -> str | None:
        me = self.client.user.id if self.client.user else None
        nonce = render_message(Message(marker=marker)).nonce

        async def recent() -> list[discord.Message]:
            after = discord.Object(discord.utils.time_snowflake(since, high=False))
            return [m async for m in target.history(limit=HISTORY_LIMIT, after=after)]

        for found in await self._rest(f"history of {what}", recent):
            if found.author.id != me:
                continue
            texts = [found.content] + [
                part
                for embed in found.embeds
                for part in (embed.description or "", embed.footer.text or "")
            ]
            if found.nonce == nonce or any(carries_marker(t, marker) for t in texts):
                return str(found.id)
        return None


def _adder(http: Any, thread_id: int, user: UserRef) -> Callable[[], Awaitable[None]]:
    async def add() -> None:
        await http.add_user_to_thread(thread_id, int(user.id))

    return add
