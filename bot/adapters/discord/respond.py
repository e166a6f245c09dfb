"""Answering interactions within Discord's 3 seconds.

The dispatcher gets `defer_after` seconds (2 by default). If it is slower, the interaction is
deferred (privately, unless the command is declared public) and the reply follows up through
the interaction's webhook (valid 15 minutes). Where the handler may answer with a form
(`opens_form`), nothing is deferred: a modal must be the first response.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from enum import Enum

import discord

from bot.adapters.discord.inbound import interaction_delivery
from bot.adapters.discord.render import render_form, render_message
from bot.core.dispatch import Dispatcher
from bot.core.errors import UserError
from bot.core.events import Inbound
from bot.core.ui import Message, Reply

log = logging.getLogger(__name__)

FORM_AFTER_DEFER = "That form could not open here; please try again."
ANSWER_TIMEOUT = 30.0  # one REST call of the answer; a follow-up token lives 15 minutes

Prepare = Callable[[], Awaitable[Inbound]]


class Deferred(Enum):
    """How an interaction was deferred (which decides how the reply follows)."""

    UPDATE = "update"  # a component: silent ack; @original is the pressed message
    PRIVATE = "private"  # "thinking…" visible to the actor only
    PUBLIC = "public"  # "thinking…" in the channel


class Deliveries:
    """Which deliveries this adapter has finished; lets tests and shutdown wait for them."""

    def __init__(self, keep: int = 2000) -> None:
        self._done: OrderedDict[str, int] = OrderedDict()
        self._waiters: dict[str, list[tuple[int, asyncio.Event]]] = {}
        self._keep = keep
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def begin(self) -> None:
        self._busy += 1
        self._idle.clear()

    def finish(self, delivery_id: str) -> None:
        self._busy -= 1
        if self._busy == 0:
            self._idle.set()
        times = self._done.pop(delivery_id, 0) + 1
        self._done[delivery_id] = times
        while len(self._done) > self._keep:
            self._done.popitem(last=False)
        waiting = self._waiters.pop(delivery_id, [])
        for wanted, event in waiting:
            if times >= wanted:
                event.set()
        still = [(wanted, event) for wanted, event in waiting if not event.is_set()]
        if still:
            self._waiters[delivery_id] = still

    async def wait(self, delivery_id: str, times: int = 1) -> None:
        """Until `delivery_id` has been handled (and answered) `times` times (a redelivery
        counts again, even though the dispatcher drops it)."""
        if self._done.get(delivery_id, 0) >= times:
            return
        event = asyncio.Event()
        self._waiters.setdefault(delivery_id, []).append((times, event))
        await event.wait()

    async def idle(self) -> None:
        await self._idle.wait()


class Responder:
    """Runs one interaction through the dispatcher and answers it."""

    def __init__(self, dispatcher: Dispatcher, deliveries: Deliveries, defer_after: float) -> None:
        self.dispatcher = dispatcher
        self.deliveries = deliveries
        self.defer_after = defer_after

    async def answer(
        self,
        interaction: discord.Interaction,
        event: Inbound,
        *,
        public: bool = False,
        opens_form: bool = False,
        prepare: Prepare | None = None,
    ) -> None:
        """Dispatch `event` and answer. `prepare`, when given, builds the event to dispatch
        (an upload to download first); it counts toward the time before deferring, and a
        UserError from it is the answer."""
        self.deliveries.begin()
        try:
            await self._answer(
                interaction, event, public=public, opens_form=opens_form, prepare=prepare
            )
        except discord.HTTPException as exc:
            log.warning("answering %s failed: %s %s", event.delivery_id, exc.status, exc.text)
        except Exception:
            log.exception("answering %s failed", event.delivery_id)
        finally:
            self.deliveries.finish(interaction_delivery(interaction.id))

    async def _answer(
        self,
        interaction: discord.Interaction,
        event: Inbound,
        *,
        public: bool,
        opens_form: bool,
        prepare: Prepare | None,
    ) -> None:
        work = asyncio.ensure_future(self._handle(event, prepare))
        deferred: Deferred | None = None
        if not opens_form:
            # asyncio.wait leaves the handler running when the time is up: it is not cancelled.
            done, _ = await asyncio.wait({work}, timeout=self.defer_after)
            if not done:
                deferred = await self._defer(interaction, public)
        reply = await work
        async with asyncio.timeout(ANSWER_TIMEOUT):
            await self._deliver(interaction, reply, deferred)

    async def _handle(self, event: Inbound, prepare: Prepare | None) -> Reply | None:
        if prepare is not None:
            try:
                event = await prepare()
            except UserError as exc:
                return Reply.private_text(str(exc))
        return await self.dispatcher.handle(event)

    async def _defer(self, interaction: discord.Interaction, public: bool) -> Deferred:
        kind = interaction.type
        if kind is discord.InteractionType.component or (
            kind is discord.InteractionType.modal_submit and interaction.message is not None
        ):
            await interaction.response.defer()
            return Deferred.UPDATE
        await interaction.response.defer(ephemeral=not public, thinking=True)
        return Deferred.PUBLIC if public else Deferred.PRIVATE

    async def _deliver(
        self, interaction: discord.Interaction, reply: Reply | None, deferred: Deferred | None
    ) -> None:
        response = interaction.response
        if reply is None:
            # A duplicate delivery, or a handler with nothing to say: acknowledge quietly.
            if deferred in (Deferred.PRIVATE, Deferred.PUBLIC):
                await interaction.delete_original_response()
            elif deferred is None and not response.is_done():
                if interaction.type is discord.InteractionType.application_command:
                    await response.send_message("Done.", ephemeral=True)
                else:
                    await response.defer()
            return
        if reply.form is not None:
            if deferred is None and interaction.type is not discord.InteractionType.modal_submit:
                await response.send_modal(render_form(reply.form))
                return
            log.warning("form %s asked for after the first response", reply.form.form_id)
            reply = Reply.private_text(FORM_AFTER_DEFER)
        message = reply.message or Message(text="Done.")
        rendered = render_message(message)
        editable = reply.edit and interaction.message is not None
        if deferred is None:
            if editable:
                await response.edit_message(**rendered.edit_kwargs())
            else:
                await response.send_message(**rendered.send_kwargs(), ephemeral=reply.private)
            return
        if editable and deferred is Deferred.UPDATE:
            await interaction.edit_original_response(**rendered.edit_kwargs())
            return
        if deferred is Deferred.UPDATE:
            await interaction.followup.send(**rendered.send_kwargs(), ephemeral=reply.private)
            return
        if reply.private == (deferred is Deferred.PRIVATE):
            await interaction.edit_original_response(**rendered.edit_kwargs())
            return
        # Deferred as public but the reply is private (an error, say), or the reverse: the
        # "thinking…" message has the wrong visibility, so it goes and a follow-up replaces it.
        await interaction.delete_original_response()
        await interaction.followup.send(**rendered.send_kwargs(), ephemeral=reply.private)
