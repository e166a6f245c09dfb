"""/leaderboard: points per week, month and all time, ranks with fair ties, the weekly recap."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.ui import Reply
from commands.leaderboard import recap, views
from commands.leaderboard.queries import board
from commands.leaderboard.topics import check_topic, suggest_topics, topic_label
from commands.leaderboard.totals import PERIODS, board_key
from commands.spec import CommandSpec, Feature, JobSpec, Option


async def show(ctx: Context) -> Reply:
    period = str(ctx.args.get("period") or "week")
    topic = check_topic(ctx.services, ctx.workspace.id, ctx.args.get("topic"))
    key = board_key(ctx.workspace.id, period, ctx.now, topic)
    seen = await board(ctx.session, key, ctx.person.id)
    label = topic_label(ctx.services, ctx.workspace.id, topic) if topic else None
    return Reply(views.board_message(seen, ctx.person.id, label))


FEATURE = Feature(
    name="Leaderboards",
    commands=[
        CommandSpec(
            "leaderboard",
            "Top 10 and your own place, this week (or month, or all time), optionally by topic.",
            show,
            options=(
                Option("period", "week, month or all (default week)", choices=PERIODS),
                Option("topic", "Only points earned in this topic", autocomplete="board_topic"),
            ),
        )
    ],
    jobs=[JobSpec("leaderboard.recap", recap.due_recaps)],
    suggestions={"board_topic": suggest_topics},
)
