"""Inbound events delivered twice never count twice, whatever the feature.

A console story touches several features (daily answers in the thread and through the form,
a quiz answered right and wrong, a pairing join, a streak reminder switch, the close of the
day). The console delivers every event twice at once, as a retrying platform does; at the
end every distinct event that was accepted is delivered twice more, late. The points ledger
and the activity table must not change by a single row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.clock import FakeClock
from bot.config import Settings
from bot.store.tables import Activity, PointsEntry, ProcessedEvent
from tests.commands import daily_support, quiz_support
from tests.commands.daily_support import deliver_twice
from tests.commands.quiz_support import reply, shown
from tests.harness import ConsoleBot

Rows = list[tuple[Any, ...]]


async def snapshot(bot: ConsoleBot) -> tuple[Rows, Rows]:
    """Every ledger line and every activity row, as plain tuples."""
    async with bot.app.store.session() as session:
        ledger = sorted(
            tuple(row) for row in await session.execute(select(
                PointsEntry.key, PointsEntry.person_id, PointsEntry.points, PointsEntry.reason))
        )
        activity = sorted(
            tuple(row) for row in await session.execute(select(
                Activity.person_id, Activity.kind, Activity.ref, Activity.local_day,
                Activity.correct))
        )
    return ledger, activity


async def test_every_accepted_event_replayed_changes_no_ledger_or_activity_row(
    sqlite_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=sqlite_url,
        console_images_dir=str(tmp_path / "images"),
        extra_pack_dirs=[str(daily_support.write_pack(tmp_path / "daily")),
                         str(quiz_support.write_pack(tmp_path / "quiz"))],
    )
    bot = await ConsoleBot.start(settings, clock)
    try:
        seen = deliver_twice(bot)
        say = bot.say
        await say("/daily setup time:09:00 packs:daily-test")
        await say("!time +1h")
        await say("!thread")
        assert "is in." in "\n".join(await say("2", as_="alice"))
        assert "is in." in "\n".join(await say("A", as_="bob"))
        await say("!press Answer", as_="carol")
        assert "is in." in "\n".join(await say("b"))
        await say("!channel")
        await say('/pair join level:mid availability:"Thu 18:00-21:00"', as_="alice")
        await say("/streak remind state:on", as_="bob")
        out = await say("/quiz topic:general difficulty:easy count:2", as_="dave")
        out = await reply(bot, shown(bot, out), right=True, as_="dave")
        await reply(bot, shown(bot, out), right=False, as_="dave")
        await say("!time +25h")
        await bot.app.dispatcher.drain()

        ledger, activity = await snapshot(bot)
        assert {reason for *_, reason in ledger} >= {"daily_answer", "quiz_correct"}
        assert {kind for _, kind, *_ in activity} >= {"daily_answer", "quiz_answer"}
        assert seen.dropped >= 10  # the copies delivered at once were dropped

        async with bot.app.store.session() as session:
            accepted = set(await session.scalars(select(ProcessedEvent.delivery_id)))
        late = [event for event in seen.events if event.delivery_id in accepted]
        assert len({e.delivery_id for e in late}) >= 10
        for event in late:
            for _ in range(2):
                assert await bot.app.dispatcher.handle(event) is None, event.delivery_id
        await bot.app.dispatcher.drain()
        assert await snapshot(bot) == (ledger, activity)
    finally:
        await bot.stop()
