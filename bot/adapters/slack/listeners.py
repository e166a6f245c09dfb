"""Bolt listeners: ack first, then translate, dispatch and render, in this process.

Every listener acks before anything else: Slack waits 3 seconds and then retries (events) or
shows the member an error (commands). With bolt's default `process_before_response=False`, the
code after `await ack()` already runs after the ack has been sent, so no lazy listeners are
needed. Errors after the ack are caught here, logged and answered with an apology.
A form submitted with a file (a file input) has the file downloaded after the ack and before
the dispatch; a file that cannot be had is answered with a polite refusal, nothing dispatched.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.adapters.slack import inbound
from bot.adapters.slack.files import download
from bot.adapters.slack.inbound import Origin, Payload, Who
from bot.adapters.slack.outbound import SlackPort
from bot.adapters.slack.replies import Responder
from bot.adapters.slack.users import UserDirectory
from bot.core.dispatch import SORRY, Dispatcher
from bot.core.errors import UserError
from bot.core.events import FormSubmitted, Inbound
from bot.core.ids import UserRef
from bot.core.ui import Message, Reply

log = logging.getLogger(__name__)

Build = Callable[[UserRef], Inbound | None]
Load = Callable[[Inbound], Awaitable[Inbound]]


class Inflight:
    """Counts listener runs still working after their ack (for `idle()` and shutdown)."""

    def __init__(self) -> None:
        self.active = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextmanager
    def track(self) -> Iterator[None]:
        self.active += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.active -= 1
            if self.active == 0:
                self._idle.set()

    async def wait(self) -> None:
        await self._idle.wait()


class Listeners:
    """Registers one bolt listener per kind of payload and runs each through the dispatcher."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        directory: UserDirectory,
        port: SlackPort,
        responder: Responder,
    ) -> None:
        self.dispatcher = dispatcher
        self.directory = directory
        self.port = port
        self.responder = responder
        self.inflight = Inflight()

    def register(self, app: AsyncApp) -> None:
        # Any command name: the manifest declares /studybot; a dev copy may rename it.
        app.command(re.compile(r"^/"))(self.on_command)
        app.action(re.compile(".*"))(self.on_action)
        app.view(re.compile(".*"))(self.on_view_submission)
        app.event("message")(self.on_message)
        app.event("reaction_added")(self.on_reaction)
        app.event("app_home_opened")(self.on_home)
        # Anything else subscribed but unhandled would get HTTP 404, which Slack retries.
        app.event(re.compile(".*"))(self.on_other_event)

    # --- listeners (bolt injects arguments by these parameter names) -----------------------

    async def on_command(self, ack: AsyncAck, body: Payload) -> None:
        with self.inflight.track():
            await ack()
            await self._run(
                inbound.command_who(body),
                inbound.command_origin(body),
                lambda actor: inbound.command_event(body, actor),
            )

    async def on_action(self, ack: AsyncAck, body: Payload) -> None:
        with self.inflight.track():
            await ack()
            if not body.get("actions"):
                return
            await self._run(
                inbound.interaction_who(body),
                inbound.action_origin(body),
                lambda actor: inbound.action_event(body, actor),
            )

    async def on_view_submission(self, ack: AsyncAck, body: Payload) -> None:
        with self.inflight.track():
            await ack()  # an empty ack closes the modal
            origin, _ = inbound.submission_origin(body)
            files = inbound.submission_files(body)
            await self._run(
                inbound.interaction_who(body),
                origin,
                lambda actor: inbound.submission_event(body, actor),
                load=self._with_file(files[0]) if files else None,
            )

    def _with_file(self, file: Payload) -> Load:
        """Adds the downloaded file to the submission (the form's file input takes one)."""

        async def load(event: Inbound) -> Inbound:
            assert isinstance(event, FormSubmitted)
            data, name = await download(self.port.client, file)
            return dataclasses.replace(event, attachment=data, attachment_name=name)

        return load

    async def on_message(self, ack: AsyncAck, body: Payload) -> None:
        with self.inflight.track():
            await ack()
            event = body.get("event") or {}
            who = inbound.event_who(body)
            if who is None or not inbound.is_member_message(event, self.port.bot_user_id):
                return
            thread_ts = event.get("thread_ts")
            origin = Origin(
                user_id=who.user_id,
                channel=event.get("channel"),
                # Replies to a DM stay in the DM; replies to a thread message stay in the thread.
                thread_ts=thread_ts if thread_ts and thread_ts != event.get("ts") else None,
            )
            await self._run(who, origin, lambda actor: inbound.message_event(body, actor))

    async def on_reaction(self, ack: AsyncAck, body: Payload) -> None:
        with self.inflight.track():
            await ack()
            who = inbound.event_who(body)
            if who is None or who.user_id == self.port.bot_user_id:
                return
            item = (body.get("event") or {}).get("item") or {}
            origin = Origin(user_id=who.user_id, channel=item.get("channel"))
            await self._run(who, origin, lambda actor: inbound.reaction_event(body, actor))

    async def on_home(self, ack: AsyncAck, body: Payload) -> None:
        with self.inflight.track():
            await ack()
            who = inbound.event_who(body)
            if who is None:
                return
            try:
                actor = await self.directory.actor(who)
                event = inbound.home_event(body, actor)
                if event is None:
                    return
                reply = await self.dispatcher.handle(event)
                if reply is not None:  # None: a redelivery already published the tab
                    await self.responder.publish_home(who.user_id, reply)
            except Exception:
                self.dispatcher.metrics.errors.labels("slack").inc()
                log.exception("App Home for %s failed", who.user_id)

    async def on_other_event(self, ack: AsyncAck, body: Payload) -> None:
        await ack()
        log.debug("ignored event %s", (body.get("event") or {}).get("type"))

    # --- the shared path ---------------------------------------------------------------------

    async def _run(self, who: Who, origin: Origin, build: Build, load: Load | None = None) -> None:
        workspace = self.directory.workspace(who.team_id)
        try:
            actor = await self.directory.actor(who)
            try:
                event = build(actor)
                if event is not None and load is not None:
                    event = await load(event)
            except UserError as exc:  # unreadable text, an unusable file: nothing to dispatch
                reply: Reply | None = Reply.private_text(str(exc))
            else:
                if event is None:
                    return
                reply = await self.dispatcher.handle(event)
            await self.responder.deliver(reply, origin, workspace)
        except Exception:
            self.dispatcher.metrics.errors.labels("slack").inc()
            log.exception("handling a Slack payload failed (user %s)", who.user_id)
            await _quietly(self.responder.private(Message(text=SORRY), origin, workspace))


async def _quietly(work: Awaitable[Any]) -> None:
    try:
        await work
    except Exception:
        log.exception("could not tell the member that something failed")
