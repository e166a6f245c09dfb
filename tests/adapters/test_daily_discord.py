"""The daily question on Discord, through the fake Discord, every event delivered twice.

Setup by an admin, the post with its thread, five members answering in the thread (with the
message-content intent) and through the Answer button and modal, the close with the answer
cards, reviews through the Review modal, a helpful rating, the results and the points.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.clock import FakeClock
from tests.adapters.discord_driver import Answer, DiscordDriver, discord_bot
from tests.commands.daily_support import points_by_name, write_pack
from tests.fakes.discord_rest import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    STUDY_ID,
    FakeMessage,
    FakeUser,
)

ERIN = FakeUser(1400000000000000005, "erin")


async def twice(driver: DiscordDriver, answer: Answer) -> Answer:
    """Discord delivers the same interaction again; the bot must not act twice."""
    await driver.fake.redeliver_interaction(answer.interaction)
    await driver.delivered(f"discord:interaction:{answer.interaction.id}", times=2)
    await driver.settle()
    return answer


async def say_twice(driver: DiscordDriver, channel: int, text: str, user: FakeUser) -> None:
    said = await driver.say(channel, text, user=user)
    await driver.fake.redeliver_message(said)
    await driver.delivered(f"discord:message:{said.id}", times=2)
    await driver.settle()


async def advance(driver: DiscordDriver, when: datetime) -> None:
    await driver.app.scheduler.run_due(when)
    await driver.settle()


def dms(driver: DiscordDriver, user: FakeUser) -> list[str]:
    channel = driver.fake.dm_channel(user).id
    return [m.text for m in driver.sent if m.channel_id == channel]


def in_thread(driver: DiscordDriver, thread: int) -> list[FakeMessage]:
    return [m for m in driver.sent if m.channel_id == thread]


async def form(
    driver: DiscordDriver, message: FakeMessage, label: str, values: dict[str, str],
    user: FakeUser,
) -> Answer:
    opened = await twice(driver, await driver.press(message, label, user=user))
    assert opened.modal is not None, opened.text
    return await twice(driver, await driver.submit_form(opened, values, user=user))


async def test_a_daily_question_day_on_discord(
    sqlite_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    packs = write_pack(tmp_path / "packs")
    async with discord_bot(sqlite_url, clock, extra_pack_dirs=[str(packs)],
                           discord_message_content=True) as driver:
        refused = await driver.slash("daily setup", user=ALICE, packs="daily-test")
        assert refused.ephemeral and "Only workspace admins" in refused.text
        done = await twice(driver, await driver.slash(
            "daily setup", user=CAROL, time="10:00", timezone="Europe/Berlin",
            days="mon,tue", packs="daily-test", quorum=2,
        ))
        assert done.ephemeral and "Next post: Tue 1 Dec 10:00 (Europe/Berlin)" in done.text
        suggested = await driver.autocomplete("daily setup", "packs", "daily", user=CAROL)
        assert "daily-test" in suggested

        await advance(driver, datetime(2026, 12, 1, 9, tzinfo=UTC))
        post = [m for m in driver.sent if m.channel_id == STUDY_ID and not m.ephemeral][-1]
        assert "Daily question #1" in post.text and post.buttons == ["Answer"]
        assert "Reply in the thread below" in post.text  # the content intent is on
        assert post.thread_id is not None
        thread = post.thread_id

        await say_twice(driver, thread, "2", ALICE)
        assert any("Correct!" in t for t in dms(driver, ALICE))  # the private reply: a DM
        done = await form(driver, post, "Answer", {"answer": "A"}, BOB)
        assert done.ephemeral and "is in." in done.text and "Not quite" in done.text
        assert any("Bob answered" in m.text for m in in_thread(driver, thread))
        await say_twice(driver, thread, "B", DAVE)
        await form(driver, post, "Answer", {"answer": "3"}, ERIN)
        await say_twice(driver, thread, "B", CAROL)
        await say_twice(driver, thread, "thanks all", ALICE)  # discussion: no reply
        assert sum("is in." in t for t in dms(driver, ALICE)) == 1

        await advance(driver, datetime(2026, 12, 2, 9, tzinfo=UTC))
        shown = in_thread(driver, thread)
        assert any("answers are closed" in m.text and "Precision" in m.text for m in shown)
        cards = [m for m in shown if any(b.startswith("Review #") for b in m.buttons)]
        assert len(cards) == 5, [m.text for m in cards]
        assert any("Please review answers #2 and #3" in t for t in dms(driver, ALICE))
        late = await driver.press(post, "Answer", user=BOB)
        assert late.ephemeral and "closed at Wed 2 Dec 10:00" in late.text

        def card(number: int) -> FakeMessage:
            return next(m for m in shown if f"Review #{number}" in m.buttons)

        own = await driver.press(card(2), "Review #2", user=BOB)
        assert own.ephemeral and "your own answer" in own.text
        opened = await driver.press(card(2), "Review #2", user=ALICE)
        assert opened.modal is not None
        labels = [c["label"] for row in opened.modal["components"]
                  for c in row.get("components", [row.get("component", {})])]
        assert all(len(label) <= 45 for label in labels) and len(labels) == 4
        await twice(driver, await driver.submit_form(
            opened, {"c1": "5", "c2": "5", "c3": "5", "comment": "clear"}, user=ALICE))
        await form(driver, card(3), "Review #3", {"c1": "4", "c2": "4", "c3": "4"}, ALICE)
        await form(driver, card(1), "Review #1", {"c1": "4", "c2": "4", "c3": "4"}, DAVE)
        done = await form(driver, card(2), "Review #2",
                          {"c1": "5", "c2": "5", "c3": "4", "comment": "@everyone look"}, CAROL)
        assert "saved" in done.text

        mine = await twice(driver, await driver.slash("daily reviews", user=BOB))
        assert mine.ephemeral and "Your answer #2: Score 4.8/5 from 2 review(s)" in mine.text
        rated = await twice(driver, await driver.press(mine, "Helpful #1", user=BOB))
        assert "Marked helpful" in rated.text

        await advance(driver, datetime(2026, 12, 3, 9, tzinfo=UTC))
        results = in_thread(driver, thread)[-1]
        assert "results" in results.text and "#2 Bob: 4.8/5" in results.text
        assert "Unscored (no reviews): #4 Erin, #5 Carol" in results.text

        assert await points_by_name(driver.app) == {
            "Alice": 2 + 1 + 5 + 4 + 5 + 3,
            "Bob": 2 + 1 + 5,
            "Dave": 2 + 1 + 5 + 2 + 5,
            "Erin": 2 + 1,
            "Carol": 2 + 1 + 5 + 2,
        }
        # Every redelivered copy was dropped: 2 commands, 6 presses, 6 forms, 4 messages.
        assert driver.outcomes("duplicate") == 18
        # Member text shown again never pings.
        mentions = [m.allowed_mentions for m in driver.sent if "@everyone look" in m.text]
        assert mentions and all(a is not None and not a.get("parse") for a in mentions)
