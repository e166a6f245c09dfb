"""/me: a member's own profile and preferences (timezone, leaderboard visibility)."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.context import Context, Services
from bot.core.errors import UserError
from bot.core.ui import Field, Message, Reply
from bot.store.ledger import total
from bot.store.members import set_on_leaderboard
from commands.spec import CommandSpec, Feature, Option


def check_timezone(name: str) -> str:
    """An IANA timezone name, or a polite error naming the expected form."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"`{name}` is not a timezone I know. Use an IANA name such as Europe/Berlin, "
            "America/New_York or Asia/Kolkata."
        ) from None
    return name


async def profile(ctx: Context) -> Reply:
    points = await total(ctx.session, ctx.workspace.id, ctx.person.id)
    tz = ctx.person.timezone or (ctx.channel.timezone if ctx.channel else "UTC")
    return Reply(
        Message(
            title=f"{ctx.person.display_name}",
            fields=[
                Field("Points", str(points)),
                Field("Timezone", tz + ("" if ctx.person.timezone else " (channel default)")),
                Field("On leaderboards", "yes" if ctx.person.on_leaderboard else "no"),
                Field("Member since", ctx.person.created_at.date().isoformat()),
            ],
        )
    )


async def set_timezone(ctx: Context) -> Reply:
    ctx.person.timezone = check_timezone(ctx.args["zone"])
    return Reply.private_text(f"Your timezone is now {ctx.person.timezone}.")


async def set_leaderboard(ctx: Context) -> Reply:
    await set_on_leaderboard(ctx.session, ctx.person, ctx.args["show"] == "on")
    if ctx.person.on_leaderboard:
        return Reply.private_text("You are back on the leaderboards.")
    return Reply.private_text(
        "You are off the leaderboards. Your streaks and progress stay yours to see."
    )


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


async def suggest_zones(_services: Services, prefix: str, _workspace: str) -> list[str]:
    prefix = prefix.lower()
    return [z for z in _zones() if prefix in z.lower()][:25]


FEATURE = Feature(
    name="You",
    commands=[
        CommandSpec("me", "Your profile: points, timezone, leaderboard visibility.", profile),
        CommandSpec(
            "me timezone",
            "Set your timezone (your day for streaks and reminders).",
            set_timezone,
            options=(
                Option("zone", "IANA name, e.g. Europe/Berlin", required=True,
                       autocomplete="timezone"),
            ),
        ),
        CommandSpec(
            "me leaderboard",
            "Show or hide yourself on the leaderboards.",
            set_leaderboard,
            options=(Option("show", "on or off", required=True, choices=("on", "off")),),
        ),
    ],
    suggestions={"timezone": suggest_zones},
)
