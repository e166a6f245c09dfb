"""Which packs a channel uses: the contract between `/pack enable|disable` and the features
that pick questions for a channel (daily questions, quizzes).

Stored in `Channel.settings["packs"]` as `{"on": [pack ids], "off": [pack ids]}`:
- a bundled pack is on unless it is listed in "off" (so a pack added in a new release is on);
- an imported pack is off until it is listed in "on" (importing never changes a channel);
- ids of packs the workspace does not see (removed, or another workspace's) are ignored.
Read it only through `enabled_packs`; change it only through `with_pack`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from bot.packs.library import PackLibrary

SETTINGS_KEY = "packs"


class HasSettings(Protocol):
    """A channel row (bot.store.tables.Channel) or anything with its `settings` mapping."""

    settings: dict[str, Any]


def enabled_packs(
    channel: HasSettings | None, library: PackLibrary, workspace_id: int | None
) -> set[str]:
    """The ids of the packs on in `channel` (every bundled pack when it has no settings)."""
    on, off = _lists(channel.settings if channel is not None else {})
    return {
        pack_id
        for pack_id in library.packs_for(workspace_id)
        if pack_id in on or (library.is_bundled(pack_id) and pack_id not in off)
    }


def with_pack(settings: Mapping[str, Any], pack_id: str, enabled: bool) -> dict[str, Any]:
    """New channel settings with `pack_id` switched on or off (a new dict: the JSON column
    only notices a change when it is given a new value)."""
    on, off = _lists(settings)
    if enabled:
        on, off = on | {pack_id}, off - {pack_id}
    else:
        on, off = on - {pack_id}, off | {pack_id}
    return {**settings, SETTINGS_KEY: {"on": sorted(on), "off": sorted(off)}}


def _lists(settings: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    value = settings.get(SETTINGS_KEY)
    if not isinstance(value, Mapping):
        return set(), set()
    return _ids(value.get("on")), _ids(value.get("off"))


def _ids(value: Any) -> set[str]:
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()
