"""e. The daily question fanned out to 1,000 channels through the Discord and Slack adapters.

Every channel gets `/daily setup time:09:00` (through the dispatcher); then the real adapter
connects to the local fake with the platform's rate limits switched on (benchmarks/limits.py)
and the scheduler runs what is due at 09:00, exactly as the wake-up does in production. The
time is compared with the floor the limits set for the requests the posts need, measured
against what actually reached the fake, and the fake counts its 429 answers.

- Discord: each post is a message and a thread (two requests); floor = requests / 50 per s.
  1,000 channels need 10 servers (a server holds at most 500 channels).
- Slack: each post is one chat.postMessage (the thread is the message's reply chain);
  floor = posts / the modelled workspace cap (one post per channel never meets the
  per-channel limit of about 1 per second).
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import START, fakes_available, write_pack
from benchmarks.report import Row, Section, verdict
from bot.app import App, build
from bot.clock import FakeClock
from bot.config import Settings
from bot.core.events import CommandInvoked
from bot.core.ids import ChannelRef, Platform, UserRef, WorkspaceRef

DISCORD_TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token-for-benchmarks"
CHANNELS_PER_GUILD = 100
TARGET_RATIO = 1.1
POST_AT = START.replace(hour=9)


@dataclass
class FanOut:
    """One platform's fan-out: time, requests, what the floor allows, 429s, posts that landed."""

    platform: str
    channels: int
    seconds: float
    requests: int
    floor: float
    limited: int
    posted: int

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor if self.floor else math.inf


async def _setup_channels(app: App, channels: list[ChannelRef]) -> None:
    for n, channel in enumerate(channels):
        admin = UserRef(channel.workspace, "admin", "admin", is_admin=True)
        reply = await app.dispatcher.handle(CommandInvoked(
            delivery_id=f"fanout:setup:{channel.workspace.platform}:{n}", actor=admin,
            channel=channel, name="daily setup",
            args={"packs": "bench-daily", "time": "09:00", "timezone": "UTC"},
        ))
        text = reply.message.plain() if reply is not None and reply.message else ""
        if "Next post" not in text:
            raise RuntimeError(f"/daily setup failed in {channel.id}: {text or reply!r}")


async def discord_fanout(count: int, folder: Path) -> FanOut:
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    from benchmarks.limits import DISCORD_PER_SECOND, LimitedDiscord
    from bot.adapters.discord.adapter import DiscordAdapter, DiscordTuning
    from tests.fakes.discord_rest import FakeChannel

    fake = LimitedDiscord()
    fake.guilds.clear()
    fake.channels.clear()
    refs = []
    for n in range(count):
        guild = (3000 + n // CHANNELS_PER_GUILD) << 22
        fake.guilds.setdefault(guild, f"Study group {n // CHANNELS_PER_GUILD}")
        channel_id = 1_500_000_000_000_000_000 + n
        fake.channels[channel_id] = FakeChannel(channel_id, 0, f"study-{n}", guild)
        refs.append(ChannelRef(WorkspaceRef(Platform.DISCORD, str(guild)), str(channel_id)))
    await fake.start()
    saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.ws_url)
    settings = Settings(
        database_url=f"sqlite:///{folder / 'fanout-discord.db'}",
        discord_token=DISCORD_TOKEN, discord_api_base=fake.rest_base,
        extra_pack_dirs=[write_pack(folder / "packs")],
    )
    app = build(settings, FakeClock(START))
    try:
        await app.prepare()
        await _setup_channels(app, refs)
        # Production settings, but no 2 s wait for more servers at start (not measured).
        app.attach(DiscordAdapter(app.dispatcher, settings,
                                  tuning=DiscordTuning(guild_ready_timeout=0.2)))
        await app.start(schedule=False)
        requests, limited = fake.rest_requests(), fake.limited
        began = time.perf_counter()
        await app.scheduler.run_due(POST_AT)
        await app.dispatcher.drain()
        seconds = time.perf_counter() - began
        requests = fake.rest_requests() - requests
        posted = sum(1 for m in fake.messages.values()
                     if m.author.bot and m.thread_id is not None)
        return FanOut("Discord", count, seconds, requests, requests / DISCORD_PER_SECOND,
                      fake.limited - limited, posted)
    finally:
        try:
            await app.stop()
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved
            await fake.close()


async def slack_fanout(count: int, folder: Path) -> FanOut:
    from benchmarks.limits import WORKSPACE_POSTS, LimitedSlack
    from bot.adapters.slack.adapter import SlackAdapter
    from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, BOT_USER, TEAM_ID

    clock = FakeClock(START)
    fake = LimitedSlack(clock.now)
    fake.add_user("UADMIN", "admin", admin=True)
    refs = []
    workspace = WorkspaceRef(Platform.SLACK, TEAM_ID)
    for n in range(count):
        channel_id = f"C{n:06d}"
        fake.add_channel(channel_id, f"study-{n}", [BOT_USER, "UADMIN"])
        refs.append(ChannelRef(workspace, channel_id))
    await fake.start()
    settings = Settings(
        database_url=f"sqlite:///{folder / 'fanout-slack.db'}",
        slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN, slack_api_url=fake.api_url,
        extra_pack_dirs=[write_pack(folder / "packs")],
    )
    app = build(settings, clock)
    try:
        await app.prepare()
        await _setup_channels(app, refs)
        app.attach(SlackAdapter(app.dispatcher, settings))  # production pacing and retries
        await app.start(schedule=False)
        await fake.socket.wait_connected()
        calls, limited = len(fake.calls), fake.limited
        began = time.perf_counter()
        await app.scheduler.run_due(POST_AT)
        await app.dispatcher.drain()
        seconds = time.perf_counter() - began
        posts = [c for c in fake.calls[calls:] if c.method == "chat.postMessage"]
        landed = sum(1 for c in posts if c.status in (0, 200) and c.error is None)
        return FanOut("Slack", count, seconds, len(posts), landed / WORKSPACE_POSTS,
                      fake.limited - limited, landed)
    finally:
        try:
            await app.stop()
        finally:
            await fake.stop()


def _row(result: FanOut, floor_words: str) -> Row:
    ok = result.ratio <= TARGET_RATIO and result.limited == 0 and result.posted == result.channels
    return Row(
        f"daily fan-out to {result.channels:,} channels, {result.platform}",
        f"{result.seconds:.1f} s, {result.limited} x 429, {result.posted}/{result.channels} "
        "posted",
        f"floor {result.floor:.1f} s ({floor_words}): {result.ratio:.2f}x the floor",
        f"<= {TARGET_RATIO}x floor, no 429",
        verdict(ok),
    )


async def run(quick: bool, _pg: object) -> Section:
    section = Section("e", "Daily fan-out to 1,000 channels under the platforms' rate limits")
    count = 30 if quick else 1000
    if not fakes_available():
        for platform in ("Discord", "Slack"):
            section.skipped(f"daily fan-out, {platform}",
                            "needs the fakes in tests/fakes (a source checkout)")
        return section
    folder = Path(tempfile.mkdtemp(prefix="studybot-bench-e-"))
    discord_result = await discord_fanout(count, folder)
    section.add(_row(discord_result, f"{discord_result.requests:,} requests at 50/s"))
    slack_result = await slack_fanout(count, folder)
    from benchmarks.limits import WORKSPACE_POSTS

    section.add(_row(slack_result, f"{slack_result.posted:,} posts at the modelled "
                                   f"{WORKSPACE_POSTS:.0f}/s workspace cap"))
    section.notes += [
        "The adapters run with their production settings (pacing, retries); the fakes are "
        "tests/fakes with the limits of benchmarks/limits.py switched on, in this process. "
        "Setup (`/daily setup` per channel) is not timed; the time runs from the scheduler's "
        "run at 09:00 until every send has finished.",
        "Slack publishes no number for chat.postMessage's workspace-wide limit; the fake "
        f"models it as {WORKSPACE_POSTS:.0f} posts/s, the pace the Slack adapter is tuned for "
        "(SlackTuning.global_interval_seconds), so its floor is an assumption, not a fact.",
    ]
    return section
