"""`studybot run` in a child process: the bot as it runs in production, measured from outside.

The benchmark plays the platform (a fake in this process) and reads the child through its own
web server (/healthz, /metrics) and /proc (resident memory). Logs go to a file in the run's
folder; a child that fails to become ready raises with the end of that file.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """One `python -m bot run` with the given environment (DATABASE_URL, tokens, ...)."""

    def __init__(self, env: dict[str, str], folder: Path, name: str = "bot") -> None:
        self.port = free_port()
        self.env = {**os.environ, **env, "STUDYBOT_WEB_PORT": str(self.port),
                    "STUDYBOT_WEB_HOST": "127.0.0.1", "STUDYBOT_LOG_LEVEL": "WARNING"}
        self.log_path = folder / f"{name}.log"
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self, within: float = 120.0) -> float:
        """Start and wait until /healthz says ready; returns the seconds that took."""
        log = self.log_path.open("wb")
        began = time.perf_counter()
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=self.env,
            stdout=log, stderr=asyncio.subprocess.STDOUT,
        )
        log.close()
        async with aiohttp.ClientSession() as http:
            while time.perf_counter() - began < within:
                if self.proc.returncode is not None:
                    raise RuntimeError(f"the bot exited with {self.proc.returncode}: "
                                       f"{self.log_tail()}")
                try:
                    async with http.get(self.url + "/healthz") as response:
                        if response.status == 200:
                            return time.perf_counter() - began
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        await self.kill()
        raise RuntimeError(f"the bot was not ready after {within:.0f} s: {self.log_tail()}")

    async def metric(self, name: str, **labels: str) -> float:
        """The sum of a metric's samples whose labels include `labels`."""
        from prometheus_client.parser import text_string_to_metric_families

        async with aiohttp.ClientSession() as http, http.get(self.url + "/metrics") as response:
            body = await response.text()
        total = 0.0
        for family in text_string_to_metric_families(body):
            for sample in family.samples:
                if sample.name == name and all(sample.labels.get(k) == v
                                               for k, v in labels.items()):
                    total += sample.value
        return total

    def memory_kb(self) -> tuple[int, int]:
        """(VmRSS, VmHWM) of the child in kB: resident now, and the peak."""
        return _status_kb(self.pid)

    async def stop(self, within: float = 60.0) -> int:
        """SIGTERM and wait; returns the exit code (0 is a clean shutdown)."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), within)
        except TimeoutError:
            await self.kill()
            return -9

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def _status_kb(pid: int) -> tuple[int, int]:
    values = {"VmRSS": 0, "VmHWM": 0}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key = line.split(":", 1)[0]
            if key in values:
                values[key] = int(line.split()[1])
    return values["VmRSS"], values["VmHWM"]
