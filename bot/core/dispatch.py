"""The dispatcher: the one entry point for inbound events from every platform.

Middleware in order: drop redeliveries (processed_events, in the same transaction as the
handler's writes), resolve who and where, check permissions, route, and map every error to a
polite private reply. Adapters call `handle()` and render the `Reply` it returns.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from bot.core.context import Context, Services
from bot.core.errors import NotAllowed, StoreUnavailable, UserError
from bot.core.events import (
    ActionPressed,
    CommandInvoked,
    FormSubmitted,
    Inbound,
    MessagePosted,
    ReactionAdded,
)
from bot.core.ids import WorkspaceRef
from bot.core.ui import Reply
from bot.metrics import Metrics
from bot.store.members import resolve
from bot.store.tables import ProcessedEvent, Workspace
from bot.store.upsert import insert_once

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. It has been logged; please try again."
DB_DOWN = "The database is not answering right now; please try again in a moment."


class Duplicate(Exception):
    """This delivery id was handled before."""


class Dispatcher:
    """Routes neutral events to the declared handlers, exactly once per delivery id."""

    def __init__(self, services: Services, metrics: Metrics | None = None) -> None:
        self.services = services
        self.metrics = metrics or services.metrics
        self._tasks: set[asyncio.Task[None]] = set()

    async def handle(self, event: Inbound) -> Reply | None:
        """Handle one event; returns the reply for the actor (None for a duplicate)."""
        platform = event.actor.workspace.platform.value
        kind = type(event).__name__
        started = time.perf_counter()
        outcome = "ok"
        try:
            ctx = await self._run(event)
        except Duplicate:
            outcome = "duplicate"
            log.info("duplicate delivery dropped: %s", event.delivery_id)
            return None
        except UserError as exc:
            outcome = "user_error"
            return Reply.private_text(str(exc))
        except StoreUnavailable:
            outcome = "db_unavailable"
            log.warning("database unavailable while handling %s", event.delivery_id)
            return Reply.private_text(DB_DOWN)
        except Exception:
            outcome = "error"
            self.metrics.errors.labels("handler").inc()
            log.exception("handler failed for delivery %s", event.delivery_id)
            return Reply.private_text(SORRY)
        finally:
            self.metrics.events.labels(platform, kind, outcome).inc()
            self.metrics.latency.labels(platform, kind).observe(time.perf_counter() - started)
        for work in ctx.after_commit:
            self._spawn(work, event.delivery_id)
        return ctx.reply

    async def _run(self, event: Inbound) -> _Handled:
        services = self.services
        now = services.clock.now()
        async with services.store.session() as session:
            if not await insert_once(
                session, ProcessedEvent, {"delivery_id": event.delivery_id, "received_at": now}
            ):
                raise Duplicate
            who = await resolve(session, event.actor, event.channel, now)
            ctx = _Handled(
                services=services,
                event=event,
                session=session,
                workspace=who.workspace,
                channel=who.channel,
                account=who.account,
                person=who.person,
                is_admin=event.actor.is_admin or who.account.is_admin,
            )
            ctx.reply = await self._route(ctx)
        return ctx

    async def _route(self, ctx: Context) -> Reply | None:
        registry = self.services.registry
        event = ctx.event
        if isinstance(event, CommandInvoked):
            spec, rest = registry.command_for(event.name.split())
            if spec.admin and not ctx.is_admin:
                raise NotAllowed(f"Only workspace admins can use `/{spec.name}`.")
            ctx.args = spec.parse_args(event.args, rest)
            return await spec.handler(ctx)
        if isinstance(event, ActionPressed):
            return await registry.action_for(event.action_id).handler(ctx)
        if isinstance(event, FormSubmitted):
            return await registry.form_for(event.form_id).handler(ctx)
        if isinstance(event, MessagePosted | ReactionAdded):
            for listener in registry.listeners:
                reply = await listener.handler(ctx)
                if reply is not None:
                    return reply
            return None
        raise TypeError(f"unknown event type {type(event).__name__}")

    def _spawn(self, work: Callable[[], Awaitable[None]], delivery_id: str) -> None:
        async def run() -> None:
            try:
                await work()
            except Exception:
                self.metrics.errors.labels("after_commit").inc()
                log.exception("after-commit work failed for delivery %s", delivery_id)

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every after-commit send has finished (tests, shutdown, console)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    async def suggest(
        self, source: str, prefix: str, workspace: WorkspaceRef | None = None
    ) -> list[str]:
        """Autocomplete suggestions from a declared source (topics, packs, ...).

        Suggestion functions receive our own workspace id (as text, "" when unknown), so that
        a workspace's imported packs are offered to it and to nobody else."""
        suggest = self.services.registry.suggestions.get(source)
        if suggest is None:
            return []
        internal = ""
        if workspace is not None:
            async with self.services.store.session() as session:
                row = await session.scalar(
                    select(Workspace.id).where(
                        Workspace.platform == workspace.platform.value,
                        Workspace.external_id == workspace.id,
                    )
                )
            internal = "" if row is None else str(row)
        return (await suggest(self.services, prefix, internal))[:25]


class _Handled(Context):
    reply: Any = None
