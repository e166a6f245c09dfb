"""e. The daily question fanned out to 1,000 channels through the Discord and Slack adapters.

Every channel gets `/daily setup time:09:00` (through the dispatcher); then the real adapter
connects to the local fake with the platform's rate limits switched on (benchmarks/limits.py)
and the scheduler runs what is due at 09:00 (run_due, as the wake-up does in production),
within a time budget. What it leaves undone is then run as the same due work, in order,
without collecting it again: that pass shows the adapters' pacing apart from the scheduler's
own cost. Each pass's time is compared with the floor the limits set for the requests that
reached the fake, and the fake counts its 429 answers.

- Discord: each post is a message and a thread (two requests); floor = requests / 50 per s.
  1,000 channels need 10 servers (a server holds at most 500 channels).
- Slack: each post is one chat.postMessage (the thread is the message's reply chain);
  floor = posts / the modelled workspace cap (one post per channel never meets the
  per-channel limit of about 1 per second).
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from collections.abc import Callable
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
BUDGET_SECONDS = 60.0


@dataclass
class FanOut:
    """One pass of a fan-out: time, requests, what the floor allows, 429s, posts that landed."""

    platform: str
    channels: int
    seconds: float
    requests: int
    floor: float
    limited: int
    posted: int
    finished: bool = True

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor if self.floor else math.inf


@dataclass
class Passes:
    """The production pass (the scheduler's run_due, within a time budget), and a second pass
    over what it left, running the same due work in order without collecting it again."""

    scheduler: FanOut
    direct: FanOut | None
    collect_seconds: float


class Counters:
    """Reads what reached a fake: requests, 429s and landed posts, as running totals."""

    def __init__(self, requests: Callable[[], int], limited: Callable[[], int],
                 posted: Callable[[], int]) -> None:
        self.requests, self.limited, self.posted = requests, limited, posted

    def snapshot(self) -> tuple[int, int, int]:
        return self.requests(), self.limited(), self.posted()


async def fan_out(app: App, platform: str, count: int, counters: Counters,
                  per_second: float, budget: float) -> Passes:
    """Run the 09:00 wake-up's work: first through run_due (bounded by `budget` seconds),
    then, for anything left, the same DueWork items in order without re-collecting."""
    began = time.perf_counter()
    await app.scheduler.collect(POST_AT)
    collect_seconds = time.perf_counter() - began

    def result(before: tuple[int, int, int], seconds: float, finished: bool) -> FanOut:
        requests, limited, posted = (a - b for a, b in zip(counters.snapshot(), before,
                                                            strict=True))
        return FanOut(platform, count, seconds, requests, requests / per_second, limited,
                      posted, finished)

    before = counters.snapshot()
    began = time.perf_counter()
    task = asyncio.create_task(app.scheduler.run_due(POST_AT))
    done, _ = await asyncio.wait({task}, timeout=budget)
    if not done:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    await app.dispatcher.drain()
    scheduler = result(before, time.perf_counter() - began, bool(done))
    if done:
        return Passes(scheduler, None, collect_seconds)
    work = await app.scheduler.collect(POST_AT)
    before = counters.snapshot()
    began = time.perf_counter()
    for item in work:
        await item.run(app.services)
    await app.dispatcher.drain()
    return Passes(scheduler, result(before, time.perf_counter() - began, True), collect_seconds)


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


async def discord_fanout(count: int, folder: Path, budget: float) -> Passes:
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
        counters = Counters(
            fake.rest_requests, lambda: fake.limited,
            lambda: sum(1 for m in fake.messages.values()
                        if m.author.bot and m.thread_id is not None),
        )
        return await fan_out(app, "Discord", count, counters, DISCORD_PER_SECOND, budget)
    finally:
        try:
            await app.stop()
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved
            await fake.close()


async def slack_fanout(count: int, folder: Path, budget: float) -> Passes:
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

        def posts(landed: bool) -> int:
            return sum(1 for c in fake.calls if c.method == "chat.postMessage"
                       and (not landed or (c.status in (0, 200) and c.error is None)))

        # The floor counts the posts that landed: a refused call is not a post.
        counters = Counters(lambda: posts(True), lambda: fake.limited, lambda: posts(True))
        return await fan_out(app, "Slack", count, counters, WORKSPACE_POSTS, budget)
    finally:
        try:
            await app.stop()
        finally:
            await fake.stop()


def _rows(passes: Passes, unit: str, rate_words: str) -> list[Row]:
    first, second = passes.scheduler, passes.direct
    ok = (first.finished and first.ratio <= TARGET_RATIO and first.limited == 0
          and first.posted == first.channels)
    if first.finished:
        figure = f"{first.seconds:.1f} s, {first.limited} x 429, " \
                 f"{first.posted}/{first.channels} posted"
    else:
        figure = f"stopped after {first.seconds:.0f} s with {first.posted}/{first.channels} " \
                 f"posted, {first.limited} x 429"
    rows = [Row(
        f"daily fan-out to {first.channels:,} channels, {first.platform}, via the scheduler",
        figure,
        f"floor {first.floor:.1f} s for its {first.requests:,} {unit} at {rate_words}: "
        f"{first.ratio:.2f}x the floor",
        f"<= {TARGET_RATIO}x floor, no 429",
        verdict(ok),
    )]
    if second is not None:
        rows.append(Row(
            f"the {first.channels - first.posted:,} channels left, {second.platform}, same due "
            "work run in order without re-collecting",
            f"{second.seconds:.1f} s, {second.limited} x 429, {second.posted} posted",
            f"floor {second.floor:.1f} s for its {second.requests:,} {unit}: "
            f"{second.ratio:.2f}x the floor",
            f"<= {TARGET_RATIO}x floor, no 429",
            "info",
        ))
    return rows


async def run(quick: bool, _pg: object) -> Section:
    section = Section("e", "Daily fan-out to 1,000 channels under the platforms' rate limits")
    count = 30 if quick else 1000
    budget = 60.0 if quick else BUDGET_SECONDS
    if not fakes_available():
        for platform in ("Discord", "Slack"):
            section.skipped(f"daily fan-out, {platform}",
                            "needs the fakes in tests/fakes (a source checkout)")
        return section
    from benchmarks.limits import WORKSPACE_POSTS

    folder = Path(tempfile.mkdtemp(prefix="studybot-bench-e-"))
    discord_passes = await discord_fanout(count, folder, budget)
    section.add(*_rows(discord_passes, "requests", "50/s"))
    slack_passes = await slack_fanout(count, folder, budget)
    section.add(*_rows(slack_passes, "posts", f"the modelled {WORKSPACE_POSTS:.0f}/s"))
    slow = [p for p in (discord_passes, slack_passes) if not p.scheduler.finished]
    if slow:
        collect = max(p.collect_seconds for p in slow)
        section.notes.append(
            f"Why the scheduler pass misses: run_due collects every job's due work again "
            f"after each item it runs, and one collection with {count:,} daily channels took "
            f"{collect:.2f} s here (most of it leaderboard.recap's due(), which asks three "
            "queries per channel; daily.close's grows with the posts made). So a fan-out to N "
            "channels costs N collections: quadratic. The pass was stopped after "
            f"{budget:.0f} s; the second row runs the rest of the same due work in order. What "
            "would close it: run every item due at the same instant before collecting again "
            "(each item re-checks its claim, so a stale one is harmless), and make the due() "
            "questions one query per job."
        )
    section.notes += [
        "The adapters run with their production settings (pacing, retries; only Discord's "
        "start-up wait for more servers is shortened); the fakes are tests/fakes with the "
        "limits of benchmarks/limits.py switched on, in this process. Setup (`/daily setup` "
        "per channel, through the dispatcher) is not timed; the time runs from the "
        "scheduler's run at 09:00 until every send has finished.",
        "Slack publishes no number for chat.postMessage's workspace-wide limit; the fake "
        f"models it as {WORKSPACE_POSTS:.0f} posts/s, the pace the Slack adapter is tuned for "
        "(SlackTuning.global_interval_seconds), so its floor is an assumption, not a fact.",
    ]
    return section
