"""The feature registry: every feature folder declares its commands, buttons, forms and jobs."""

from __future__ import annotations

from commands.spec import Feature


def all_features() -> list[Feature]:
    """Every feature, in the order /help lists them."""
    from commands import daily, leaderboard, me, pairing, progress, quiz, streaks
    from commands import help as help_
    from commands import packs as packs_

    return [help_.FEATURE, me.FEATURE, daily.FEATURE, quiz.FEATURE, packs_.FEATURE,
            streaks.FEATURE, leaderboard.FEATURE, progress.FEATURE, pairing.FEATURE]
