"""Streaks, leaderboards, progress and the weekly recap on Discord, through the fake Discord.

The clock starts on Tuesday 2026-12-01 08:00 UTC. Answers and points are recorded as the
daily question and quizzes record them (activity log and ledger), then the scheduler runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FakeClock
from commands.leaderboard.pictures import HEIGHT as RECAP_HEIGHT
from commands.leaderboard.pictures import WIDTH as RECAP_WIDTH
from commands.streaks.pictures import HEIGHT, WIDTH
from tests.adapters.discord_driver import DiscordDriver, discord_bot
from tests.commands.streaks_support import decode_png, grant, member_ids, record
from tests.fakes.discord_rest import ALICE, BOB, CAROL, GUILD_ID, STUDY_ID, FakeMessage, FakeUser


async def ids(driver: DiscordDriver, user: FakeUser) -> tuple[int, int]:
    return await member_ids(driver.app, "discord", str(GUILD_ID), str(user.id))


async def advance(driver: DiscordDriver, when: datetime) -> None:
    await driver.app.scheduler.run_due(when)
    await driver.settle()


def posts(driver: DiscordDriver, channel: int = STUDY_ID) -> list[FakeMessage]:
    return [m for m in driver.sent if m.channel_id == channel and not m.ephemeral]


def dms_to(driver: DiscordDriver, user: FakeUser) -> list[FakeMessage]:
    channel = driver.fake.dm_channel(user)
    return [m for m in driver.sent if m.channel_id == channel.id]


async def test_streak_milestone_freeze_reminder_and_repair_on_discord(
    sqlite_url: str, clock: FakeClock
) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        first = await driver.slash("streak", user=ALICE)
        assert first.ephemeral and "Current streak: 0 days" in first.text
        assert "heatmap.png" in first.message.files
        assert decode_png(first.message.files["heatmap.png"]).size == (WIDTH, HEIGHT)
        await driver.slash("me", user=BOB)
        ws, alice = await ids(driver, ALICE)
        for _ in range(7):
            await record(driver.app, ws, alice)
            await advance(driver, clock.now() + timedelta(days=1))
        milestone = [m for m in posts(driver) if "reached a 7-day streak" in m.text]
        assert len(milestone) == 1
        assert f"<@{ALICE.id}>" in milestone[0].text

        remind = await driver.slash("streak remind", user=ALICE, state="on")
        assert remind.ephemeral and "Streak reminders are on" in remind.text
        # Tue 8 Dec: no answer; at 21:00 UTC a private reminder, at midnight the freeze.
        await advance(driver, datetime(2026, 12, 8, 21, 1, tzinfo=UTC))
        assert any("streak is at risk" in m.text for m in dms_to(driver, ALICE))
        await advance(driver, datetime(2026, 12, 9, 0, 1, tzinfo=UTC))
        assert any("A streak freeze kept" in m.text for m in posts(driver))

        shown = await driver.slash("streak", user=BOB, member=ALICE)
        assert shown.ephemeral and "Current streak: 7 days" in shown.text
        assert "Freezes held: 0 of 2" in shown.text

        # The bot was down on Wed 9 Dec: an admin repairs it; a member cannot.
        refused = await driver.slash("streak repair", user=BOB, member=ALICE, date="2026-12-09")
        assert refused.ephemeral and "Only workspace admins" in refused.text
        await advance(driver, datetime(2026, 12, 10, 8, tzinfo=UTC))
        await record(driver.app, ws, alice)
        repaired = await driver.slash("streak repair", user=CAROL, member=ALICE,
                                      date="2026-12-09")
        assert repaired.ephemeral and "Their streak is now 9 days" in repaired.text
        bad = await driver.slash("streak repair", user=CAROL, member=ALICE, date="9 Dec")
        assert bad.ephemeral and "YYYY-MM-DD" in bad.text


async def test_leaderboard_progress_and_recap_on_discord(
    sqlite_url: str, clock: FakeClock
) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        for user in (ALICE, BOB, CAROL):
            await driver.slash("me", user=user)
        ws, alice = await ids(driver, ALICE)
        _, bob = await ids(driver, BOB)
        await set_channel_settings_discord(driver)
        await grant(driver.app, ws, alice, 30, topic="coding")
        await grant(driver.app, ws, bob, 30)
        board = await driver.slash("leaderboard", user=CAROL)
        assert board.ephemeral
        assert "1. " in board.text and ": 30 points" in board.text
        assert "Your place: No points here yet" in board.text
        topic = await driver.slash("leaderboard", user=ALICE, period="all", topic="coding")
        assert "Leaderboard: all time, Python, NumPy and pandas" in topic.text
        bad = await driver.slash("leaderboard", user=ALICE, topic="astrology")
        assert bad.ephemeral and "I don't know the topic `astrology`" in bad.text
        assert await driver.autocomplete("leaderboard", "topic", "deep") == ["deep_learning"]

        await record(driver.app, ws, alice, kind="quiz_answer", topic="linear_algebra",
                     correct=True)
        logged = await driver.slash("progress log", user=ALICE, text="trained a baseline",
                                    project="churn")
        assert logged.ephemeral and "Logged for churn: trained a baseline" in logged.text
        progress = await driver.slash("progress", user=ALICE)
        assert progress.ephemeral and "plan week 1 of 6 (Math foundations)" in progress.text
        assert "Questions answered: 1 of 50" in progress.text
        assert "heatmap.png" in progress.message.files

        await advance(driver, datetime(2026, 12, 7, 9, 1, tzinfo=UTC))
        recap = [m for m in posts(driver) if "Weekly recap" in m.text]
        assert len(recap) == 1 and "weekly-recap.png" in recap[0].files
        image = decode_png(recap[0].files["weekly-recap.png"])
        assert image.size == (RECAP_WIDTH, RECAP_HEIGHT)
        assert "Top members:" in recap[0].text
        await advance(driver, datetime(2026, 12, 7, 12, tzinfo=UTC))
        assert len([m for m in posts(driver) if "Weekly recap" in m.text]) == 1


async def set_channel_settings_discord(driver: DiscordDriver) -> None:
    """Mark the study channel as posting the daily question every day."""
    from sqlalchemy import select

    from bot.store.tables import Channel

    async with driver.app.store.session() as session:
        channel = await session.scalar(
            select(Channel).where(Channel.external_id == str(STUDY_ID))
        )
        assert channel is not None
        channel.settings = {"daily": {"days": "every day"}}

