"""Markers: the short token a message the bot sends on its own carries, so the platform can
be asked for it after a crash (a Discord nonce, Slack message metadata, an invisible marker).

A marker starts with the time its claim was made, so a search can start there: at the first
claim even after takeovers (`first_claimed`), and where a thread listed oldest first holds the
message (`marker_time`).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime


def new_marker(now: datetime | None = None) -> str:
    """A short token the platform carries invisibly (a Discord nonce is at most 25 chars).

    Given the claim time, the marker starts with it (seconds, base 36): a takeover of a stale
    claim moves `claimed_at`, but a crash during the takeover must not make the next reconcile
    look only after it, past a message the first claim sent (see `first_claimed`)."""
    if now is None:
        return "sb" + secrets.token_hex(8)
    return f"sb{_base36(int(now.timestamp()))}.{secrets.token_hex(6)}"


def first_claimed(marker: str, claimed_at: datetime) -> datetime:
    """When the thing carrying `marker` was first claimed: where a search must start."""
    first = marker_time(marker)
    return claimed_at if first is None else min(first, claimed_at)


def marker_time(marker: str) -> datetime | None:
    """The claim time a marker starts with (whole seconds), or None for a marker without it."""
    stamp, dot, _ = marker[2:].partition(".")
    if not marker.startswith("sb") or not dot:
        return None
    try:
        return datetime.fromtimestamp(int(stamp, 36), UTC)
    except ValueError:
        return None


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out
