"""What discord.py leaves to us: a global pace, request timeouts and retries of 503.

discord.py retries 429 (sleeping `retry_after`) and 500/502/504/524, but not 503, and sets no
request timeout. It has no pacer either: a fan-out to many channels would run into the global
limit of 50 requests/s (and repeated 429s get the host's IP banned). So every REST call of the
chat port goes through `Pacer.call`: one token from a 45/s bucket, a timeout per attempt, and
retries with exponential backoff and jitter for 503s (and timeouts, when repeating is safe:
every post carries a nonce, so a repeated post returns the first message).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
import discord

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts in all, backoff bounds (seconds), timeout per attempt."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    timeout: float = 15.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with jitter (between half and one and a half of the step)."""
        step = min(self.max_delay, self.base_delay * (2**attempt))
        return step * (0.5 + rng.random())


class RateLimiter:
    """A token bucket: `rate` requests per second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int | None = None) -> None:
        self.rate = rate
        self.burst = float(burst if burst is not None else max(1, int(rate)))
        self._tokens = self.burst
        self._stamp = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.rate)


class Pacer:
    """Runs REST operations under the global pace, with timeouts and retries."""

    def __init__(
        self,
        limiter: RateLimiter,
        policy: RetryPolicy,
        rng: random.Random | None = None,
    ) -> None:
        self.limiter = limiter
        self.policy = policy
        self._rng = rng or random.Random()
        self.retries = 0

    async def call(
        self, what: str, op: Callable[[], Awaitable[T]], *, repeatable: bool = True
    ) -> T:
        """Run `op` (a fresh request per call); `repeatable` says a timeout may be retried."""
        policy = self.policy
        for attempt in range(policy.attempts):
            await self.limiter.acquire()
            try:
                async with asyncio.timeout(policy.timeout):
                    return await op()
            except discord.DiscordServerError as exc:
                if exc.status != 503 or attempt == policy.attempts - 1:
                    raise
                reason = "503 Service Unavailable"
            except (TimeoutError, aiohttp.ClientConnectionError) as exc:
                if not repeatable or attempt == policy.attempts - 1:
                    raise
                reason = type(exc).__name__
            delay = policy.delay(attempt, self._rng)
            self.retries += 1
            log.warning("discord %s: %s; retry %d in %.2fs", what, reason, attempt + 1, delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")
