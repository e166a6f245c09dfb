"""The progress card: streak, plan targets, topics week by week, weak spots, next steps."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from bot.core.ui import Field, Message
from bot.packs.plan import TARGETS, WEEKS
from commands.progress.service import Progress, WeekCoverage
from commands.streaks.model import MemberStreak
from commands.streaks.schedule import show_day
from commands.streaks.views import days, heatmap_image


def label(topic: str) -> str:
    return topic.replace("_", " ")


def week_line(w: WeekCoverage) -> str:
    head = f"W{w.week.number} {w.week.theme}"
    if w.state == "upcoming":
        return f"{head}: from {show_day(w.first)}"
    done = w.plan_covered
    line = f"{head}: {len(done)} of {len(w.week.topics)} plan topics"
    if done:
        line += f" ({', '.join(label(t) for t in done)})"
    others = sorted(w.covered - set(w.week.topics))
    if others:
        line += f"; also {', '.join(label(t) for t in others)}"
    return line + (" ← this week" if w.state == "current" else "")


def projects_text(p: Progress) -> str:
    text = f"{p.projects_done} of {TARGETS.projects} finished"
    if p.projects:
        parts = [
            f"{x.name}: {x.milestones} milestone{'s' if x.milestones != 1 else ''}"
            + (", done" if x.done else "")
            for x in p.projects
        ]
        text += " (" + "; ".join(parts) + ")"
    return text


def progress_card(
    name: str,
    p: Progress,
    member: MemberStreak,
    counts: Mapping[date, int],
) -> Message:
    s = member.streak
    weak = (
        ", ".join(f"{label(t)} {right}/{total}" for t, right, total in p.weakest)
        if p.weakest
        else "none yet (a topic needs 3 graded answers)"
    )
    round_ = f", round {p.round}" if p.round > 1 else ""
    fields = [
        Field(
            "Streak",
            f"{days(s.current)} now, longest {days(s.longest)}, "
            f"{s.freezes} freeze{'s' if s.freezes != 1 else ''} held",
            inline=False,
        ),
        Field("Questions answered", f"{p.answered} of {TARGETS.practice_questions}"),
        Field("Mock interviews", f"{p.mock_interviews} of {TARGETS.mock_interviews}"),
        Field("Projects", projects_text(p), inline=False),
        Field("Topics by week", "\n".join(week_line(w) for w in p.weeks), inline=False),
        Field("Weakest topics", weak, inline=False),
        Field(
            "Next",
            "\n".join(f"- {step}" for step in p.next_steps) or "- You are on track. Keep going!",
            inline=False,
        ),
    ]
    return Message(
        title=f"Progress: {name}, plan week {p.week_index + 1} of {WEEKS} "
        f"({p.week.theme}){round_}",
        fields=fields,
        image=heatmap_image(counts, s.today),
        footer=f"Plan round started {show_day(p.start, year=True)}; days are counted in "
        f"{member.zone}.",
    )
