"""/leaderboard and the Monday recap through the console (the clock starts Tue 1 Dec 2026)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.core.ids import ChannelRef, MessageRef, Platform, ThreadRef
from bot.core.ui import Message
from commands.leaderboard.pictures import BAR, HEIGHT, WIDTH, bar_box
from commands.leaderboard.tables import Recap
from tests.commands.streaks_support import (
    act,
    give,
    join,
    set_channel_settings,
    shown_image,
    text,
)
from tests.harness import ConsoleBot
from tests.scheduling.support import RecordingPort

LA_001 = (
    "Compute the cosine similarity between a = (1, 2, 2) and b = (2, 0, 1). Round to two "
    "decimals."
)


async def test_the_weekly_board_with_ties_and_your_own_place(console: ConsoleBot) -> None:
    scores = {"ann": 40, "ben": 40, "cat": 30, "dan": 25, "eve": 20, "fay": 18, "gus": 16,
              "hal": 14, "ida": 12, "jon": 10, "kim": 8, "lea": 6, "max": 4}
    for name, points in scores.items():
        await join(console, name)
        assert await give(console, name, points, key=f"k:{name}")
    out = await console.say("/leaderboard", as_="lea")
    assert out[:12] == [
        "[only lea] == Leaderboard: this week (Mon 30 Nov to Sun 6 Dec, UTC) ==",
        "[only lea] 1. ben: 40 points",
        "[only lea] 1. ann: 40 points",
        "[only lea] 3. cat: 30 points",
        "[only lea] 4. dan: 25 points",
        "[only lea] 5. eve: 20 points",
        "[only lea] 6. fay: 18 points",
        "[only lea] 7. gus: 16 points",
        "[only lea] 8. hal: 14 points",
        "[only lea] 9. ida: 12 points",
        "[only lea] 10. jon: 10 points",
        "[only lea] Your place: #12 of 13 with 6 points",
    ]
    assert out[12:15] == [
        "[only lea]   11. kim: 8 points",
        "[only lea]   12. lea (you): 6 points",
        "[only lea]   13. max: 4 points",
    ]
    assert "Your place: #1 of 13 with 40 points" in text(await console.say("/leaderboard",
                                                                           as_="ann"))
    # A newcomer sees where the board stands.
    await join(console, "new")
    out = text(await console.say("/leaderboard period:week", as_="new"))
    assert "Your place: No points here yet; your first points put you on the board with the " \
        "13 members." in out


async def test_periods_and_topics(console: ConsoleBot) -> None:
    await join(console, "ann")
    await join(console, "ben")
    await give(console, "ann", 50, at=datetime(2026, 11, 27, tzinfo=UTC), topic="coding")
    await give(console, "ben", 5, topic="deep_learning")
    await give(console, "ann", 3, topic="deep_learning")
    week = text(await console.say("/leaderboard", as_="ann"))
    assert "1. ben: 5 points\n[only ann] 2. ann (you): 3 points" in week
    month = text(await console.say("/leaderboard month"))
    assert "this month (December 2026)" in month and "1. ben: 5 points" in month
    whole = text(await console.say("/leaderboard period:all"))
    assert "Leaderboard: all time" in whole and "1. ann (you): 53 points" in whole
    topic = text(await console.say('/leaderboard period:all topic:"Deep learning"'))
    assert "Leaderboard: all time, Deep learning" in topic
    assert "1. ben: 5 points\n[only ann] 2. ann (you): 3 points" in topic
    assert "1. ann (you): 50 points" in text(await console.say("/leaderboard all coding"))


async def test_members_off_the_boards_are_hidden_and_keep_their_points(
    console: ConsoleBot,
) -> None:
    for name, points in (("ann", 30), ("ben", 20), ("cat", 10)):
        await join(console, name)
        await give(console, name, points)
    await console.say("/me leaderboard show:off", as_="ann")
    out = text(await console.say("/leaderboard", as_="cat"))
    assert "ann" not in out and "1. ben: 20 points" in out
    assert "Your place: #2 of 2 with 10 points" in out
    out = text(await console.say("/leaderboard", as_="ann"))
    assert "You are off the boards (`/me leaderboard on` to come back). You have 30 points, " \
        "enough for #1." in out
    assert "Points: 30" in text(await console.say("/me"))
    # Points earned while away count when they come back.
    await give(console, "ann", 5)
    await console.say("/me leaderboard show:on", as_="ann")
    assert "1. ann (you): 35 points" in text(await console.say("/leaderboard"))


async def test_bad_period_and_topic_are_refused_privately(console: ConsoleBot) -> None:
    out = await console.say("/leaderboard period:year", as_="ann")
    assert out == ["[only ann] `period` must be one of week, month, all (got `year`)."]
    out = await console.say("/leaderboard topic:astrology")
    assert len(out) == 1
    assert out[0].startswith("[only ann] I don't know the topic `astrology`. Topics: behavioral,")
    out = await console.say("/leaderboard week coding extra")
    assert out[0].startswith("[only ann] I don't know what `extra` is for.")


async def test_monday_recap_in_the_daily_channel_once(console: ConsoleBot) -> None:
    for name in ("ann", "ben", "cat", "dan"):
        await join(console, name)
    await set_channel_settings(console, {"daily": {"days": "every day"}})
    await give(console, "ann", 30)
    await give(console, "ben", 20)
    await give(console, "cat", 10, reason="review_helpful")
    await give(console, "dan", 5, reason="review_helpful")
    await give(console, "dan", 4, reason="helpful_review")  # the daily feature's name
    for name in ("ann", "ben", "cat"):
        await act(console, name)
        await act(console, name, kind="daily_answer", ref="daily:1:la-001",
                  correct=False)
    await act(console, "dan", kind="quiz_answer", ref="quiz:4:2:la-001", correct=False)
    await act(console, "ann", kind="mock_interview", ref="pair:1")
    await act(console, "ben", kind="mock_interview", ref="pair:1")
    for day in range(6):  # ann keeps Tue 1 .. Mon 7 Dec, ben Fri 4 .. Mon 7 Dec
        await console.say("!time +1d")
        await act(console, "ann")
        if day >= 2:
            await act(console, "ben")
    await console.say("!time 2026-12-07T08:59")
    before = text(await console.say("!time 2026-12-07T08:59:30"))
    assert "recap" not in before.lower()
    out = await console.say("!time 2026-12-07T09:00")
    joined = text(out)
    assert "[#study] == Weekly recap: Mon 30 Nov to Sun 6 Dec ==" in joined
    assert "Top members: 1. ann (30 points), 2. ben (20 points), 3. cat (10 points), " \
        "4. dan (9 points)" in joined
    assert "Most helpful reviewers: dan (2 helpful reviews), cat (1 helpful review)" in joined
    assert f"Most-missed questions: {LA_001} (4 missed)" in joined
    assert "Mock interviews done: 1" in joined
    assert "Longest streaks: ann (7 days), ben (4 days)" in joined
    image = shown_image(console, "weekly-recap.png")
    assert image.size == (WIDTH, HEIGHT)
    rgb = image.convert("RGB")
    bars = [rgb.getpixel((bar_box(row, 1.0)[0] + 1, bar_box(row, 1.0)[1] + 5)) == BAR
            for row in range(5)]
    assert bars == [True, True, True, True, False]
    # Claimed once per channel and week: later ticks and a second instance do not repeat it.
    assert "recap" not in text(await console.say("!time +1d")).lower()
    async with console.app.store.session() as session:
        assert await session.scalar(select(func.count()).select_from(Recap)) == 1
    due = await console.app.scheduler.collect(datetime(2026, 12, 7, 10, tzinfo=UTC))
    assert not [w for w in due if w.key.startswith("leaderboard.recap")]


async def test_a_quiet_workspace_gets_no_recap(console: ConsoleBot) -> None:
    await join(console, "ann")
    await set_channel_settings(console, {"daily": {"days": "weekdays"}})
    out = text(await console.say("!time 2026-12-07T12:00"))
    assert "recap" not in out.lower()


@dataclass
class RecapRefusedOnce(RecordingPort):
    """The platform fails the first recap post (a 5xx, a dropped connection)."""

    refused: int = 0

    async def post(
        self, channel: ChannelRef, message: Message, *, thread: ThreadRef | None = None
    ) -> MessageRef:
        if "Weekly recap" in message.plain() and not self.refused:
            self.refused += 1
            raise ConnectionError("the platform hung up")
        return await super().post(channel, message, thread=thread)


async def test_a_recap_the_platform_refused_is_posted_on_retry_once(console: ConsoleBot) -> None:
    await join(console, "ann")
    await set_channel_settings(console, {"daily": {"days": "every day"}})
    await give(console, "ann", 30)
    flaky = RecapRefusedOnce(console.app.services.chats[Platform.CONSOLE])
    console.app.services.chats[Platform.CONSOLE] = flaky
    failed = text(await console.say("!time 2026-12-07T09:00"))
    assert "Weekly recap" not in failed and flaky.refused == 1
    assert "Weekly recap" not in text(await console.say("!time 2026-12-07T09:01"))  # not stale
    retried = text(await console.say("!time 2026-12-07T09:03"))
    assert retried.count("== Weekly recap: Mon 30 Nov to Sun 6 Dec ==") == 1, retried
    assert "Weekly recap" not in text(await console.say("!time +1d"))
