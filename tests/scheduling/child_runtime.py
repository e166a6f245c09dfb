"""The bot as production runs it, in a child process: `bot.runtime.run_platforms` on Slack.

    python -m tests.scheduling.child_runtime DB_URL SLACK_API_URL

Socket Mode to the fake Slack of the test process, the real clock, the real pacing; it serves
until SIGTERM and exits with run_platforms' code (0 after a graceful stop).
"""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.config import Settings
from bot.runtime import run_platforms
from tests.scheduling.fanout import BOT_TOKEN

APP_TOKEN = "xapp-fake-app-token"


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    settings = Settings(
        database_url=sys.argv[1],
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        slack_api_url=sys.argv[2],
    )
    sys.exit(asyncio.run(run_platforms(settings)))


if __name__ == "__main__":
    main()
