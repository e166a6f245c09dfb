"""Setting the daily question up, and when and what it posts, through the console."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.core.ids import Platform
from bot.packs.plan import PLAN
from commands.daily.tables import DailyPost, DailySchedule
from tests.commands.daily_support import count, start_bot, text
from tests.harness import ConsoleBot
from tests.scheduling.support import Unreachable


@pytest.fixture
async def bot(sqlite_url: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[ConsoleBot]:
    started = await start_bot(sqlite_url, clock, tmp_path)
    yield started
    await started.stop()


async def posts(bot: ConsoleBot) -> list[DailyPost]:
    async with bot.app.store.session() as session:
        return list(await session.scalars(select(DailyPost).order_by(DailyPost.number)))


BAD_SETUPS = [
    ("/daily setup timezone:Mars/Base", "`Mars/Base` is not a timezone I know"),
    ("/daily setup time:25:00", "`25:00` is not a time I can read. Use 24-hour HH:MM"),
    ("/daily setup days:funday", "`funday` is not a list of days I can read"),
    ("/daily setup packs:daily-test,nope", "I don't know the pack `nope`. Known packs: "),
    ("/daily setup topics:cooking,baking",
     "I don't know the topics `cooking`, `baking`. Known topics: behavioral,"),
    ("/daily setup packs:daily-test topics:deep_learning",
     "No question is in packs daily-test with topics deep_learning"),
    ("/daily setup window:0", "`window` must be at least 1"),
    ("/daily setup reveal:hidden", "`reveal` must be one of open, blind"),
    ("/daily setup quorum:11", "`quorum` must be at most 10"),
]


async def test_bad_setup_is_refused_and_nothing_is_stored(bot: ConsoleBot) -> None:
    for line, expected in BAD_SETUPS:
        out = text(await bot.say(line))
        assert out.startswith("[only you] ") and expected in out, (line, out)
    assert await count(bot, DailySchedule) == 0
    # A refused change leaves an existing setup as it was.
    await bot.say("/daily setup time:07:00 timezone:Europe/Paris")
    for line, _ in BAD_SETUPS:
        await bot.say(line.replace("/daily setup", "/daily setup time:08:00"))
    assert "Posts: every day at 07:00 (Europe/Paris)" in text(await bot.say("/daily"))


async def test_only_admins_set_up_pause_resume_or_post_now(bot: ConsoleBot) -> None:
    for line in ("/daily setup", "/daily pause", "/daily resume", "/daily now"):
        out = await bot.say(line, as_="mallory")
        assert out == [f"[only mallory] Only workspace admins can use `{line}`."]
    assert await count(bot, DailySchedule) == 0
    out = text(await bot.say("/daily", as_="mallory"))
    assert "This channel has no daily question. An admin can start one" in out
    assert "Set it up with `/daily setup`" in text(await bot.say("/daily now", as_="you"))


async def test_a_second_setup_changes_only_what_it_names(bot: ConsoleBot) -> None:
    await bot.say("/daily setup time:18:30 timezone:Asia/Kolkata days:weekdays reveal:blind")
    out = text(await bot.say("/daily setup window:12"))
    assert "is updated" in out
    out = text(await bot.say("/daily status", as_="bob"))
    assert "Daily question: running" in out
    assert "Posts: weekdays at 18:30 (Asia/Kolkata)" in out
    assert "Next post: Tue 1 Dec 18:30 (Asia/Kolkata)" in out
    assert "Answers: blind mode, 12 h to answer" in out
    assert "Topics: the study plan's week" in out and "Plan week: 1: Math foundations" in out
    out = text(await bot.say("/me", as_="bob"))
    assert "Timezone: Asia/Kolkata (channel default)" in out


async def test_pause_skips_days_and_resume_does_not_make_them_up(bot: ConsoleBot) -> None:
    await bot.say("/daily setup time:09:00 timezone:UTC packs:daily-test")
    await bot.say("!time +1h")
    assert len(await posts(bot)) == 1
    out = text(await bot.say("/daily pause"))
    assert "Paused" in out and "Open questions still close" in out
    assert "already paused" in text(await bot.say("/daily pause"))
    out = text(await bot.say("!time +2d"))
    assert "Daily question #2" not in out
    assert "answers are closed" in out  # the open question still closed
    assert "Daily question: paused" in text(await bot.say("/daily status"))
    out = text(await bot.say("/daily resume"))
    assert "Resumed. The next question comes Fri 4 Dec 09:00 (UTC)." in out
    out = text(await bot.say("!time +1d"))
    assert "== Daily question #2 · Fri 4 Dec 2026 ==" in out
    assert [p.slot for p in await posts(bot)] == ["2026-12-01", "2026-12-04"]


async def test_post_now_has_its_own_claim_and_keeps_todays_slot(bot: ConsoleBot) -> None:
    await bot.say("/daily setup time:10:00 timezone:UTC packs:daily-test")
    out = text(await bot.say("/daily now"))
    assert "[only you] Posting daily question #1 now." in out
    assert "[#study] == Daily question #1 · Tue 1 Dec 2026 ==" in out
    out = text(await bot.say("!time +2h"))
    assert "== Daily question #2 · Tue 1 Dec 2026 ==" in out
    assert [(p.slot, p.question_id) for p in await posts(bot)] == [
        ("now-1", "dt-mcq"), ("2026-12-01", "dt-open")
    ]


async def test_questions_do_not_repeat_until_the_pool_is_used_up(bot: ConsoleBot) -> None:
    await bot.say("/daily setup time:09:00 timezone:UTC packs:daily-test")
    await bot.say("!time +4d")
    asked = [(p.question_id, p.cycle) for p in await posts(bot)]
    assert asked[:3] == [("dt-mcq", 1), ("dt-open", 1), ("dt-num", 1)]
    assert asked[3][1] == 2  # the pool of three was used up: a new round began
    assert "3 questions, 1 asked in round 2" in text(await bot.say("/daily status"))


async def test_without_chosen_topics_the_plan_week_decides(bot: ConsoleBot) -> None:
    await bot.say("/daily setup time:09:00 timezone:UTC")
    await bot.say("!time +8d")
    found = await posts(bot)
    assert len(found) == 8
    assert {p.topic for p in found[:7]} <= set(PLAN[0].topics)
    assert found[7].topic in PLAN[1].topics


async def test_spring_forward_posts_at_the_next_valid_minute(bot: ConsoleBot) -> None:
    await bot.say("!time 2027-03-12T12:00")
    await bot.say("/daily setup time:02:30 timezone:America/New_York packs:daily-test")
    await bot.say("!time 2027-03-15T12:00")
    found = await posts(bot)
    assert [(p.slot, p.claimed_at.strftime("%d %H:%M")) for p in found] == [
        ("2027-03-13", "13 07:30"),  # 02:30 EST
        ("2027-03-14", "14 07:00"),  # 02:30 does not exist: 03:00 EDT
        ("2027-03-15", "15 06:30"),  # 02:30 EDT
    ]


async def test_fall_back_posts_once_in_the_repeated_hour(bot: ConsoleBot) -> None:
    await bot.say("!time 2027-11-06T12:00")
    await bot.say("/daily setup time:01:30 timezone:America/New_York packs:daily-test")
    await bot.say("!time 2027-11-07T05:45")
    # A wake-up firing again at the second 01:30 (06:30 UTC) finds the day claimed.
    await bot.say("!time 2027-11-07T06:45")
    assert [(p.slot, p.claimed_at.strftime("%H:%M")) for p in await posts(bot)] == [
        ("2027-11-07", "05:30")
    ]


async def test_suggestions_complete_the_last_item_of_a_list(bot: ConsoleBot) -> None:
    dispatcher = bot.app.dispatcher
    assert await dispatcher.suggest("topic", "linear_algebra,prob") == [
        "linear_algebra,probability_statistics"
    ]
    assert "daily-test" in await dispatcher.suggest("pack", "daily")
    assert await dispatcher.suggest("pack", "daily-test,daily") == []


async def test_status_tells_when_the_platform_has_not_taken_the_question_yet(
    bot: ConsoleBot,
) -> None:
    await bot.say("/daily setup time:09:00 timezone:UTC packs:daily-test")
    bot.app.services.chats[Platform.CONSOLE] = Unreachable(bot.adapter.console_port)
    await bot.say("!time +1h")  # claimed at 09:00, refused by the platform
    out = text(await bot.say("/daily status", as_="bob"))
    assert "Question #1: not in the channel yet" in out
    assert "I try again every 2 minutes until Wed 2 Dec 09:00" in out
    bot.app.services.chats[Platform.CONSOLE] = bot.adapter.console_port  # back up
    out = text(await bot.say("!time +3m"))
    assert "== Daily question #1 · Tue 1 Dec 2026 ==" in out
    assert "answers open until" in text(await bot.say("/daily status", as_="bob"))
