"""The bot's own small web server: /healthz, and whatever adapters mount (Slack HTTP mode).

One aiohttp application per process. Routes are added before `start()`; binding port 0 picks a
free port (tests), read back from `port`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# (ready, details): /healthz answers 200 when ready, else 503; details go in the JSON body.
Readiness = Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]


class WebServer:
    """An aiohttp server owned by the app; adapters add their routes before it starts."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self._requested_port = port
        self._app = web.Application()
        self._app.router.add_get("/healthz", self._healthz)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        # Set by the app (bot/health.py); without it /healthz only says the process is up.
        self.readiness: Readiness | None = None

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        if self._runner is not None:
            raise RuntimeError("add routes before the web server starts")
        self._app.router.add_route(method, path, handler)

    @property
    def started(self) -> bool:
        return self._runner is not None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the web server is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        # access_log=None: request lines would repeat every Slack delivery at INFO level.
        runner = web.AppRunner(self._app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port)
        await site.start()
        self._runner = runner
        addresses = runner.addresses
        self._port = int(addresses[0][1]) if addresses else self._requested_port
        log.info("web server listening on %s", self.url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, _request: web.Request) -> web.Response:
        if self.readiness is None:
            return web.json_response({"ok": True})
        ready, details = await self.readiness()
        return web.json_response({"ok": ready, **details}, status=200 if ready else 503)
