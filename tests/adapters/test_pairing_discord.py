"""Pairing rounds on Discord, through the fake Discord: join by command and by button + form,
private threads per pair, questions by DM, slots, feedback forms and a no-show.

The clock starts on Tuesday 2026-12-01 08:00 UTC; round 1 is paired on Wednesday 09:00.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import FakeClock
from tests.adapters.discord_driver import DiscordDriver, discord_bot
from tests.fakes.discord_rest import ALICE, BOB, CAROL, DAVE, STUDY_ID, FakeMessage, FakeUser


async def advance(driver: DiscordDriver, clock: FakeClock, when: datetime) -> None:
    await driver.app.scheduler.run_due(when)
    await driver.settle()


def dms_to(driver: DiscordDriver, user: FakeUser) -> list[FakeMessage]:
    channel = driver.fake.dm_channel(user)
    return [m for m in driver.sent if m.channel_id == channel.id]


def in_channel(driver: DiscordDriver, channel_id: int) -> list[FakeMessage]:
    return [m for m in driver.sent if m.channel_id == channel_id and not m.ephemeral]


def thread_of(driver: DiscordDriver, *users: FakeUser) -> int:
    wanted = {u.id for u in users}
    found = [t.id for t in driver.fake.threads() if t.type == 12 and wanted <= t.members]
    assert len(found) == 1, [(t.name, t.members) for t in driver.fake.threads()]
    return found[0]


async def test_a_round_on_discord_from_joining_to_feedback(
    sqlite_url: str, clock: FakeClock
) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        joined = await driver.slash("pair join", user=ALICE, level="mid",
                                    availability="Thu 18:00-21:00")
        assert joined.ephemeral and "You're in round 1" in joined.text
        again = await driver.slash("pair join", user=ALICE)
        assert again.ephemeral and "You're already in round 1" in again.text
        bad = await driver.slash("pair join", user=BOB, availability="Mon 25:00-26:00")
        assert bad.ephemeral and "`25:00` is not a time of day" in bad.text
        await driver.slash("pair join", user=BOB, availability="Thu 18:00-21:00")
        await driver.slash("pair join", user=CAROL, level="senior",
                           availability="Sat 10:00-13:00")

        # the round's announcement, with its Join button: a first-timer gets a form
        await advance(driver, clock, clock.now())
        post = in_channel(driver, STUDY_ID)[-1]
        assert "Mock-interview round 1 is open" in post.text
        assert post.buttons == ["Join", "Join with new preferences"]
        opened = await driver.press(post, "Join", user=DAVE)
        assert opened.modal is not None
        done = await driver.submit_form(
            opened, {"level": "senior", "role": "both", "availability": "Sat 09:00-12:00"},
            user=DAVE,
        )
        assert done.ephemeral and "You're in round 1" in done.text

        await advance(driver, clock, datetime(2026, 12, 2, 9, tzinfo=UTC))
        # one private thread per pair, members added, the introduction inside
        pair = thread_of(driver, ALICE, BOB)
        thread_of(driver, CAROL, DAVE)
        intro = in_channel(driver, pair)[0]
        assert "Mock interview, round 1" in intro.text and "Swap every 45 minutes" in intro.text
        assert intro.buttons[:2] == ["Slot 1", "Slot 2"]
        # questions reach each interviewer privately
        # (Discord shows members by their display names: Alice, Bob, ...)
        assert any("Your technical question for Bob" in m.text for m in dms_to(driver, ALICE))
        assert any("Your behavioral question for Alice" in m.text for m in dms_to(driver, BOB))
        assert "Round 1 is paired: 2 pairs" in in_channel(driver, STUDY_ID)[-1].text

        # a member outside the pair cannot pick its time; a member can
        outsider = await driver.press(intro, "Slot 1", user=CAROL)
        assert outsider.ephemeral and "weren't in that pair" in outsider.text
        picked = await driver.press(intro, "Slot 1", user=ALICE)
        assert "Alice picked a time" in picked.text and not picked.ephemeral

        # after the slot: a private feedback request, the form, delivery to the partner only
        await advance(driver, clock, datetime(2026, 12, 3, 19, 45, tzinfo=UTC))
        request = [m for m in dms_to(driver, ALICE) if "How did your mock interview" in m.text]
        assert request and request[-1].buttons == ["Feedback for Bob", "Bob didn't show"]
        form = await driver.press(request[-1], "Feedback for Bob", user=ALICE)
        assert form.modal is not None
        thanks = await driver.submit_form(
            form, {"overall": "4", "strengths": "Clear", "improve": "Numbers"}, user=ALICE
        )
        await driver.settle()
        assert thanks.ephemeral and "I sent your feedback to Bob privately" in thanks.text
        feedback = [m for m in dms_to(driver, BOB) if "Feedback from Alice" in m.text]
        assert len(feedback) == 1 and "Overall: 4 / 5" in feedback[0].text
        twice = await driver.press(request[-1], "Feedback for Bob", user=ALICE)
        assert twice.ephemeral and "already sent feedback" in twice.text

        # carol and dave never met: dave reports it, nobody is waiting
        await advance(driver, clock, datetime(2026, 12, 8, 21, tzinfo=UTC))
        other = [m for m in dms_to(driver, DAVE) if "How did your mock interview" in m.text]
        assert other
        report = await driver.press(other[-1], "Carol didn't show", user=DAVE)
        assert report.ephemeral and "Nobody free at your times is waiting" in report.text
        await driver.settle()
        assert any("Dave reported that you missed" in m.text for m in dms_to(driver, CAROL))

        status = await driver.slash("pair status", user=BOB)
        assert status.ephemeral and "Mock interviews done: 1 of the plan's 4" in status.text
        admin = await driver.slash("pair admin", user=CAROL)
        assert "Carol: joined 2, met 0, no-shows 1, reported 0" in admin.text
