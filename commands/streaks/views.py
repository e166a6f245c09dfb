"""Messages of the streak feature: the streak card, announcements and reminders."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from bot.core.ids import UserRef, mention
from bot.core.ui import Field, Image, Message
from commands.streaks.model import REMINDER, MemberStreak, Notice
from commands.streaks.pictures import heatmap_png, heatmap_text
from commands.streaks.rules import FREEZE_USED, MILESTONE, next_milestone
from commands.streaks.schedule import show_day
from commands.streaks.tables import StreakState


def days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def long(n: int) -> str:
    """`7-day`, as in a 7-day streak."""
    return f"{n}-day"


def current_text(member: MemberStreak) -> str:
    s = member.streak
    if s.current == 0:
        return f"0 days: {how_to_keep(member)} to start one"
    if s.today_kept:
        return f"{days(s.current)}, today done"
    if s.today_rest:
        return f"{days(s.current)} (today is a rest day)"
    return f"{days(s.current)}, keep it today ({how_to_keep(member)})"


def how_to_keep(member: MemberStreak) -> str:
    return (
        "answer the daily question or finish a quiz of "
        f"{member.rules.min_quiz_questions}+ questions"
    )


def freezes_text(member: MemberStreak) -> str:
    rules = member.rules
    return (
        f"{member.streak.freezes} of {rules.max_freezes} (one earned per {rules.freeze_every} "
        "days of streak, used by itself on a missed day)"
    )


def streak_fields(member: MemberStreak) -> list[Field]:
    s = member.streak
    fields = [
        Field("Current streak", current_text(member), inline=False),
        Field("Longest streak", days(s.longest)),
        Field("Freezes held", freezes_text(member), inline=False),
    ]
    upcoming = next_milestone(s.current, member.rules)
    if upcoming is not None and s.current > 0:
        fields.append(Field("Next milestone", f"{upcoming} days ({upcoming - s.current} to go)"))
    return fields


def heatmap_image(counts: Mapping[date, int], today: date) -> Image:
    return Image("heatmap.png", heatmap_png(counts, today), heatmap_text(counts, today))


def streak_card(
    name: str,
    member: MemberStreak,
    counts: Mapping[date, int],
    state: StreakState | None,
    *,
    own: bool,
) -> Message:
    fields = streak_fields(member)
    if own:
        reminding = state is not None and state.remind
        fields.append(
            Field(
                "Reminders",
                f"on ({member.rules.remind_hours_before} h before your day ends)"
                if reminding
                else "off (`/streak remind on` for a private nudge when it is at risk)",
                inline=False,
            )
        )
    image = heatmap_image(counts, member.streak.today)
    return Message(
        title=f"Streak: {name}",
        fields=fields,
        image=image,
        footer=f"Days are counted in {member.zone}.",
    )


def notice_message(
    notice: Notice, user: UserRef, state: StreakState | None, zone: str
) -> Message:
    if notice.kind == MILESTONE:
        return Message(
            text=f"🔥 {mention(user)} reached a {notice.value}-day streak! Keep it going.",
            mentions=[user],
        )
    if notice.kind == FREEZE_USED:
        left = "no freezes left" if notice.value == 0 else f"{notice.value} left"
        current = f" {long(state.current)}" if state is not None and state.current else ""
        return Message(
            text=f"❄️ A streak freeze kept {user.name}'s{current} streak alive "
            f"(missed {show_day(notice.day)}; {left}).",
        )
    if notice.kind == REMINDER:
        freezes = ""
        if state is not None and state.freezes:
            freezes = f" (you hold {state.freezes} freeze{'s' if state.freezes > 1 else ''})"
        return Message(
            text=f"⏰ Your {long(notice.value)} streak is at risk: your day ends at midnight "
            f"({zone}). Answer today's daily question or finish a quiz to keep it{freezes}. "
            "`/streak remind off` stops these reminders.",
        )
    raise ValueError(f"unknown notice kind {notice.kind}")
