"""Health and metrics on the bot's web server: /healthz (readiness) and /metrics (Prometheus).

Ready means every attached platform adapter says it is connected and the database answers a
`SELECT 1` within PING_SECONDS. Anything else is 503 with a JSON body naming what is not
ready, so an orchestrator (Docker's HEALTHCHECK, a Kubernetes readiness probe) holds traffic
and a person reading the body sees why.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.web import WebServer

if TYPE_CHECKING:
    from bot.app import App

PING_SECONDS = 2.0


async def readiness(app: App) -> tuple[bool, dict[str, Any]]:
    """(ready, details) for /healthz: the database and every attached adapter."""
    try:
        async with asyncio.timeout(PING_SECONDS):
            database = await app.store.ping()
    except TimeoutError:
        database = False
    platforms = {adapter.platform.value: adapter.connected for adapter in app.adapters}
    not_ready = ([] if database else ["database"]) + [
        name for name, connected in platforms.items() if not connected
    ]
    details: dict[str, Any] = {
        "database": "answering" if database else "not answering",
        "platforms": {
            name: "connected" if connected else "not connected"
            for name, connected in platforms.items()
        },
        "not_ready": not_ready,
    }
    return not not_ready, details


def serve_health(server: WebServer, app: App) -> None:
    """Make `server` answer /healthz with the app's readiness and /metrics with its metrics."""

    async def ready() -> tuple[bool, dict[str, Any]]:
        return await readiness(app)

    async def metrics(_request: web.Request) -> web.Response:
        # CONTENT_TYPE_LATEST carries a charset, which aiohttp's content_type= refuses.
        return web.Response(
            body=app.services.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    server.readiness = ready
    server.add_route("GET", "/metrics", metrics)
