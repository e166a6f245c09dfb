"""The chat port: the neutral verbs the core uses towards a platform.

Each adapter (console, Discord, Slack) implements `ChatPort`. Replies to the member who acted
are not sent through it: handlers return a `Reply` and the adapter answers the interaction.
The port is for everything else: channel posts, thread replies, DMs, private spaces, edits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.ids import ChannelRef, MessageRef, Platform, ThreadRef, UserRef
from bot.core.ui import Message


class ChannelGone(Exception):
    """The channel or message no longer exists or the bot lost access to it."""


class ChatPort(Protocol):
    """Outbound verbs every platform adapter implements."""

    platform: Platform

    async def post(
        self, channel: ChannelRef, message: Message, *, thread: ThreadRef | None = None
    ) -> MessageRef:
        """Post in a channel, or inside `thread`. `message.marker` makes the post findable."""
        ...

    async def open_thread(self, parent: MessageRef, name: str) -> ThreadRef:
        """Open a public thread under a message (Slack: the message's own thread)."""
        ...

    async def send_dm(self, user: UserRef, message: Message) -> MessageRef:
        """Send a direct message to one member."""
        ...

    async def open_private_space(
        self, channel: ChannelRef, users: list[UserRef], name: str
    ) -> ThreadRef | ChannelRef:
        """A place only `users` (and the bot) see: Discord private thread, Slack group DM."""
        ...

    async def send_private(self, channel: ChannelRef, user: UserRef, message: Message) -> None:
        """Show a message to one member only, outside an interaction (ephemeral or DM)."""
        ...

    async def update(self, ref: MessageRef, message: Message) -> None:
        """Replace a message the bot posted."""
        ...

    async def delete(self, ref: MessageRef) -> None:
        """Delete a message the bot posted."""
        ...

    async def react(self, ref: MessageRef, emoji: str) -> None:
        """Add a reaction (an emoji name such as `white_check_mark`)."""
        ...

    async def find_post(
        self, channel: ChannelRef, marker: str, since: datetime, *, thread: ThreadRef | None = None
    ) -> MessageRef | None:
        """Find the bot's own post carrying `marker` since a time (crash reconciliation),
        in the channel itself or, given `thread`, among that thread's replies."""
        ...

    async def find_dm(self, user: UserRef, marker: str, since: datetime) -> MessageRef | None:
        """Find the bot's own direct message to `user` carrying `marker` since a time."""
        ...


class NullChat:
    """A chat port that sends nowhere and answers like a platform (ids, threads).

    Benchmarks use it to measure the core without any platform; it counts posts and DMs."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.posts = 0

    async def post(
        self, channel: ChannelRef, message: Message, *, thread: ThreadRef | None = None
    ) -> MessageRef:
        self.posts += 1
        return MessageRef(channel, f"m{self.posts}", thread)

    async def open_thread(self, parent: MessageRef, name: str) -> ThreadRef:
        return ThreadRef(parent.channel, parent.id)

    async def send_dm(self, user: UserRef, message: Message) -> MessageRef:
        self.posts += 1
        return MessageRef(ChannelRef(user.workspace, f"dm-{user.id}"), f"m{self.posts}")

    async def open_private_space(
        self, channel: ChannelRef, users: list[UserRef], name: str
    ) -> ThreadRef | ChannelRef:
        return channel

    async def send_private(self, channel: ChannelRef, user: UserRef, message: Message) -> None:
        return None

    async def update(self, ref: MessageRef, message: Message) -> None:
        return None

    async def delete(self, ref: MessageRef) -> None:
        return None

    async def react(self, ref: MessageRef, emoji: str) -> None:
        return None

    async def find_post(
        self, channel: ChannelRef, marker: str, since: datetime, *, thread: ThreadRef | None = None
    ) -> MessageRef | None:
        return None

    async def find_dm(self, user: UserRef, marker: str, since: datetime) -> MessageRef | None:
        return None
