"""The console session: you are a member of #study; lines are commands, messages or `!` moves.

Syntax (kept stable; README and `!help` document it):
  /command words name:value name:"two words"   a slash command
  any other line                               a message where you are (channel or thread)
  !as NAME [--admin]   act as member NAME      !press LABEL   press a button
  !choose LABEL        pick a select option    !thread / !channel  where messages go
  !time +25h | +30m | +2d | 2026-12-01T09:00   move the clock; due work runs in order
  !cancel              drop an open form       !help          this list
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Protocol

from bot.adapters.console.port import STUDY, WORKSPACE, ConsolePort
from bot.adapters.console.render import form_lines, message_lines
from bot.core.commandline import split_line
from bot.core.errors import UserError
from bot.core.events import ActionPressed, CommandInvoked, FormSubmitted, Inbound, MessagePosted
from bot.core.ids import ChannelRef, MessageRef, UserRef
from bot.core.ui import Form, Reply

HELP = __doc__.split("Syntax (kept stable; README and `!help` document it):\n", 1)[1].rstrip()
_DELTA = re.compile(r"^\+(\d+(?:\.\d+)?)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass
class _PendingForm:
    form: Form
    answers: list[str] = field(default_factory=list)
    channel: ChannelRef | None = None


class ConsoleSession:
    """Turns console lines into neutral events and shows the replies."""

    def __init__(
        self,
        app: ConsoleApp,
        port: ConsolePort,
        write: Callable[[str], None],
        admins: set[str],
    ) -> None:
        self.app = app
        self.port = port
        self.write = write
        self.admins = admins | {"you"}
        self.user = "you"
        self.in_thread = False
        self.pending: _PendingForm | None = None
        self._seq = count(1)
        self._run = port.new_id("r")

    @property
    def actor(self) -> UserRef:
        return UserRef(WORKSPACE, self.user, self.user, is_admin=self.user in self.admins)

    def prompt(self) -> str:
        where = "thread" if self.in_thread else "#study"
        return f"{self.user} ({where})> "

    def _delivery(self) -> str:
        return f"console:{self._run}:{next(self._seq)}"

    async def feed(self, line: str) -> None:
        """Handle one input line."""
        line = line.rstrip("\n")
        if self.pending is not None and not line.startswith("!cancel"):
            await self._form_line(line)
            return
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            return
        try:
            if stripped.startswith("!"):
                await self._playground(stripped)
            elif stripped.startswith("/"):
                await self._command(stripped)
            else:
                await self._message(stripped)
        except UserError as exc:
            self.write(f"[only {self.user}] {exc}")
        await self.app.settle()

    async def _command(self, line: str) -> None:
        parsed = split_line(line)
        if not parsed.words:
            raise UserError("Type a command after the slash, e.g. /help.")
        thread = self.port.latest_thread if self.in_thread else None
        event = CommandInvoked(
            delivery_id=self._delivery(),
            actor=self.actor,
            channel=STUDY,
            name=" ".join(parsed.words),
            args=dict(parsed.options),
            thread=thread,
        )
        await self._dispatch(event, STUDY)

    async def _message(self, text: str) -> None:
        thread = self.port.latest_thread if self.in_thread else None
        ref = MessageRef(STUDY, self.port.new_id(), thread)
        where = self.port.where(STUDY, thread)
        self.write(f"{where} {self.user}: {text}")
        event = MessagePosted(
            delivery_id=self._delivery(), actor=self.actor, channel=STUDY, text=text, message=ref
        )
        await self._dispatch(event, STUDY)

    async def _dispatch(self, event: Inbound, channel: ChannelRef) -> None:
        reply = await self.app.dispatch(event)
        if reply is not None:
            self.show_reply(reply, channel, event)

    def show_reply(self, reply: Reply, channel: ChannelRef, event: Inbound) -> None:
        if reply.form is not None:
            self.pending = _PendingForm(reply.form, channel=channel)
            for line in form_lines(f"[only {self.user}]", reply.form):
                self.write(line)
            self.write(f"[only {self.user}]   {reply.form.fields[0].label}:")
            return
        if reply.message is None:
            return
        if reply.private:
            self.port.show(f"[only {self.user}]", reply.message, None, self.user)
            return
        thread = None
        if isinstance(event, CommandInvoked):
            thread = event.thread
        elif isinstance(event, ActionPressed) and event.message is not None:
            thread = event.message.thread
        if reply.edit and isinstance(event, ActionPressed) and event.message is not None:
            for shown in self.port.shown:
                if shown.ref == event.message:
                    shown.message = reply.message
            where = self.port.where(event.message.channel, event.message.thread) + " (edited)"
            for line in message_lines(where, reply.message):
                self.write(line)
            return
        ref = MessageRef(channel, self.port.new_id(), thread)
        self.port.show(self.port.where(channel, thread), reply.message, ref, None)

    async def _form_line(self, line: str) -> None:
        pending = self.pending
        assert pending is not None
        pending.answers.append(line)
        fields = pending.form.fields
        if len(pending.answers) < len(fields):
            self.write(f"[only {self.user}]   {fields[len(pending.answers)].label}:")
            return
        self.pending = None
        event = FormSubmitted(
            delivery_id=self._delivery(),
            actor=self.actor,
            channel=pending.channel,
            form_id=pending.form.form_id,
            context=pending.form.context,
            fields={f.id: a for f, a in zip(fields, pending.answers, strict=True)},
        )
        await self._dispatch(event, pending.channel or STUDY)
        await self.app.settle()

    async def _playground(self, line: str) -> None:
        verb, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        verb = verb.lower()
        if verb == "help":
            for text in HELP.splitlines():
                self.write(f"[console] {text.strip()}")
        elif verb == "as":
            await self._act_as(rest)
        elif verb in ("press", "choose"):
            await self._press(rest, select=verb == "choose")
        elif verb == "thread":
            if self.port.latest_thread is None:
                raise UserError("There is no thread yet; your messages stay in #study.")
            self.in_thread = True
            self.write("[console] your messages now go to the latest thread")
        elif verb == "channel":
            self.in_thread = False
            self.write("[console] your messages now go to #study")
        elif verb == "time":
            await self._time(rest)
        elif verb == "cancel":
            if self.pending is None:
                raise UserError("No form is open.")
            self.pending = None
            self.write("[console] form dropped")
        else:
            raise UserError(f"Unknown console command !{verb}; try !help.")

    async def _act_as(self, rest: str) -> None:
        words = rest.split()
        admin = "--admin" in words
        names = [w for w in words if w != "--admin"]
        if len(names) != 1 or not re.fullmatch(r"[A-Za-z0-9_.-]{1,32}", names[0]):
            raise UserError("Use !as NAME (letters, digits, . _ -), optionally with --admin.")
        self.user = names[0]
        if admin and self.user not in self.admins:
            self.admins.add(self.user)
            await self.app.remember_admin(self.actor)
        role = " (admin)" if self.user in self.admins else ""
        self.write(f"[console] you are now {self.user}{role}")

    async def _press(self, label: str, *, select: bool) -> None:
        if not label:
            raise UserError("Say which one, e.g. !press Answer.")
        wanted = label.lower()
        for shown in reversed(self.port.shown):
            if shown.visible_to not in (None, self.user) or not self._sees(shown.ref):
                continue
            message = shown.message
            if select and message.select is not None:
                option = next(
                    (o for o in message.select.options if o.label.lower() == wanted), None
                )
                if option is not None:
                    await self._action(message.select.action_id, (option.value,), shown.ref)
                    return
            if not select:
                button = next((b for b in message.buttons if b.label.lower() == wanted), None)
                if button is not None:
                    await self._action(button.action_id, (), shown.ref)
                    return
        kind = "option" if select else "button"
        raise UserError(f"I see no {kind} labelled `{label}`.")

    def _sees(self, ref: MessageRef | None) -> bool:
        """Members see a private space only when they are in it."""
        if ref is None or ref.channel.id not in self.port.spaces:
            return True
        return self.user in self.port.spaces[ref.channel.id].split(", ")

    async def _action(
        self, action_id: str, values: tuple[str, ...], ref: MessageRef | None
    ) -> None:
        channel = ref.channel if ref is not None else STUDY
        event = ActionPressed(
            delivery_id=self._delivery(),
            actor=self.actor,
            channel=channel,
            action_id=action_id,
            values=values,
            message=ref,
        )
        await self._dispatch(event, channel)

    async def _time(self, rest: str) -> None:
        now = self.app.now()
        match = _DELTA.match(rest)
        if match:
            amount, unit = float(match.group(1)), _UNITS[match.group(2)]
            target = now + timedelta(**{unit: amount})
        else:
            try:
                target = datetime.fromisoformat(rest)
            except ValueError:
                raise UserError("Use !time +25h, +30m, +2d or an ISO time like "
                                "2026-12-01T09:00.") from None
            if target.tzinfo is None:
                target = target.replace(tzinfo=UTC)
            if target < now:
                raise UserError("The clock only moves forward.")
        await self.app.advance(target)
        self.write(f"[console] the time is now {self.app.now():%Y-%m-%d %H:%M} UTC")


class ConsoleApp(Protocol):
    """What the console needs from the app (kept small so the session is easy to test)."""

    def now(self) -> datetime: ...

    async def dispatch(self, event: Inbound) -> Reply | None: ...

    async def settle(self) -> None: ...

    async def advance(self, target: datetime) -> None: ...

    async def remember_admin(self, user: UserRef) -> None: ...
