"""Pacing for fan-out: at most one write per channel per interval, and a workspace-wide pace.

Slack allows chat.postMessage about once per second per channel (short bursts pass) under an
unpublished workspace cap; slack_sdk only reacts after a 429. A daily post to hundreds of
channels therefore goes through this pacer, which hands out time slots before each call.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Callable


class Pacer:
    """Reserves send slots: per key (a channel) and globally. `reserve` is pure bookkeeping."""

    def __init__(
        self,
        per_key: float,
        overall: float,
        now: Callable[[], float] | None = None,
    ) -> None:
        self.per_key = per_key
        self.overall = overall
        self._now = now
        self._next_for: dict[str, float] = {}
        self._slots: list[float] = []  # reserved send times, sorted

    def reserve(self, key: str, now: float) -> float:
        """Book the earliest slot for `key` at or after `now`; returns how long to wait.

        A slot is at least `per_key` after the key's previous one and at least `overall` away
        from every other reserved slot, so a busy channel does not hold up the others."""
        self._slots = [t for t in self._slots if t > now - self.overall]
        start = max(now, self._next_for.get(key, now))
        for slot in self._slots:
            if slot <= start - self.overall:
                continue
            if slot >= start + self.overall:
                break
            start = slot + self.overall
        bisect.insort(self._slots, start)
        self._next_for[key] = start + self.per_key
        if len(self._next_for) > 10_000:  # forget channels whose next slot has passed
            self._next_for = {k: t for k, t in self._next_for.items() if t > now}
        return start - now

    async def wait(self, key: str) -> None:
        if self.per_key <= 0 and self.overall <= 0:
            return
        now = self._now() if self._now is not None else asyncio.get_running_loop().time()
        delay = self.reserve(key, now)
        if delay > 0:
            await asyncio.sleep(delay)
