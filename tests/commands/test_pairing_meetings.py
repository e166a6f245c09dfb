"""After pairing: slots, reminders, the check-in, completed interviews, feedback, no-shows.

Round 1 closes on Wednesday 2 December 09:00 UTC; its pairs meet until Wednesday 9 December,
the check-in comes halfway (Saturday 5 December 21:00).
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.adapters.console.port import STUDY, WORKSPACE
from bot.core.events import FormSubmitted
from bot.core.ids import UserRef
from bot.store.tables import PointsEntry
from commands.pairing.tables import PairFeedback, PairGroup
from tests.commands.pairing_support import (
    answer_form,
    entry_states,
    groups,
    mock_interviews,
    no_shows,
    person_id,
    points_of,
    press,
    round_groups,
    seen_by,
    space_of,
    text,
)
from tests.harness import ConsoleBot


async def join(console: ConsoleBot, who: str, availability: str, level: str = "mid") -> None:
    out = await console.say(f'/pair join level:{level} availability:"{availability}"', as_=who)
    assert "You're in round" in out[0], out


async def pair_alice_and_bob(console: ConsoleBot, availability: str) -> str:
    await join(console, "alice", availability)
    await join(console, "bob", availability)
    await console.say("!time +25h")
    assert await groups(console) == [["alice", "bob"]]
    return space_of(console, "alice", "bob")


async def test_slot_reminders_feedback_and_credit_happen_once(console: ConsoleBot) -> None:
    space = await pair_alice_and_bob(console, "Thu 18:00-21:00, Fri 18:00-21:00")
    intro = text(console.lines)
    assert "1. alice: Thu 3 Dec 18:00 (UTC)" in intro or "1. bob: Thu 3 Dec 18:00 (UTC)" in intro
    assert "Fri 4 Dec 18:00" in intro
    # someone from outside the pair cannot pick its time
    out = await press(console, "carol", "Slot 3", space=space, peek=True)
    assert out == ["[only carol] You weren't in that pair, so that button isn't yours."]
    out = await press(console, "bob", "Slot 3", space=space)
    assert out[0].startswith(f"[private {console.adapter.console_port.spaces[space]}] bob picked "
                             "a time: ")
    assert "Fri 4 Dec 18:00 (UTC)" in out[0]
    out = await press(console, "alice", "Slot 3", space=space)
    assert out == ["[only alice] That slot is already chosen; see you then."]
    # 24 hours before, then 1 hour before: in the pair's private space
    assert "starts in 24 hours" not in text(await console.say("!time 2026-12-03T17:59"))
    out = text(await console.say("!time 2026-12-03T18:00"))
    assert "== Your mock interview starts in 24 hours ==" in out
    out = text(await console.say("!time 2026-12-04T17:00"))
    assert "== Your mock interview starts in 1 hour ==" in out
    assert "How did your mock interview go?" not in out
    # after the slot (18:00 + 90 min + 15 min) each member privately gets the feedback form
    out = await console.say("!time 2026-12-04T19:45")
    assert "[DM alice] buttons: [Feedback for bob] [bob didn't show]" in out
    assert "[DM bob] buttons: [Feedback for alice] [alice didn't show]" in out
    out = await press(console, "alice", "Feedback for bob")
    assert out[0].startswith('[only alice] form "Feedback for bob"')
    out = await answer_form(console, "4", "Clear STAR stories", "Quantify the results")
    assert out[0] == "[only alice] Thank you! I sent your feedback to bob privately."
    assert seen_by(out, "[DM bob]") == (
        "[DM bob] == Feedback from alice on your mock interview ==\n"
        "[DM bob] Overall: 4 / 5\n"
        "[DM bob] What went well: Clear STAR stories\n"
        "[DM bob] One thing to improve: Quantify the results"
    )
    assert len(out) == 5  # shown to nobody else
    # feedback means the interview happened: both are credited, once
    assert await mock_interviews(console, "alice") == 1
    assert await mock_interviews(console, "bob") == 1
    assert await points_of(console, "alice") == 20
    # feedback twice, by button or by a replayed form: refused, nothing stored
    out = await press(console, "alice", "Feedback for bob")
    assert out == ["[only alice] You already sent feedback for this interview; it's been "
                   "delivered."]
    # bob's feedback, delivered twice by the platform: handled once
    async with console.app.store.session() as session:
        group = await session.scalar(select(PairGroup))
    assert group is not None
    alice = await person_id(console, "alice")
    event = FormSubmitted(
        delivery_id="slack-retry-1",
        actor=UserRef(WORKSPACE, "bob", "bob"),
        channel=STUDY,
        form_id="pair.fb",
        context=f"{group.id}.{alice}",
        fields={"overall": "5", "strengths": "Calm", "improve": "Draw the system first"},
    )
    first = await console.app.dispatcher.handle(event)
    second = await console.app.dispatcher.handle(event)
    await console.app.dispatcher.drain()
    assert first is not None and second is None
    assert text(console.lines).count("[DM alice] == Feedback from bob") == 1
    async with console.app.store.session() as session:
        assert await session.scalar(select(func.count()).select_from(PairFeedback)) == 2
        assert await session.scalar(select(func.count()).select_from(PointsEntry)) == 2
    # the check-in is skipped for a pair that already met
    out = text(await console.say("!time 2026-12-06T00:00"))
    assert "did you meet?" not in out
    history = text(await console.say("/pair history", as_="alice"))
    assert "- Round 1 (Wed 2 Dec): with bob: met · feedback 5.0/5" in history
    status = text(await console.say("/pair status", as_="bob"))
    assert "Mock interviews done: 1 of the plan's 4" in status


async def test_check_in_counts_a_met_interview_once(console: ConsoleBot) -> None:
    space = await pair_alice_and_bob(console, "Thu 18:00-21:00")
    out = await console.say("!time 2026-12-05T21:00")
    assert (f"[private {console.adapter.console_port.spaces[space]}] buttons: [We met] "
            "[Not yet] [Partner didn't show]") in out
    out = await press(console, "alice", "Not yet", space=space)
    assert "pick one of the offered slots" in out[0]
    out = await press(console, "alice", "We met", space=space, delivery="discord-1")
    assert out == [
        "[only alice] Counted: that's 1 of the plan's 4 mock interviews. Now tell your partner "
        "how it went; only they will see it.",
        "[only alice] buttons: [Feedback for bob]",
    ]
    # the same delivery again is dropped; a second press is answered but counts nothing
    assert await press(console, "alice", "We met", space=space, delivery="discord-1") == []
    out = await press(console, "alice", "We met", space=space)
    assert out[0] == "[only alice] Already counted, once: 1 of the plan's 4 mock interviews. Now " \
        "tell your partner how it went; only they will see it."
    assert await mock_interviews(console, "alice") == 1
    assert await points_of(console, "alice") == 20
    assert await mock_interviews(console, "bob") == 0  # bob has not said anything yet
    # alice's private feedback button, pressed by someone else (a forged or replayed press)
    out = await press(console, "bob", "Feedback for bob", peek=True)
    assert out == ["[only bob] You can only give feedback to a partner from your own pair."]
    out = await press(console, "carol", "Feedback for bob", peek=True)
    assert out == ["[only carol] You weren't in that pair, so that button isn't yours."]


async def test_no_show_is_rematched_with_a_waiting_member_and_remembered(
    console: ConsoleBot,
) -> None:
    await join(console, "alice", "Wed 18:00-21:00, Thu 18:00-21:00")
    await join(console, "bob", "Wed 18:00-21:00")
    await join(console, "carol", "Thu 18:00-21:00", level="senior")
    out = await console.say("!time +25h")
    assert await groups(console) == [["alice", "bob"]]
    assert "everyone free at your times was already in a group" in seen_by(out, "[DM carol]")
    space = space_of(console, "alice", "bob")
    await press(console, "alice", "Slot 1", space=space)  # Wed 2 Dec 18:00
    await console.say("!time 2026-12-02T19:45")  # after the slot: the feedback request
    out = await press(console, "alice", "bob didn't show")
    assert out[0] == ("[only alice] Sorry about that. I've paired you with carol, who was still "
                      "waiting; look for your new private space.")
    story = text(out)
    assert "[DM bob] alice reported that you missed your mock interview in round 1." in story
    new_space = space_of(console, "alice", "carol")
    assert f"[private {console.adapter.console_port.spaces[new_space]}] == Mock interview" in story
    assert "a new pairing, because a partner did not show" in story
    assert "Thu 3 Dec 18:00" in story  # the rematch meets when both are free
    assert "[DM alice] == Your technical question for carol" in story or (
        "[DM carol] == Your technical question for alice" in story
    )
    assert (await entry_states(console, 1))["carol"] == ("placed", None)
    assert await no_shows(console) == 1
    out = await press(console, "alice", "bob didn't show")
    assert out == ["[only alice] You already reported that; I'm on it."]
    out = await press(console, "alice", "Feedback for bob")
    assert out == ["[only alice] You reported that this partner didn't show, so there's no "
                   "feedback."]
    # next round: everyone is entered again; alice and bob are never paired again, and bob is
    # told why he has nobody
    out = await console.say("!time 2026-12-09T09:00")
    assert await round_groups(console, 2) == [["alice", "carol"]]
    assert (await entry_states(console, 2))["bob"] == ("unplaced", "blocked")
    assert "ones you had a no-show with, and I never pair those again" in seen_by(out, "[DM bob]")
    admin = text(await console.say("/pair admin", as_="you"))
    assert "- bob: joined 2, met 0, no-shows 1, reported 0" in admin
    assert "- alice: joined 2, met 0, no-shows 0, reported 1" in admin


async def test_a_no_show_with_nobody_waiting_leaves_the_member_waiting(
    console: ConsoleBot,
) -> None:
    space = await pair_alice_and_bob(console, "Thu 18:00-21:00")
    await press(console, "alice", "Slot 1", space=space)  # Thu 3 Dec 18:00
    await console.say("!time 2026-12-05T21:00")  # the check-in, after the slot
    out = await press(console, "bob", "Partner didn't show", space=space)
    assert out[0].startswith("[only bob] Sorry about that. Nobody free at your times is waiting")
    assert (await entry_states(console, 1))["bob"] == ("waiting", "noshow")


async def test_reporting_before_the_chosen_time_is_too_early(console: ConsoleBot) -> None:
    space = await pair_alice_and_bob(console, "Sat 18:00-21:00, Sun 18:00-21:00")
    await press(console, "alice", "Slot 3", space=space)  # Sun 6 Dec
    await console.say("!time 2026-12-05T21:00")
    out = await press(console, "bob", "Partner didn't show", space=space)
    assert out == ["[only bob] Your slot is Sun 6 Dec 18:00; if your partner doesn't come then, "
                   "report it after it starts."]
    assert await no_shows(console) == 0


async def test_a_member_left_waiting_goes_first_next_round(console: ConsoleBot) -> None:
    await join(console, "alice", "Wed 18:00-19:30", level="entry")
    await join(console, "bob", "Wed 18:00-19:30", level="entry")
    await console.say("!time +25h")
    await console.say("!time 2026-12-05T21:00")
    space = space_of(console, "alice", "bob")
    out = await press(console, "alice", "Partner didn't show", space=space)
    assert "Nobody free at your times is waiting right now" in out[0]
    await console.say("/pair leave", as_="bob")
    await console.say("!time 2026-12-07T10:00")
    # erin can meet alice or dave, never both at once; dave shares her level, alice waited
    await join(console, "dave", "Wed 19:30-21:00", level="senior")
    await join(console, "erin", "Wed 18:00-21:00", level="senior")
    await console.say("!time 2026-12-09T09:00")
    assert await round_groups(console, 2) == [["alice", "erin"]]
    assert (await entry_states(console, 2))["dave"] == ("unplaced", "taken")


async def test_a_trio_member_who_does_not_show_leaves_the_other_two_together(
    console: ConsoleBot,
) -> None:
    for who in ("alice", "bob", "carol"):
        await join(console, who, "Thu 18:00-21:00")
    await console.say("!time +25h")
    await console.say("!time 2026-12-05T21:00")
    space = space_of(console, "alice", "bob", "carol")
    out = await press(console, "alice", "carol didn't show", space=space)
    assert out[0] == "[only alice] Noted. You still have bob in this group."
    assert out[1].startswith("[DM carol] alice reported that you missed your mock interview")
    out = await press(console, "alice", "alice didn't show", space=space)
    assert out == ["[only alice] That member isn't in your group."]
