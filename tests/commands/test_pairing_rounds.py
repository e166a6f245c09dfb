"""Pairing rounds as console stories: joining, closing into pairs and trios, later rounds.

The clock starts on Tuesday 2026-12-01 08:00 UTC. A channel's first join sets the default
schedule (rounds open Mondays 09:00, joining closes 48 h later), so round 1 closes on
Wednesday 2 December 09:00 and round 2 on Wednesday 9 December.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.store.activity import record_activity
from bot.store.tables import Workspace
from commands.pairing.tables import PairEntry, PairRound, PairTurn
from tests.commands.pairing_support import (
    answer_form,
    entry_states,
    groups,
    person_id,
    press,
    round_groups,
    seen_by,
    space_of,
    text,
)
from tests.harness import ConsoleBot

EVENINGS = "Mon-Sun 18:00-21:00"


async def join(console: ConsoleBot, who: str, availability: str = EVENINGS,
               level: str = "mid", role: str = "both") -> list[str]:
    return await console.say(
        f'/pair join level:{level} role:{role} availability:"{availability}"', as_=who
    )


async def test_an_even_round_pairs_by_availability_with_spaces_questions_and_slots(
    console: ConsoleBot,
) -> None:
    await console.say("/me timezone zone:Europe/Berlin", as_="bob")
    out = await join(console, "alice", "Wed 18:00-21:00")
    assert out[0] == "[only alice] You're in round 1. I'll pair everyone at Wed 2 Dec 09:00 (UTC)."
    await join(console, "bob", "Wed 19:00-22:00")  # Berlin time: 18:00-21:00 UTC
    await join(console, "carol", "Sat 10:00-13:00")
    await join(console, "dave", "Sat 09:00-12:00, Sun 10:00-12:00")
    out = await console.say("!time +25h")
    story = text(out)
    # the round was announced first (the first join opened it), then paired at the close
    assert story.index("Mock-interview round 1 is open") < story.index("Round 1 paired")
    assert "buttons: [Join] [Join with new preferences]" in story
    assert await groups(console) == [["alice", "bob"], ["carol", "dave"]]
    ab = space_of(console, "alice", "bob")
    intro = seen_by(out, f"[private {console.adapter.console_port.spaces[ab]}]")
    assert "you're a pair this round" in intro and "Swap every 45 minutes" in intro
    assert "20 min: the technical question" in intro
    # the same slot in each member's own time
    assert "alice: Wed 2 Dec 18:00 (UTC) · bob: Wed 2 Dec 19:00 (Europe/Berlin)" in intro or (
        "bob: Wed 2 Dec 19:00 (Europe/Berlin) · alice: Wed 2 Dec 18:00 (UTC)" in intro
    )
    assert "buttons: [Slot 1] [Slot 2] [Slot 3]" in intro
    # each interviewer privately gets a technical and a behavioral question with a rubric
    for interviewer, partner in (("alice", "bob"), ("bob", "alice")):
        dm = seen_by(out, f"[DM {interviewer}]")
        assert f"Your technical question for {partner}" in dm
        assert f"Your behavioral question for {partner}" in dm
        assert "Rubric: listen for" in dm
        assert f"[DM {partner}] == Your technical question for {partner}" not in story
    assert "[#study] Round 1 is paired: 2 pairs. Check your private spaces." in story


async def test_an_odd_round_makes_one_trio_with_three_interviews(console: ConsoleBot) -> None:
    for who in ("alice", "bob", "carol"):
        await join(console, who)
    out = await console.say("!time +25h")
    assert await groups(console) == [["alice", "bob", "carol"]]
    story = text(out)
    assert "you're a trio this round" in story and "Swap every 30 minutes" in story
    assert "Round 1 is paired: 1 pair" not in story
    assert "Round 1 is paired: 0 pairs and 1 group of three" in story
    async with console.app.store.session() as session:
        turns = list(await session.scalars(select(PairTurn)))
    assert len(turns) == 3
    assert {t.interviewer_id for t in turns} == {t.interviewee_id for t in turns}
    # three different technical questions for three different interviewees
    assert len({t.technical_id for t in turns}) == 3


async def test_partners_do_not_repeat_across_rounds(console: ConsoleBot) -> None:
    for who in ("alice", "bob", "carol", "dave"):
        await join(console, who)
    seen: list[frozenset[str]] = []
    for round_id in (1, 2, 3):
        await console.say("!time +7d" if round_id > 1 else "!time +25h")
        pairs = await round_groups(console, round_id)
        assert len(pairs) == 2, f"round {round_id}: {pairs}"
        for pair in pairs:
            assert frozenset(pair) not in seen, f"round {round_id} repeats {pair}"
            seen.append(frozenset(pair))
    # four members, three rounds: everybody met everybody exactly once
    assert len(seen) == 6


async def test_similar_levels_and_complementary_roles_are_preferred(console: ConsoleBot) -> None:
    await join(console, "alice", level="entry", role="interviewee")
    await join(console, "bob", level="senior", role="interviewer")
    await join(console, "carol", level="entry", role="interviewee")
    await join(console, "dave", level="senior", role="interviewer")
    out = await console.say("!time +25h")
    assert await groups(console) == [["alice", "carol"], ["bob", "dave"]]
    story = text(out)
    # two members who only want to interview still take turns (someone must be the candidate)
    assert story.count("you're a pair this round") == 2


async def test_one_way_roles_give_one_interview(console: ConsoleBot) -> None:
    await join(console, "alice", role="interviewer")
    await join(console, "bob", role="interviewee")
    out = await console.say("!time +25h")
    story = text(out)
    assert "**Interview:** @alice interviews @bob (the roles you asked for)" in story
    assert "[DM alice] == Your technical question for bob (interview 1 of 1) ==" in story
    assert "[DM bob] == Your technical question" not in story


async def test_whoever_cannot_be_placed_is_told_why(console: ConsoleBot) -> None:
    await join(console, "alice", "Wed 18:00-21:00")
    await join(console, "bob", "Wed 18:00-21:00")
    await join(console, "carol", "Fri 07:00-09:00")
    out = await console.say("!time +25h")
    assert await groups(console) == [["alice", "bob"]]
    assert seen_by(out, "[DM carol]") == (
        "[DM carol] == No partner in round 1 this time ==\n"
        "[DM carol] Sorry: nobody else's availability overlapped yours by 90 minutes. You'll "
        "be placed first next round. Widening your availability with `/pair join` in the next "
        "round helps too."
    )
    assert "1 member couldn't be placed; they have been told why" in text(out)
    assert (await entry_states(console, 1))["carol"] == ("unplaced", "no_overlap")
    status = text(await console.say("/pair status", as_="carol"))
    assert "not placed this round: nobody else's availability overlapped yours" in status


async def test_a_lone_member_is_told_and_nobody_is_dropped(console: ConsoleBot) -> None:
    await join(console, "alice")
    out = await console.say("!time +25h")
    assert "you were the only member in this round" in seen_by(out, "[DM alice]")


async def test_technical_question_targets_the_weakest_topic_and_is_unseen(
    console: ConsoleBot,
) -> None:
    await join(console, "alice")
    await join(console, "bob")
    alice = await person_id(console, "alice")
    evaluation = [q for q in console.app.services.packs.questions(None)
                  if q.topic == "evaluation" and q.kind == "open"]
    seen_ids = [q.id for q in evaluation[:-1]]  # alice answered all but one of them
    async with console.app.store.session() as session:
        ws = await session.scalar(select(Workspace).where(Workspace.external_id == "console"))
        assert ws is not None
        for n, qid in enumerate(seen_ids):
            await record_activity(session, workspace_id=ws.id, person_id=alice,
                                  kind="quiz_answer", ref=f"quiz:{n}:{qid}",
                                  at=console.app.services.clock.now(),
                                  local_day=console.app.services.clock.now().date(),
                                  topic="evaluation", correct=False)
    await console.say("!time +25h")
    async with console.app.store.session() as session:
        turn = await session.scalar(select(PairTurn).where(PairTurn.interviewee_id == alice))
    assert turn is not None
    assert turn.topic == "evaluation"
    assert turn.technical_id == evaluation[-1].id


async def test_join_button_uses_last_preferences_or_opens_a_form(console: ConsoleBot) -> None:
    await console.say("!as you --admin")
    out = await console.say("/pair setup day:mon time:09:00 frequency:weekly session_minutes:60")
    assert out == [
        "[only you] Pairing rounds here: rounds open Mon 09:00 (UTC), weekly; joining stays "
        "open 48 h; sessions last 60 min. The next round opens now (UTC)."
    ]
    out = await console.say("!time +1m")
    assert "[#study] == Mock-interview round 1 is open ==" in out
    # first time: the button opens a form
    out = await press(console, "dave", "Join")
    assert 'form "Join the mock-interview round"' in out[0]
    out = await answer_form(console, "senior", "interviewer", "Thu 18:00-20:00")
    assert out[0] == "[only dave] You're in round 1. I'll pair everyone at Wed 2 Dec 09:00 (UTC)."
    assert "Level: senior · role: interviewer · free (your time, UTC): Thu 18:00-20:00" in out[1]
    # a bad answer in the form is explained and nothing is stored
    await press(console, "erin", "Join")
    out = await answer_form(console, "mid", "both", "Thu 25:00-26:00")
    assert out == ["[only erin] `25:00` is not a time of day; times run from 00:00 to 24:00."]
    # later presses join with the last preferences, straight away
    out = await press(console, "dave", "Join")
    assert "You're already in round 1" in text(out)
    await console.say("/pair leave", as_="dave")
    out = await press(console, "dave", "Join")
    assert out[0] == "[only dave] You're in round 1. I'll pair everyone at Wed 2 Dec 09:00 (UTC)."
    # the second button always asks, prefilled
    await console.say("/pair leave", as_="dave")
    out = await press(console, "dave", "Join with new preferences")
    assert 'form "Join the mock-interview round"' in out[0]
    await answer_form(console, "senior", "both", "Thu 18:00-21:00, Sat 10:00-12:00")
    async with console.app.store.session() as session:
        entry = await session.scalar(select(PairEntry).where(PairEntry.round_id == 1))
    assert entry is not None
    assert (entry.level, entry.role, entry.availability, entry.status) == (
        "senior", "both", "Thu 18:00-21:00, Sat 10:00-12:00", "joined"
    )


async def test_leave_skip_status_and_later_rounds(console: ConsoleBot) -> None:
    for who in ("alice", "bob", "carol"):
        await join(console, who)
    out = await console.say("/pair leave", as_="carol")
    assert out == ["[only carol] You left round 1 and won't be entered in later rounds. "
                   "`/pair join` brings you back any time."]
    out = await console.say("/pair skip", as_="bob")
    assert out == ["[only bob] You're sitting out round 1. You stay signed up and will be in "
                   "the one after."]
    out = await console.say("/pair skip", as_="bob")
    assert "You'll sit out the round opening Mon 7 Dec 09:00 (UTC)" in out[0]
    assert "already sitting out" in (await console.say("/pair skip", as_="bob"))[0]
    await console.say("!time +25h")
    assert (await entry_states(console, 1)) == {
        "alice": ("unplaced", "alone"), "bob": ("skipped", None), "carol": ("left", None)
    }
    # round 2: alice is entered again automatically, bob sits out, carol left
    await console.say("!time +6d")
    assert await entry_states(console, 2) == {"alice": ("joined", None)}
    # round 3: bob's skip is used up, so he is back
    await console.say("!time +7d")
    assert await entry_states(console, 3) == {"alice": ("joined", None), "bob": ("joined", None)}
    status = text(await console.say("/pair status", as_="bob"))
    assert "Signed up: yes: level mid, role both" in status
    assert "This round: round 3 pairs at Wed 16 Dec 09:00; you're in" in status
    assert "Mock interviews done: 0 of the plan's 4" in status


async def test_admin_sees_settings_and_reliability(console: ConsoleBot) -> None:
    await join(console, "alice")
    await join(console, "bob")
    out = await console.say("/pair admin", as_="bob")
    assert out == ["[only bob] Only workspace admins can use `/pair admin`."]
    out = text(await console.say("/pair admin", as_="you"))
    assert "Schedule: rounds open Mon 09:00 (UTC), weekly" in out
    assert "round 1: open, pairs at Wed 2 Dec 09:00; 2 joined" in out
    assert "alice: joined 1, met 0, no-shows 0, reported 0" in out
    out = await console.say("/pair setup time:25:00", as_="you")
    assert out == ["[only you] `25:00` is not a time of day; use HH:MM, e.g. 18:30."]
    out = await console.say("/pair setup day:fri session_minutes:10", as_="you")
    assert out == ["[only you] `session_minutes` must be at least 30."]


async def test_bad_input_is_refused_and_changes_nothing(console: ConsoleBot) -> None:
    out = await console.say('/pair join availability:"Mon 25:00-26:00"', as_="alice")
    assert out == ["[only alice] `25:00` is not a time of day; times run from 00:00 to 24:00."]
    out = await console.say('/pair join availability:"Mon 18:00-19:00"', as_="alice")
    assert out == ["[only alice] Each of your windows is shorter than a 90-minute session; "
                   "give at least one longer window, e.g. `Mon 18:00-20:00`."]
    out = await console.say("/pair join level:guru", as_="alice")
    assert out == ["[only alice] `level` must be one of entry, mid, senior (got `guru`)."]
    async with console.app.store.session() as session:
        assert list(await session.scalars(select(PairEntry))) == []
    await join(console, "alice")
    out = await join(console, "alice", level="senior")
    assert out == ["[only alice] You're already in round 1 (level mid, role both). To change "
                   "your preferences, `/pair leave` and join again."]
    async with console.app.store.session() as session:
        entries = list(await session.scalars(select(PairEntry)))
    assert [(e.level, e.status) for e in entries] == [("mid", "joined")]
    out = await console.say("/pair leave", as_="bob")
    assert out == ["[only bob] You haven't joined pairing here. `/pair join` signs you up."]
    out = await console.say("/pair skip", as_="bob")
    assert out == ["[only bob] You're not signed up for pairing here; `/pair join` first."]
    # leaving after the round closed: the first leave stops later rounds, the next is refused
    await join(console, "bob")
    await console.say("!time +25h")
    out = await console.say("/pair leave", as_="bob")
    assert out[0].startswith("[only bob] You won't be entered in later rounds;")
    assert "Your current mock interview stays arranged" in out[0]
    out = await console.say("/pair leave", as_="bob")
    assert out == ["[only bob] Round 1 closed at Wed 2 Dec 09:00 and is already paired, so "
                   "there is nothing to leave; you are not signed up for later rounds."]
    async with console.app.store.session() as session:
        rounds = list(await session.scalars(select(PairRound)))
    assert [(r.number, r.status) for r in rounds] == [(1, "paired")]
