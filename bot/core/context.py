"""What a handler receives: the services, the event, its unit of work and who/where."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.core.events import ActionPressed, Inbound
from bot.core.ids import Platform
from bot.core.ports import ChatPort
from bot.metrics import Metrics
from bot.store.db import Store
from bot.store.tables import Account, Channel, Person, Workspace

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.packs.library import PackLibrary
    from commands.spec import Registry


@dataclass
class Services:
    """Everything long-lived that handlers and jobs use, built once in bot/app.py."""

    store: Store
    clock: Clock
    registry: Registry
    packs: PackLibrary
    settings: Settings
    chats: dict[Platform, ChatPort] = field(default_factory=dict)
    schedule_listeners: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # One registry per App: the dispatcher, the scheduler and the adapters' ports count here.
    metrics: Metrics = field(default_factory=Metrics)

    def chat(self, platform: Platform | str) -> ChatPort:
        return self.chats[Platform(platform)]

    async def schedule_changed(self) -> None:
        """Tell the scheduler that recurring times changed (call after the commit)."""
        for listener in self.schedule_listeners:
            await listener()


@dataclass
class Context:
    """One inbound event being handled inside one transaction (`session`)."""

    services: Services
    event: Inbound
    session: AsyncSession
    workspace: Workspace
    channel: Channel | None
    account: Account
    person: Person
    is_admin: bool
    args: Mapping[str, Any] = field(default_factory=dict)
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def now(self) -> datetime:
        return self.services.clock.now()

    @property
    def platform(self) -> Platform:
        return self.event.actor.workspace.platform

    @property
    def chat(self) -> ChatPort:
        return self.services.chat(self.platform)

    @property
    def action_arg(self) -> str:
        """The part of a button's action id after the first `:` (an answer id, a pair id)."""
        if not isinstance(self.event, ActionPressed):
            return ""
        return self.event.action_id.partition(":")[2]

    def later(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` after this transaction commits (sends that need committed rows)."""
        self.after_commit.append(work)
