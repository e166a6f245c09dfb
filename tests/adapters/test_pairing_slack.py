"""Pairing rounds on Slack, through the real slack_bolt app and the fake Slack: join by command
and by button + modal, a group DM per pair, questions by DM, slots, feedback, a no-show.

The clock starts on Tuesday 2026-12-01 08:00 UTC; round 1 is paired on Wednesday 09:00.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import FakeClock
from tests.adapters.slack_driver import ALICE, BOB, CAROL, STUDY, Member, SlackDriver, slack_bot
from tests.fakes.slack_api import FakeSlack, Sent

DAVE = Member("U0DAVE", "dave")


def add_dave(fake: FakeSlack) -> None:
    fake.add_user(DAVE.id, DAVE.name)
    fake.channels[STUDY]["members"].add(DAVE.id)


async def advance(slack: SlackDriver, when: datetime) -> None:
    await slack.app.scheduler.run_due(when)
    await slack.dispatcher.drain()


def readable(sent: list[Sent]) -> str:
    return "\n".join(s.readable for s in sent)


def posts_in(slack: SlackDriver, channel: str) -> list[Sent]:
    return [s for s in slack.sent if s.kind == "message" and s.channel == channel]


def dms_to(slack: SlackDriver, member: Member) -> list[Sent]:
    return posts_in(slack, slack.fake.dm_channel(member.id))


def group_dm(slack: SlackDriver, *members: Member) -> str:
    wanted = {"U0BOT", *(m.id for m in members)}
    found = [c["id"] for c in slack.fake.channels.values()
             if c["is_mpim"] and wanted <= c["members"]]
    assert len(found) == 1, found
    return str(found[0])


async def test_a_round_on_slack_from_joining_to_feedback(sqlite_url: str, clock: FakeClock) -> None:
    async with slack_bot(sqlite_url, clock, setup=add_dave) as slack:
        out = await slack.slash("pair join", user=ALICE, level="mid",
                                availability="Thu 18:00-21:00")
        assert "You're in round 1" in readable(out)
        assert all(s.kind != "message" for s in out), "the answer is private"
        out = await slack.slash("pair join", user=ALICE)
        assert "You're already in round 1" in readable(out)
        out = await slack.slash("pair join", user=BOB, availability="Mon 25:00-26:00")
        assert "`25:00` is not a time of day" in readable(out)
        await slack.slash("pair join", user=BOB, availability="Thu 18:00-21:00")
        await slack.slash("pair join", user=CAROL, level="senior",
                          availability="Sat 10:00-13:00")

        # the announcement's Join button opens a modal for a first-timer
        await advance(slack, clock.now())
        post = [s for s in posts_in(slack, STUDY) if s.elements()][-1]
        assert "Mock-interview round 1 is open" in post.readable
        opened = await slack.press(post, "Join", user=DAVE)
        assert any(s.kind == "view" for s in opened)
        done = await slack.submit_form(
            {"level": "senior", "role": "both", "availability": "Sat 09:00-12:00"}, user=DAVE
        )
        await slack.dispatcher.drain()
        assert "You're in round 1" in readable(done + slack.sent[-2:])

        await advance(slack, datetime(2026, 12, 2, 9, tzinfo=UTC))
        pair = group_dm(slack, ALICE, BOB)
        group_dm(slack, CAROL, DAVE)
        intro = posts_in(slack, pair)[0]
        assert "Mock interview, round 1" in intro.readable
        assert "Swap every 45 minutes" in intro.readable
        assert any("Your technical question for bob" in s.readable for s in dms_to(slack, ALICE))
        assert any("Your behavioral question for alice" in s.readable
                   for s in dms_to(slack, BOB))
        assert "Round 1 is paired: 2 pairs" in posts_in(slack, STUDY)[-1].readable

        picked = await slack.press(intro, "Slot 1", user=ALICE)
        await slack.dispatcher.drain()
        assert "alice picked a time" in readable(picked + slack.sent[-2:])

        await advance(slack, datetime(2026, 12, 3, 19, 45, tzinfo=UTC))
        request = [s for s in dms_to(slack, ALICE) if "How did your mock interview" in s.readable]
        assert request
        opened = await slack.press(request[-1], "Feedback for bob", user=ALICE)
        assert any(s.kind == "view" for s in opened)
        await slack.submit_form(
            {"overall": "4", "strengths": "Clear", "improve": "Numbers"}, user=ALICE
        )
        await slack.dispatcher.drain()
        delivered = [s for s in dms_to(slack, BOB) if "Feedback from alice" in s.readable]
        assert len(delivered) == 1 and "4 / 5" in delivered[0].readable
        # pressed again (or the modal submitted again): refused, still one delivery
        again = await slack.press(request[-1], "Feedback for bob", user=ALICE)
        assert "already sent feedback" in readable(again)

        await advance(slack, datetime(2026, 12, 8, 21, tzinfo=UTC))
        other = [s for s in dms_to(slack, DAVE) if "How did your mock interview" in s.readable]
        assert other
        report = await slack.press(other[-1], "carol didn't show", user=DAVE)
        assert "Nobody free at your times is waiting" in readable(report)
        await slack.dispatcher.drain()
        assert any("dave reported that you missed" in s.readable for s in dms_to(slack, CAROL))

        out = await slack.slash("pair status", user=BOB)
        assert "Mock interviews done*: 1 of the plan's 4" in readable(out)
        out = await slack.slash("pair admin", user=CAROL)
        assert "carol: joined 2, met 0, no-shows 1, reported 0" in readable(out)
