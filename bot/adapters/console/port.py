"""The console's chat port: prints what the bot sends and remembers it for `!press`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import count
from pathlib import Path

from bot.adapters.console.render import message_lines
from bot.core.ids import ChannelRef, MessageRef, Platform, ThreadRef, UserRef, WorkspaceRef
from bot.core.ui import Message

WORKSPACE = WorkspaceRef(Platform.CONSOLE, "console", "Console")
STUDY = ChannelRef(WORKSPACE, "study", "study")


@dataclass
class Shown:
    """A message on screen: where, for whom (None: everyone in that place), what."""

    ref: MessageRef | None
    message: Message
    visible_to: str | None
    at: datetime


class ConsolePort:
    """ChatPort that writes lines; ids are run-unique so they never clash across runs."""

    platform = Platform.CONSOLE

    def __init__(
        self,
        write: Callable[[str], None],
        images_dir: Path,
        run_id: str,
        now: Callable[[], datetime],
    ) -> None:
        self._write = write
        self._images = images_dir
        self._ids = count(1)
        self._run = run_id
        self._now = now
        self.shown: list[Shown] = []
        self.threads: dict[str, ThreadRef] = {}
        self.spaces: dict[str, str] = {}
        self.latest_thread: ThreadRef | None = None

    def new_id(self, kind: str = "m") -> str:
        return f"{kind}{self._run}.{next(self._ids)}"

    def where(self, channel: ChannelRef, thread: ThreadRef | None = None) -> str:
        if channel.id.startswith("dm-"):
            return f"[DM {channel.id.removeprefix('dm-')}]"
        if channel.id in self.spaces:
            return f"[private {self.spaces[channel.id]}]"
        name = channel.name or channel.id
        return f"[#{name} thread]" if thread is not None else f"[#{name}]"

    def show(self, where: str, message: Message, ref: MessageRef | None, to: str | None) -> None:
        image_path = None
        if message.image is not None:
            self._images.mkdir(parents=True, exist_ok=True)
            path = self._images / f"{self.new_id('img')}-{message.image.filename}"
            path.write_bytes(message.image.data)
            image_path = str(path)
        for line in message_lines(where, message, image_path):
            self._write(line)
        self.shown.append(Shown(ref, message, to, self._now()))

    async def post(
        self, channel: ChannelRef, message: Message, *, thread: ThreadRef | None = None
    ) -> MessageRef:
        ref = MessageRef(channel, self.new_id(), thread)
        self.show(self.where(channel, thread), message, ref, None)
        return ref

    async def open_thread(self, parent: MessageRef, name: str) -> ThreadRef:
        thread = ThreadRef(parent.channel, parent.id)
        self.threads[parent.id] = thread
        self.latest_thread = thread
        return thread

    async def send_dm(self, user: UserRef, message: Message) -> MessageRef:
        ref = MessageRef(self._dm(user), self.new_id())
        self.show(f"[DM {user.id}]", message, ref, user.id)
        return ref

    @staticmethod
    def _dm(user: UserRef) -> ChannelRef:
        return ChannelRef(WORKSPACE, f"dm-{user.id}", f"dm-{user.id}")

    async def open_private_space(
        self, channel: ChannelRef, users: list[UserRef], name: str
    ) -> ThreadRef | ChannelRef:
        space = ChannelRef(WORKSPACE, self.new_id("p"), name)
        self.spaces[space.id] = ", ".join(u.id for u in users)
        return space

    async def send_private(self, channel: ChannelRef, user: UserRef, message: Message) -> None:
        self.show(f"[only {user.id}]", message, None, user.id)

    async def update(self, ref: MessageRef, message: Message) -> None:
        for shown in self.shown:
            if shown.ref == ref:
                shown.message = message
        self.show(self.where(ref.channel, ref.thread) + " (edited)", message, None, None)

    async def delete(self, ref: MessageRef) -> None:
        self.shown = [s for s in self.shown if s.ref != ref]

    async def react(self, ref: MessageRef, emoji: str) -> None:
        self._write(f"{self.where(ref.channel, ref.thread)} (reaction :{emoji}:)")

    async def find_post(
        self, channel: ChannelRef, marker: str, since: datetime, *, thread: ThreadRef | None = None
    ) -> MessageRef | None:
        # What this run showed: a console that crashed took its screen with it.
        for shown in reversed(self.shown):
            ref = shown.ref
            if ref and ref.channel == channel and ref.thread == thread and (
                shown.message.marker == marker
            ):
                return ref
        return None

    async def find_dm(self, user: UserRef, marker: str, since: datetime) -> MessageRef | None:
        return await self.find_post(self._dm(user), marker, since)
