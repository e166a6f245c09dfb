"""Streaks, leaderboards, progress and the weekly recap on Slack, through the real slack_bolt
app and the fake Slack (Socket Mode). The clock starts on Tuesday 2026-12-01 08:00 UTC.

Private answers cannot carry files on Slack, so /streak and /progress show the heatmap's text
version there; the recap is a channel post and uploads its picture.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clock import FakeClock
from bot.store.tables import Channel
from commands.leaderboard.pictures import HEIGHT, WIDTH
from tests.adapters.slack_driver import ALICE, BOB, CAROL, STUDY, Member, SlackDriver, slack_bot
from tests.commands.streaks_support import decode_png, grant, member_ids, record
from tests.fakes.slack_api import TEAM_ID, Sent


async def ids(slack: SlackDriver, member: Member) -> tuple[int, int]:
    return await member_ids(slack.app, "slack", TEAM_ID, member.id)


async def advance(slack: SlackDriver, when: datetime) -> None:
    await slack.app.scheduler.run_due(when)
    await slack.dispatcher.drain()


def readable(sent: list[Sent]) -> str:
    """What members read, with Slack's field layout (`*Name*` above the value) as `Name: value`."""
    return re.sub(r"\*([^*\n]+)\*(\n|: )", r"\1: ", "\n".join(s.readable for s in sent))


def posts_in(slack: SlackDriver, channel: str) -> list[Sent]:
    return [s for s in slack.sent if s.kind in ("message", "file") and s.channel == channel]


async def test_streak_milestone_freeze_reminder_and_repair_on_slack(
    sqlite_url: str, clock: FakeClock
) -> None:
    async with slack_bot(sqlite_url, clock) as slack:
        out = await slack.slash("streak", user=ALICE)
        assert "Current streak: 0 days" in readable(out)
        assert "Activity over the last 12 weeks: 0 active days" in readable(out)
        assert all(s.kind != "message" for s in out), "the answer is private"
        await slack.slash("me", user=BOB)
        ws, alice = await ids(slack, ALICE)
        for _ in range(7):
            await record(slack.app, ws, alice)
            await advance(slack, clock.now() + timedelta(days=1))
        milestone = [s for s in posts_in(slack, STUDY) if "reached a 7-day streak" in s.readable]
        assert len(milestone) == 1 and f"<@{ALICE.id}>" in milestone[0].readable

        out = await slack.slash("streak remind", user=ALICE, state="on")
        assert "Streak reminders are on" in readable(out)
        await advance(slack, datetime(2026, 12, 8, 21, 1, tzinfo=UTC))
        dms = posts_in(slack, slack.fake.dm_channel(ALICE.id))
        assert any("streak is at risk" in s.readable for s in dms)
        await advance(slack, datetime(2026, 12, 9, 0, 1, tzinfo=UTC))
        assert any("A streak freeze kept" in s.readable for s in posts_in(slack, STUDY))

        out = await slack.slash("streak", user=BOB, member=f"<@{ALICE.id}>")
        assert "Current streak: 7 days" in readable(out) and "Freezes held: 0 of 2" in readable(out)

        out = await slack.slash("streak repair", user=BOB, member=f"<@{ALICE.id}>",
                                date="2026-12-09")
        assert "Only workspace admins" in readable(out)
        await advance(slack, datetime(2026, 12, 10, 8, tzinfo=UTC))
        await record(slack.app, ws, alice)
        out = await slack.slash("streak repair", user=CAROL, member=f"<@{ALICE.id}>",
                                date="2026-12-09")
        assert "Their streak is now 9 days" in readable(out)
        out = await slack.slash("streak", user=ALICE, member="<@U0NOBODY>")
        assert "I don't know a member `U0NOBODY` here yet" in readable(out)


async def test_leaderboard_progress_and_recap_on_slack(sqlite_url: str, clock: FakeClock) -> None:
    async with slack_bot(sqlite_url, clock) as slack:
        for member in (ALICE, BOB, CAROL):
            await slack.slash("me", user=member)
        ws, alice = await ids(slack, ALICE)
        _, bob = await ids(slack, BOB)
        async with slack.app.store.session() as session:
            channel = await session.scalar(select(Channel).where(Channel.external_id == STUDY))
            assert channel is not None
            channel.settings = {"daily": {"days": "every day"}}
        await grant(slack.app, ws, alice, 40)
        await grant(slack.app, ws, bob, 30)
        out = readable(await slack.slash("leaderboard", user=BOB))
        assert "1. alice: 40 points" in out and "2. bob (you): 30 points" in out
        out = readable(await slack.slash("leaderboard", user=ALICE, period="year"))
        assert "`period` must be one of week, month, all (got `year`)." in out

        await record(slack.app, ws, alice, kind="quiz_answer", topic="linear_algebra",
                     correct=True)
        out = readable(await slack.slash("progress log", user=ALICE,
                                         text="trained a baseline", project="churn"))
        assert "Logged for churn: trained a baseline" in out
        out = readable(await slack.slash("progress", user=ALICE))
        assert "plan week 1 of 6 (Math foundations)" in out
        assert "Questions answered: 1 of 50" in out
        assert "Activity over the last 12 weeks: 2 active days" not in out  # one day, twice
        assert "Activity over the last 12 weeks: 1 active day of 79" in out

        await advance(slack, datetime(2026, 12, 7, 9, 1, tzinfo=UTC))
        recap = [s for s in posts_in(slack, STUDY) if "Weekly recap" in s.readable]
        assert len(recap) == 1 and "1. alice (40 points), 2. bob (30 points)" in recap[0].readable
        files = [f for f in slack.fake.files.values() if f["name"] == "weekly-recap.png"]
        assert len(files) == 1
        assert decode_png(files[0]["data"]).size == (WIDTH, HEIGHT)
        await advance(slack, datetime(2026, 12, 7, 12, tzinfo=UTC))
        assert len([s for s in posts_in(slack, STUDY) if "Weekly recap" in s.readable]) == 1
