"""The bot in a child process: one due fan-out to the fake Slack, then exit (tests kill it).

    python -m tests.scheduling.child_fanout DB_URL SLACK_API_URL NOW_ISO

Builds the real App on the database (migrated already), attaches the real Slack port (no
Socket Mode: scheduled posts need no inbound), sets a FakeClock at NOW and runs everything
due. Exit 0 when every daily post is confirmed, 3 when some are still unconfirmed (a send
failed; a later run retries them).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime

from bot.app import build
from bot.clock import FakeClock
from tests.scheduling.fanout import SlackPortOnly, settings_for, unposted


async def run(db_url: str, api_url: str, now: datetime) -> int:
    app = build(settings_for(db_url, api_url), FakeClock(now))
    await app.prepare()
    slack = SlackPortOnly(app, api_url)
    try:
        await app.scheduler.run_due(now)
        left = await unposted(app)
    finally:
        await slack.close()
        await app.stop()
    print(f"unposted={left}", flush=True)
    return 0 if left == 0 else 3


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    db_url, api_url, now = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
    sys.exit(asyncio.run(run(db_url, api_url, now)))


if __name__ == "__main__":
    main()
