"""Builders of the neutral messages, replies and forms of pairing rounds.

Member names and member-written feedback go into text as-is (renderers escape them); only the
members of a group are mentioned, through `Message.mentions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.ids import UserRef, mention
from bot.core.ui import Button, ButtonStyle, Field, Form, FormField, Message
from bot.packs.schema import TOPICS, Question
from commands.pairing import matching
from commands.pairing.interview import FORMAT_MINUTES, format_lines
from commands.pairing.schedule import local

JOIN_FORM = "pair.join"
FEEDBACK_FORM = "pair.fb"
LEVEL_HELP = "entry, mid or senior"
ROLE_HELP = "interviewer, interviewee or both"
MODEL_ANSWER_LIMIT = 700


@dataclass(frozen=True)
class Who:
    """A group member as the views need them."""

    person_id: int
    user: UserRef
    name: str
    timezone: str


def reason_text(code: str | None, session_minutes: int) -> str:
    return {
        matching.ALONE: "you were the only member in this round",
        matching.NO_WINDOW: (
            f"none of your availability windows left room for a {session_minutes}-minute "
            "session in this round's week"
        ),
        matching.NO_OVERLAP: (
            f"nobody else's availability overlapped yours by {session_minutes} minutes"
        ),
        matching.BLOCKED: (
            "the only members free at your times are ones you had a no-show with, and I "
            "never pair those again"
        ),
        matching.TAKEN: (
            "everyone free at your times was already in a group, and no group could take a "
            "third at those times"
        ),
        "noshow": "your partner did not show and nobody free at your times was still waiting",
    }.get(code or "", "I could not find a partner for you")


def announcement(
    number: int, round_id: int, closes_at: datetime, tz: str, session: int, signed_up: int
) -> Message:
    already = (
        f" {signed_up} member{'s have' if signed_up != 1 else ' has'} joined so far; members "
        "signed up in earlier rounds are in already (`/pair skip` sits one out)."
        if signed_up
        else ""
    )
    return Message(
        title=f"Mock-interview round {number} is open",
        text=(
            f"Join by **{local(closes_at, tz)}** ({tz}) to be paired with a partner for a "
            f"{session}-minute peer mock interview: you interview each other, with a "
            "technical and a behavioral question for each interviewer, 2-3 concrete times to "
            "choose from, and a short feedback form afterwards." + already
        ),
        footer="Or use /pair join level:… role:… availability:\"Mon 18:00-20:00, …\"",
        buttons=[
            Button("Join", f"pair.join:{round_id}", ButtonStyle.PRIMARY),
            Button("Join with new preferences", f"pair.prefs:{round_id}"),
        ],
    )


def join_form(round_id: int, level: str, role: str, availability: str, tz: str) -> Form:
    return Form(
        JOIN_FORM,
        "Join the mock-interview round",
        (
            FormField("level", f"Your level: {LEVEL_HELP}", default=level, max_length=10),
            FormField("role", f"You'd like to be: {ROLE_HELP}", default=role, max_length=12),
            FormField(
                "availability",
                f"When you're free ({tz[:40]})",
                placeholder="Mon 18:00-20:00, Wed 07:00-09:00",
                default=availability,
                max_length=300,
            ),
        ),
        context=str(round_id),
        submit_label="Join",
    )


def joined_text(
    number: int, closes_at: datetime, tz: str, level: str, role: str, windows: str
) -> str:
    return (
        f"You're in round {number}. I'll pair everyone at {local(closes_at, tz)} ({tz}).\n"
        f"Level: {level} · role: {role} · free (your time, {tz}): {windows}\n"
        "You stay signed up for later rounds; `/pair skip` sits one out, `/pair leave` stops."
    )


def intro(
    number: int,
    group_id: int,
    members: Sequence[Who],
    turns: Sequence[tuple[Who, Who]],
    slots: Sequence[datetime],
    session: int,
    rematch: bool,
) -> Message:
    minutes = session // max(1, len(turns))
    if len(turns) == 1:
        minutes = min(minutes, FORMAT_MINUTES)
    lines = []
    names = ", ".join(mention(m.user) for m in members)
    if rematch:
        lines.append(f"{names}: a new pairing, because a partner did not show. Welcome!")
    else:
        lines.append(f"{names}: you're a {'trio' if len(members) == 3 else 'pair'} this round.")
    order = "; then ".join(
        f"{mention(a.user)} interviews {mention(b.user)}" for a, b in turns
    )
    if len(turns) > 1:
        lines.append(f"**Who goes first:** {order}. Swap every {minutes} minutes.")
    else:
        lines.append(
            f"**Interview:** {order} (the roles you asked for); use the rest of the session "
            "for a longer debrief."
        )
    lines.append(f"**Each {minutes}-minute interview:**")
    lines += [f"- {line}" for line in format_lines(minutes)]
    lines.append(
        "Each interviewer has a technical and a behavioral question, with rubric and hints, "
        "in a private message. Keep them to yourself until you ask them."
    )
    buttons = []
    if slots:
        lines.append("**Pick a time** (shown in each member's own time):")
        for i, when in enumerate(slots, 1):
            shown = " · ".join(
                f"{m.name}: {local(when, m.timezone)} ({m.timezone})" for m in members
            )
            lines.append(f"{i}. {shown}")
            buttons.append(Button(f"Slot {i}", f"pair.slot:{group_id}.{i}"))
        lines.append("I'll remind you 24 hours and 1 hour before the slot you pick.")
    else:
        lines.append("Agree on a time here; your availabilities overlap this week.")
    lines.append("Afterwards each of you gets a short feedback form for your partner.")
    return Message(
        title=f"Mock interview, round {number}",
        text="\n".join(lines),
        buttons=buttons,
        mentions=[m.user for m in members],
    )


def question_message(
    kind: str, question: Question | None, interviewee: Who, seq: int, total: int
) -> Message:
    title = f"Your {kind} question for {interviewee.name} (interview {seq} of {total})"
    if question is None:
        return Message(
            title=title,
            text=(
                f"{interviewee.name} has already seen every {kind} question I have; ask one "
                "of your own from a recent interview."
            ),
        )
    topic = TOPICS.get(question.topic, question.topic)
    text = [f"_{topic} · {question.subtopic} · {question.difficulty}_", question.prompt]
    fields = []
    if question.hints:
        fields.append(Field("Hints to offer if they get stuck", "\n".join(
            f"- {h}" for h in question.hints), inline=False))
    if question.rubric:
        fields.append(Field("Rubric: listen for", "\n".join(
            f"- {r}" for r in question.rubric), inline=False))
    model = question.model_answer or question.solution or ""
    if model:
        if len(model) > MODEL_ANSWER_LIMIT:
            model = model[: MODEL_ANSWER_LIMIT - 1].rstrip() + "…"
        fields.append(Field("A strong answer (for you only)", model, inline=False))
    return Message(title=title, text="\n".join(text), fields=fields, footer=f"id {question.id}")


def unplaced_message(number: int, reason: str, session: int) -> Message:
    return Message(
        title=f"No partner in round {number} this time",
        text=(
            f"Sorry: {reason_text(reason, session)}. You'll be placed first next round. "
            "Widening your availability with `/pair join` in the next round helps too."
        ),
    )


def summary(number: int, pairs: int, trios: int, unplaced: int) -> Message:
    parts = [f"{pairs} pair{'s' if pairs != 1 else ''}"]
    if trios:
        parts.append(f"{trios} group{'s' if trios != 1 else ''} of three")
    text = f"Round {number} is paired: {' and '.join(parts)}. Check your private spaces."
    if unplaced:
        text += (
            f" {unplaced} member{'s' if unplaced != 1 else ''} couldn't be placed; they have "
            "been told why and go first next round."
        )
    return Message(title=f"Round {number} paired", text=text)


def checkin(group_id: int, members: Sequence[Who]) -> Message:
    buttons = [
        Button("We met", f"pair.met:{group_id}", ButtonStyle.SUCCESS),
        Button("Not yet", f"pair.notyet:{group_id}"),
    ]
    if len(members) == 2:
        # one shared message: `0` means "the other member" of whoever presses it
        buttons.append(Button("Partner didn't show", f"pair.noshow:{group_id}.0",
                              ButtonStyle.DANGER))
    else:
        buttons += [
            Button(f"{m.name[:40]} didn't show", f"pair.noshow:{group_id}.{m.person_id}",
                   ButtonStyle.DANGER)
            for m in members
        ]
    return Message(
        title="Halfway through the round: did you meet?",
        text=(
            f"{', '.join(mention(m.user) for m in members)}: let me know how it's going. "
            "If your partner didn't come to the time you agreed, say so and I'll try to find "
            "you someone who is still waiting."
        ),
        buttons=buttons,
        mentions=[m.user for m in members],
    )


def reminder(members: Sequence[Who], when: datetime, hours: int) -> Message:
    span = "24 hours" if hours == 24 else "1 hour"
    times = " · ".join(f"{m.name}: {local(when, m.timezone)} ({m.timezone})" for m in members)
    return Message(
        title=f"Your mock interview starts in {span}",
        text=f"{', '.join(mention(m.user) for m in members)}: {times}.",
        mentions=[m.user for m in members],
    )


def feedback_request(group_id: int, partners: Sequence[Who]) -> Message:
    """Sent privately after the slot: feedback buttons, and a way to say someone didn't come."""
    buttons = [
        Button(f"Feedback for {p.name[:60]}", f"pair.fb:{group_id}.{p.person_id}",
               ButtonStyle.PRIMARY)
        for p in partners
    ]
    buttons += [
        Button(f"{p.name[:60]} didn't show", f"pair.noshow:{group_id}.{p.person_id}",
               ButtonStyle.DANGER)
        for p in partners
    ]
    return Message(
        title="How did your mock interview go?",
        text=(
            "Give your partner a few lines of feedback: an overall score from 1 to 5, what "
            "went well, and one thing to improve. Only they will see it. If they didn't come, "
            "say so and I'll look for someone who is still waiting."
        ),
        buttons=buttons,
    )


def feedback_form(group_id: int, to: Who) -> Form:
    return Form(
        FEEDBACK_FORM,
        f"Feedback for {to.name}"[:45],
        (
            FormField("overall", "Overall, from 1 (rough) to 5 (ready)", max_length=1),
            FormField("strengths", "What went well", multiline=True, max_length=1000),
            FormField("improve", "One thing to improve", multiline=True, max_length=1000),
        ),
        context=f"{group_id}.{to.person_id}",
        submit_label="Send",
    )


def feedback_delivery(giver: str, overall: int, strengths: str, improve: str) -> Message:
    return Message(
        title=f"Feedback from {giver} on your mock interview",
        fields=[
            Field("Overall", f"{overall} / 5"),
            Field("What went well", strengths, inline=False),
            Field("One thing to improve", improve, inline=False),
        ],
    )


def slot_chosen(chooser: str, when: datetime, members: Sequence[Who]) -> Message:
    times = " · ".join(f"{m.name} {local(when, m.timezone)} ({m.timezone})" for m in members)
    return Message(
        text=f"{chooser} picked a time: {times}. I'll remind you 24 hours and 1 hour before."
    )
