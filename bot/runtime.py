"""Running on Discord and/or Slack: build the app, attach the adapters, serve until SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.app import App, build
from bot.config import Settings
from bot.health import serve_health
from bot.web import WebServer

log = logging.getLogger(__name__)


def web_server(settings: Settings) -> WebServer | None:
    """The app's one web server: when STUDYBOT_WEB_PORT is set, or Slack HTTP mode needs one
    (then on the adapter's default port). None: no port is opened."""
    port = settings.web_port
    if port is None and settings.slack_enabled and settings.slack_mode == "http":
        from bot.adapters.slack.adapter import DEFAULT_HTTP_PORT

        port = DEFAULT_HTTP_PORT
    if port is None:
        return None
    return WebServer(settings.web_host, port)


def attach_platforms(app: App, settings: Settings) -> None:
    """Attach an adapter for every platform whose token is set (Slack shares `app.web`)."""
    if settings.discord_enabled:
        from bot.adapters.discord.adapter import DiscordAdapter

        app.attach(DiscordAdapter(app.dispatcher, settings))
    if settings.slack_enabled:
        from bot.adapters.slack.adapter import SlackAdapter

        app.attach(SlackAdapter(app.dispatcher, settings, web=app.web))


async def run_platforms(settings: Settings) -> int:
    """Serve until SIGTERM/SIGINT; then pause the scheduler, finish work, close, exit 0."""
    app = build(settings)
    await app.prepare()
    app.web = web_server(settings)
    if app.web is not None:
        serve_health(app.web, app)
    attach_platforms(app, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    starting = asyncio.create_task(app.start())
    stopping = asyncio.create_task(stop.wait())
    try:
        # A SIGTERM while the platforms are still connecting stops at once, not after start.
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done():
            starting.result()  # a failed start raises here (ConfigError: exit code 2)
            log.info("StudyBot running on %s", ", ".join(a.platform for a in app.adapters))
            await stopping
    finally:
        log.info("shutting down")
        for task in (starting, stopping):
            task.cancel()
        await asyncio.gather(starting, stopping, return_exceptions=True)
        await app.stop()
    return 0
