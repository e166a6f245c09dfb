"""The composition root: the one place that builds and wires everything."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.adapters import Adapter
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.core.context import Services
from bot.core.dispatch import Dispatcher
from bot.metrics import Metrics
from bot.packs.library import PackLibrary
from bot.packs.loader import load_bundled
from bot.store.db import Store
from bot.web import WebServer
from commands import all_features
from commands.spec import Registry
from scheduler.runner import Scheduler

log = logging.getLogger(__name__)


@dataclass
class App:
    """StudyBot assembled: services, dispatcher, scheduler and the running adapters."""

    services: Services
    dispatcher: Dispatcher
    scheduler: Scheduler
    adapters: list[Adapter] = field(default_factory=list)
    web: WebServer | None = None  # /healthz, /metrics, Slack HTTP mode (bot/runtime.py)

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def metrics(self) -> Metrics:
        return self.services.metrics

    async def prepare(self) -> None:
        """Migrate the database and load the packs (no platform is contacted)."""
        await self.store.migrate()
        await self.services.packs.load_imported(self.store)

    def attach(self, adapter: Adapter) -> None:
        self.adapters.append(adapter)
        self.services.chats[adapter.platform] = adapter.port

    async def start(self, *, schedule: bool = True) -> None:
        # The web server first: /healthz answers 503 while the platforms connect.
        if self.web is not None:
            await self.web.start()
        for adapter in self.adapters:
            await adapter.start()
        if schedule:
            self.scheduler.start()

    async def stop(self) -> None:
        # Pause first: a scheduled run finishes the item it is on (claim, send, confirm) and
        # takes no other; the rest is caught up at the next start.
        self.scheduler.pause()
        await self.scheduler.drain()
        await self.dispatcher.drain()
        for adapter in reversed(self.adapters):
            try:
                await adapter.stop()
            except Exception:
                log.exception("stopping %s failed", adapter.platform)
        self.scheduler.stop()
        if self.web is not None:
            await self.web.stop()
        await self.store.close()


def build(settings: Settings, clock: Clock | None = None) -> App:
    """Build the app from settings; nothing connects until prepare()/start()."""
    store = Store(settings.db_url)
    packs = PackLibrary(bundled=load_bundled(settings.extra_pack_dirs))
    services = Services(
        store=store,
        clock=clock or SystemClock(),
        registry=Registry(all_features()),
        packs=packs,
        settings=settings,
    )
    return App(services=services, dispatcher=Dispatcher(services), scheduler=Scheduler(services))
