"""The quiz stories' console bot: migrated, with the quiz test pack, stopped after the test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from tests.commands.quiz_support import start_bot
from tests.harness import ConsoleBot


@pytest.fixture
async def bot(sqlite_url: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[ConsoleBot]:
    started = await start_bot(sqlite_url, clock, tmp_path)
    yield started
    await started.stop()
