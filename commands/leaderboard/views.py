"""Messages of the leaderboard: the board a member asked for, and the weekly recap."""

from __future__ import annotations

from datetime import timedelta

from bot.core.ui import Field, Image, Message
from commands.leaderboard.pictures import recap_png
from commands.leaderboard.queries import Board, Entry
from commands.leaderboard.recap import RecapData
from commands.streaks.schedule import show_day


def points(n: int) -> str:
    return f"{n} point" if n in (1, -1) else f"{n} points"


def period_title(board: Board) -> str:
    key = board.key
    if key.kind == "week":
        end = key.start + timedelta(days=6)
        return f"this week ({show_day(key.start)} to {show_day(end)}, UTC)"
    if key.kind == "month":
        return f"this month ({key.start:%B %Y})"
    return "all time"


def line(entry: Entry, *, me: int | None = None) -> str:
    you = " (you)" if entry.person_id == me else ""
    return f"{entry.rank}. {entry.name}{you}: {points(entry.points)}"


def board_message(board: Board, me: int, topic_label: str | None) -> Message:
    title = f"Leaderboard: {period_title(board)}"
    if topic_label:
        title += f", {topic_label}"
    if not board.top:
        text = "Nobody has points here yet. Answer the daily question or take a quiz to be first."
    else:
        text = "\n".join(line(e, me=me) for e in board.top)
    fields = [Field("Your place", your_place(board, me), inline=False)]
    return Message(title=title, text=text, fields=fields, footer=f"{board.ranked} ranked")


def your_place(board: Board, me: int) -> str:
    mine = board.me
    if mine is None:
        if board.ranked == 0:
            return "No points here yet."
        others = "member" if board.ranked == 1 else f"{board.ranked} members"
        return f"No points here yet; your first points put you on the board with the {others}."
    if board.me_hidden:
        return (
            f"You are off the boards (`/me leaderboard on` to come back). You have "
            f"{points(mine.points)}, enough for #{mine.rank}."
        )
    place = f"#{mine.rank} of {board.ranked} with {points(mine.points)}"
    if not board.above and not board.below:
        return place
    around = [line(e) for e in board.above] + [line(mine, me=me)] + [line(e) for e in board.below]
    return place + "\n" + "\n".join(around)


def recap_message(data: RecapData) -> Message:
    text = recap_text(data)
    image = Image("weekly-recap.png", recap_png(data), text[:1000])  # Discord allows 1024
    return Message(title=f"Weekly recap: {data.title}", text=text, image=image)


def recap_text(data: RecapData) -> str:
    lines = []
    if data.top:
        lines.append("Top members: " + ", ".join(
            f"{i}. {name} ({points(p)})" for i, (name, p) in enumerate(data.top, 1)
        ))
    if data.streaks:
        lines.append("Longest streaks: " + ", ".join(
            f"{name} ({n} days)" for name, n in data.streaks
        ))
    if data.reviewers:
        lines.append("Most helpful reviewers: " + ", ".join(
            f"{name} ({n} helpful review{'s' if n != 1 else ''})" for name, n in data.reviewers
        ))
    if data.missed:
        lines.append("Most-missed questions: " + "; ".join(
            f"{prompt} ({n} missed)" for prompt, n in data.missed
        ))
    lines.append(f"Mock interviews done: {data.mock_interviews}")
    return "\n".join(lines)
