"""f. Resident memory of the running bot with 1,000 workspaces configured.

1,000 Discord servers (a Slack install serves one workspace, so many workspaces means
Discord), each with a channel that has a daily question at 09:00 set up through the
dispatcher. Then `studybot run` starts in a child process against the fake Discord (in this
process, serving all 1,000 servers): it migrates, connects, receives every server, syncs its
commands and builds one scheduler wake-up per schedule. Once /healthz says ready and the
wake-ups are in place, its resident set (VmRSS, and the peak VmHWM) is read from /proc.
Beside it, in the same run: the same bot with a single workspace, and a bare interpreter that
only imports the bot's modules.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from benchmarks.child import BotProcess
from benchmarks.common import fakes_available, write_pack
from benchmarks.daily_flow import bench_app
from benchmarks.fanout import DISCORD_TOKEN
from benchmarks.report import Row, Section, verdict
from bot.core.events import CommandInvoked
from bot.core.ids import ChannelRef, Platform, UserRef, WorkspaceRef

TARGET_MB = 150.0
SETTLE_SECONDS = 3.0
IMPORTS = ("import bot.app, bot.runtime, bot.adapters.discord.adapter, "
           "bot.adapters.slack.adapter, commands; ")


async def bare_interpreter_kb() -> int:
    """VmRSS of a Python that imports the bot's modules and nothing else."""
    code = (IMPORTS + "print(open('/proc/self/status').read())")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    for line in out.decode().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def bot_memory(workspaces: int, folder: Path) -> tuple[int, int, float, int]:
    """(VmRSS kB, VmHWM kB, seconds to ready, exit code) of the bot with that many servers."""
    from tests.fakes.discord_rest import FakeChannel, FakeDiscord

    fake = FakeDiscord()
    fake.guilds.clear()
    fake.channels.clear()
    channels = []
    for n in range(workspaces):
        guild = (5000 + n) << 22
        channel_id = 1_600_000_000_000_000_000 + n
        fake.guilds[guild] = f"Study group {n}"
        fake.channels[channel_id] = FakeChannel(channel_id, 0, "study", guild)
        channels.append(ChannelRef(WorkspaceRef(Platform.DISCORD, str(guild)), str(channel_id)))
    url = f"sqlite:///{folder / f'memory-{workspaces}.db'}"
    app = bench_app(url, folder)
    await app.prepare()
    try:
        for n, channel in enumerate(channels):
            admin = UserRef(channel.workspace, "admin", "admin", is_admin=True)
            await app.dispatcher.handle(CommandInvoked(
                delivery_id=f"memory:{n}", actor=admin, channel=channel, name="daily setup",
                args={"packs": "bench-daily", "time": "09:00", "timezone": "UTC"}))
    finally:
        await app.stop()
    await fake.start()
    child = BotProcess({
        "DATABASE_URL": url, "DISCORD_TOKEN": DISCORD_TOKEN,
        "DISCORD_API_BASE": fake.rest_base,
        "STUDYBOT_PACKS_DIRS": write_pack(folder / "packs"),
    }, folder, name=f"memory-{workspaces}")
    try:
        ready = await child.start()
        await asyncio.sleep(SETTLE_SECONDS)  # the scheduler builds its wake-ups after start
        rss, peak = child.memory_kb()
        code = await child.stop()
    finally:
        await child.kill()
        await fake.close()
    return rss, peak, ready, code


async def run(quick: bool, _pg: object) -> Section:
    section = Section("f", "Resident memory with 1,000 workspaces")
    workspaces = 100 if quick else 1000
    if not fakes_available():
        section.skipped("resident memory", "needs the fake Discord in tests/fakes")
        return section
    folder = Path(tempfile.mkdtemp(prefix="studybot-bench-f-"))
    bare = await bare_interpreter_kb()
    beside = f"bare imports {bare / 1024:.0f} MB"
    if not quick:
        one_rss, _one_peak, _, _ = await bot_memory(1, folder)
        beside = f"same bot with 1 workspace {one_rss / 1024:.0f} MB; {beside}"
    rss, peak, ready, code = await bot_memory(workspaces, folder)
    if not quick:
        per = (rss - one_rss) / max(workspaces - 1, 1)
        beside += f"; {per:.0f} kB per workspace"
    section.add(Row(
        f"resident memory, {workspaces:,} workspaces with a daily schedule",
        f"{rss / 1024:.0f} MB (peak {peak / 1024:.0f} MB)",
        beside,
        f"< {TARGET_MB:.0f} MB",
        verdict(rss / 1024 < TARGET_MB),
    ))
    section.add(Row(
        "start to ready (/healthz 200), then SIGTERM",
        f"ready in {ready:.1f} s; exit code {code}",
        "", "exit 0", verdict(code == 0),
    ))
    section.notes += [
        "`studybot run` (the production entry point) in a child process, SQLite, the Discord "
        "adapter connected to the fake Discord in the benchmark's process; RSS read from "
        f"/proc/<pid>/status {SETTLE_SECONDS:.0f} s after /healthz first answered 200.",
    ]
    return section
