"""The feature registry: every feature folder declares its commands, buttons, forms and jobs."""

from __future__ import annotations

from commands.spec import Feature


def all_features() -> list[Feature]:
    """Every feature, in the order /help lists them."""
    from commands import help as help_
    from commands import me

    return [help_.FEATURE, me.FEATURE]
