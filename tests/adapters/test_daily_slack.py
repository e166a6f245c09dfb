"""The daily question on Slack, through the real slack_bolt app and the fake Slack.

Blind mode this time: a member writing in the thread is refused privately (ephemeral in the
thread), five members answer through the Answer button and modal, the close reveals every
answer in the thread, reviews go through the Review modal, a helpful rating, the results and
the points. Every delivery is delivered a second time (Slack's retries) without a double count.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.clock import FakeClock
from bot.packs.loader import load_many
from tests.adapters.slack_driver import ALICE, BOB, CAROL, STUDY, Member, SlackDriver, slack_bot
from tests.commands.daily_support import points_by_name, write_pack
from tests.fakes.slack_api import FakeSlack, Sent

DAVE = Member("U0DAVE", "dave")
ERIN = Member("U0ERIN", "erin")


def more_members(fake: FakeSlack) -> None:
    for member in (DAVE, ERIN):
        fake.add_user(member.id, member.name)
        fake.channels[STUDY]["members"].add(member.id)


async def twice(slack: SlackDriver, sent: list[Sent]) -> list[Sent]:
    """Slack retries the last delivery; nothing more may become visible."""
    again = await slack.redeliver()
    assert [s for s in again if s.kind != "view"] == [], again
    return sent


async def advance(slack: SlackDriver, when: datetime) -> None:
    await slack.app.scheduler.run_due(when)
    await slack.dispatcher.drain()


def readable(sent: list[Sent]) -> str:
    return "\n".join(s.readable for s in sent)


async def form(
    slack: SlackDriver, message: Sent, label: str, values: dict[str, str], user: Member
) -> list[Sent]:
    opened = await twice(slack, await slack.press(message, label, user=user))
    assert any(s.kind == "view" for s in opened), readable(opened)
    return await twice(slack, await slack.submit_form(values, user=user))


async def test_a_blind_daily_question_day_on_slack(
    sqlite_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    async with slack_bot(sqlite_url, clock, setup=more_members) as slack:
        (loaded,) = load_many(sorted(write_pack(tmp_path / "packs").glob("*.yaml")))
        assert loaded.pack is not None
        slack.app.services.packs.bundled[loaded.pack.id] = loaded.pack

        out = await twice(slack, await slack.slash(
            "daily setup", user=CAROL, time="10:00", timezone="Europe/Berlin", days="tue",
            packs="daily-test", topics="system_design", reveal="blind", quorum="2",
        ))
        assert "1 question to ask" in readable(out)
        assert "Tue 1 Dec 10:00 (Europe/Berlin)" in readable(out)
        refused = await slack.slash("daily setup", user=BOB, timezone="Mars/Base")
        assert "Only workspace admins" in readable(refused)

        await advance(slack, datetime(2026, 12, 1, 9, tzinfo=UTC))
        post = slack.last("message")
        assert post.channel == STUDY and "Daily question #1" in post.readable
        assert "answers stay private until the close" in post.readable

        said = await twice(slack, await slack.say("Watch the inputs", user=ALICE, thread=post))
        assert [s.kind for s in said] == ["ephemeral"] and said[0].thread_ts == post.ts
        assert "blind mode" in said[0].readable and "cannot delete" in said[0].readable

        answers = {
            ALICE: "KS test per feature, daily; alert an owner at p < 0.01.",
            BOB: "PSI on the top features, weekly.",
            CAROL: "Feature means and PSI; alert above 0.2; retrain.",
            DAVE: "Prediction drift and label delay.",
            ERIN: "Dashboards <!channel>.",
        }
        for member, answer in answers.items():
            done = await form(slack, post, "Answer", {"answer": answer}, member)
            assert "It stays private until the close" in readable(done)
        in_thread = [s for s in slack.sent if s.thread_ts == post.ts and s.kind == "message"]
        assert in_thread == []  # blind: nothing public before the close

        await advance(slack, datetime(2026, 12, 2, 9, tzinfo=UTC))
        thread = [s for s in slack.sent if s.thread_ts == post.ts and s.kind == "message"]
        assert "answers are closed" in thread[0].readable
        cards = {s.readable.splitlines()[0]: s for s in thread[1:]}
        assert len(cards) == 5, list(cards)
        notes = [s for s in slack.sent if s.kind == "ephemeral" and s.user == ALICE.id]
        assert "Please review answers #2 and #3" in notes[-1].readable

        def card(number: int) -> Sent:
            return next(s for s in thread if any(
                e["text"]["text"] == f"Review #{number}" for e in s.elements()))

        assert "Dashboards" in card(5).readable  # revealed as written, without pinging
        own = await slack.press(card(1), "Review #1", user=ALICE)
        assert "your own answer" in readable(own)
        opened = await slack.press(card(2), "Review #2", user=ALICE)
        view = [s for s in opened if s.kind == "view"][-1]
        assert view.view is not None
        inputs = [b for b in view.view["blocks"] if b["type"] == "input"]
        assert len(inputs) == 5  # four rubric criteria and the comment
        values = {b["block_id"]: "5" for b in inputs[:4]} | {"comment": "complete"}
        await twice(slack, await slack.submit_form(values, user=ALICE))
        bad = await slack.press(card(3), "Review #3", user=ALICE)
        assert any(s.kind == "view" for s in bad)
        refused = await slack.submit_form({"c1": "9", "c2": "4", "c3": "4", "c4": "4"},
                                          user=ALICE)
        assert "Scores are whole numbers from 1 to 5" in readable(refused)
        await form(slack, card(3), "Review #3", {"c1": "4", "c2": "4", "c3": "4", "c4": "4"},
                   ALICE)
        await form(slack, card(2), "Review #2", {"c1": "4", "c2": "4", "c3": "4", "c4": "4"},
                   CAROL)
        await form(slack, card(1), "Review #1", {"c1": "3", "c2": "3", "c3": "3", "c4": "3"},
                   CAROL)

        mine = await twice(slack, await slack.slash("daily reviews", user=BOB))
        assert "Your answer #2: Score 4.5/5 from 2 review(s)" in readable(mine)
        rated = await twice(slack, await slack.press(mine[-1], "Helpful #1", user=BOB))
        assert "Marked helpful" in readable(rated)

        await advance(slack, datetime(2026, 12, 3, 9, tzinfo=UTC))
        results = slack.last("message")
        assert results.thread_ts == post.ts and "results" in results.readable
        assert "#2 bob: 4.5/5 (2 reviews)" in results.readable
        assert "Unscored (no reviews)*\n#4 dave, #5 erin" in results.readable

        assert await points_by_name(slack.app) == {
            "alice": 3 + 4 + 3,
            "bob": 3 + 5,
            "carol": 3 + 5 + 4,
            "dave": 3,
            "erin": 3,
        }
