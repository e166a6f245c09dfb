"""/progress through the console: plan targets, topics by week, weak spots, next steps, project
logs and the 12-week heatmap (decoded and counted cell by cell)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from PIL import Image
from sqlalchemy import func, select

from bot.adapters.console.port import STUDY, WORKSPACE
from bot.core.events import CommandInvoked
from bot.core.ids import UserRef
from bot.store.tables import Activity
from commands.progress.tables import ProjectMilestone
from commands.streaks.pictures import (
    BACKGROUND,
    EMPTY,
    HEIGHT,
    LEVELS,
    WEEKS,
    WIDTH,
    cell_box,
    first_day,
)
from tests.commands.streaks_support import act, join, shown_image, text
from tests.harness import ConsoleBot


def cells(image: Image.Image) -> dict[str, int]:
    """How many grid cells are active (green), empty (grey) or not drawn (future days)."""
    rgb = image.convert("RGB")
    found = {"active": 0, "empty": 0, "blank": 0}
    for column in range(WEEKS):
        for row in range(7):
            left, top, right, bottom = cell_box(column, row)
            colour = rgb.getpixel(((left + right) // 2, (top + bottom) // 2))
            if colour in LEVELS:
                found["active"] += 1
            elif colour == EMPTY:
                found["empty"] += 1
            else:
                assert colour == BACKGROUND, colour
                found["blank"] += 1
    return found


async def test_progress_shows_targets_topics_weak_spots_and_next_steps(
    console: ConsoleBot,
) -> None:
    await join(console, "alice")
    for i in range(6):
        await act(console, "alice", kind="quiz_answer", topic="linear_algebra", correct=True,
                  ref=f"quiz:1:{i}")
    for i, right in enumerate((True, False, False, False)):
        await act(console, "alice", kind="quiz_answer", topic="probability_statistics",
                  correct=right, ref=f"quiz:2:{i}")
    await act(console, "alice", kind="daily_answer", topic="coding", correct=True)
    await act(console, "alice", kind="mock_interview", ref="pair:7")
    out = text(await console.say('/progress log text:"cleaned the churn data" project:churn'))
    assert out == "[only alice] Logged for churn: cleaned the churn data (1 milestone so far)."
    out = text(await console.say('/progress log text:"shipped a <@everyone> demo" done:yes'))
    assert "Logged for churn: shipped a @everyone demo (2 milestones so far). Project " \
        "finished: 1 of 2 this plan round." in out

    out = text(await console.say("/progress"))
    assert "== Progress: alice, plan week 1 of 6 (Math foundations) ==" in out
    assert "Questions answered: 11 of 50" in out
    assert "Mock interviews: 1 of 4" in out
    assert "Projects: 1 of 2 finished (churn: 2 milestones, done)" in out
    assert "Topics by week: W1 Math foundations: 2 of 3 plan topics (linear algebra, " \
        "probability statistics); also coding ← this week" in out
    assert "W2 Core ML: from Tue 8 Dec" in out
    assert "Weakest topics: probability statistics 1/4" in out
    assert "Next: - Keep your 1-day streak today" not in out  # today is done
    assert "- Plan week 1 is Math foundations: practise calculus optimization" in out
    assert "- Review probability statistics: 1 of 4 right lately." in out
    assert "Streak: 1 day now, longest 1 day, 0 freezes held" in out
    image = shown_image(console, "heatmap.png")
    assert image.size == (WIDTH, HEIGHT)
    assert cells(image) == {"active": 1, "empty": 78, "blank": 5}


async def test_topics_are_counted_in_the_plan_week_they_were_practised(
    console: ConsoleBot,
) -> None:
    await join(console, "bob")
    await act(console, "bob", kind="daily_answer", topic="deep_learning", correct=True)
    await console.say("!time +8d")  # Wed 9 Dec: plan week 2
    await act(console, "bob", kind="quiz_answer", topic="supervised_learning", correct=True)
    await act(console, "bob", kind="quiz_answer", topic="evaluation", correct=False)
    out = text(await console.say("/progress", as_="bob"))
    assert "plan week 2 of 6 (Core ML)" in out
    assert "W1 Math foundations: 0 of 3 plan topics; also deep learning" in out
    assert "W2 Core ML: 2 of 4 plan topics (supervised learning, evaluation) ← this week" in out
    assert "Questions answered: 3 of 50" in out


async def test_the_heatmap_has_one_cell_per_day_for_twelve_weeks(console: ConsoleBot) -> None:
    await join(console, "cat")
    now = datetime(2026, 12, 1, 8, tzinfo=UTC)
    today = date(2026, 12, 1)
    # 9 active days inside the window (one with five things done), 2 before it.
    inside = [today - timedelta(days=d) for d in (0, 1, 2, 5, 13, 20, 40, 60, 78)]
    outside = [first_day(today) - timedelta(days=1), first_day(today) - timedelta(days=30)]
    for day in inside + outside:
        at = datetime.combine(day, now.timetz())
        await act(console, "cat", at=at)
    for _ in range(4):
        await act(console, "cat", at=now, kind="quiz_answer")
    out = text(await console.say("/streak", as_="cat"))
    assert "Activity over the last 12 weeks: 9 active days of 79; busiest Tue 1 Dec (5)." in out
    found = cells(shown_image(console, "heatmap.png"))
    # Tue 1 Dec is the second day of the last column: Wed..Sun of that week are not drawn.
    assert found == {"active": 9, "empty": 79 - 9, "blank": 5}
    rgb = shown_image(console, "heatmap.png").convert("RGB")
    left, top, right, bottom = cell_box(WEEKS - 1, 1)
    assert rgb.getpixel(((left + right) // 2, (top + bottom) // 2)) == LEVELS[3]
    assert "Streak: cat" in out and "Current streak: 3 days, today done" in out


async def test_a_redelivered_log_is_stored_once(console: ConsoleBot) -> None:
    await join(console, "dan")
    event = CommandInvoked(
        delivery_id="discord:123", actor=UserRef(WORKSPACE, "dan", "dan"), channel=STUDY,
        name="progress log", args={"text": "trained a baseline", "project": "fraud"},
    )
    first = await console.app.dispatcher.handle(event)
    assert await console.app.dispatcher.handle(event) is None
    assert first is not None and first.message is not None
    assert "Logged for fraud: trained a baseline (1 milestone so far)." in first.message.text
    async with console.app.store.session() as session:
        assert await session.scalar(select(func.count()).select_from(ProjectMilestone)) == 1
        assert await session.scalar(
            select(func.count()).select_from(Activity).where(
                Activity.kind == "project_milestone")
        ) == 1


async def test_bad_input_on_progress(console: ConsoleBot) -> None:
    await join(console, "eve")
    assert await console.say("/progress ghost", as_="eve") == [
        "[only eve] I don't know a member `ghost` here yet: members appear once they have used "
        "StudyBot in this workspace."
    ]
    out = text(await console.say("/progress log"))
    assert "`text` is required. Usage: `/progress log text:string" in out
    out = text(await console.say(f'/progress log text:"{"x" * 301}"'))
    assert "`text` is 301 characters long; the limit is 300." in out
    out = text(await console.say('/progress log text:"a step" done:perhaps'))
    assert "`done` must be yes or no, not `perhaps`." in out
    await join(console, "fay")
    await console.say("/me leaderboard show:off", as_="fay")
    out = await console.say("/progress fay", as_="eve")
    assert out == ["[only eve] fay keeps their stats to themselves (they left the boards)."]
