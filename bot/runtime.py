"""Running on Discord and/or Slack: build the app, attach the adapters, serve until SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.app import App, build
from bot.config import Settings

log = logging.getLogger(__name__)


def attach_platforms(app: App, settings: Settings) -> None:
    """Attach an adapter for every platform whose token is set."""
    if settings.discord_enabled:
        from bot.adapters.discord.adapter import DiscordAdapter

        app.attach(DiscordAdapter(app.dispatcher, settings))
    if settings.slack_enabled:
        from bot.adapters.slack.adapter import SlackAdapter

        app.attach(SlackAdapter(app.dispatcher, settings))


async def run_platforms(settings: Settings) -> int:
    """Serve until SIGTERM/SIGINT; then pause the scheduler, finish work, close, exit 0."""
    app = build(settings)
    await app.prepare()
    attach_platforms(app, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await app.start()
    log.info("StudyBot running on %s", ", ".join(a.platform for a in app.adapters))
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        await app.stop()
    return 0
