"""Injected time: the only place that reads the wall clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the current time as a timezone-aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to; tests and console scripts use it."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware time")
        self._now = max(self._now, when.astimezone(UTC))

    def advance(self, delta: timedelta) -> None:
        self._now = self._now + delta


class OffsetClock:
    """Real time shifted by an offset: the interactive console moves time forward with `!time`."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._base = datetime.now(UTC)
        self._mono = time.monotonic()

    def now(self) -> datetime:
        return self._base + timedelta(seconds=time.monotonic() - self._mono) + self._offset

    def set(self, when: datetime) -> None:
        current = self.now()
        if when > current:
            self._offset += when - current

    def advance(self, delta: timedelta) -> None:
        self._offset += delta
