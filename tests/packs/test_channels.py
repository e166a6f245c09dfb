"""The per-channel pack contract (`enabled_packs`, `with_pack`) that other features read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.packs.channels import enabled_packs, with_pack
from bot.packs.library import PackLibrary
from bot.packs.loader import load_bundled, load_text
from tests.packs.helpers import VALID


@dataclass
class FakeChannel:
    """Only the `settings` mapping matters to the contract (a Channel row has it too)."""

    settings: dict[str, Any] = field(default_factory=dict)


def library() -> PackLibrary:
    lib = PackLibrary(bundled=load_bundled())
    team = load_text(VALID, "team.yaml").pack
    assert team is not None
    lib.set_imported(7, team)
    return lib


def test_by_default_every_bundled_pack_is_on_and_imports_are_off() -> None:
    lib = library()
    assert enabled_packs(FakeChannel(), lib, 7) == set(lib.bundled)
    assert enabled_packs(None, lib, 7) == set(lib.bundled)  # a DM: the defaults


def test_switching_packs_returns_new_settings() -> None:
    lib = library()
    before: dict[str, Any] = {"timezone_note": "kept"}
    after = with_pack(before, "team-pack", True)
    after = with_pack(after, "coding", False)
    assert before == {"timezone_note": "kept"}, "the old settings are not mutated"
    assert after == {"timezone_note": "kept", "packs": {"on": ["team-pack"], "off": ["coding"]}}
    assert enabled_packs(FakeChannel(after), lib, 7) == set(lib.bundled) - {"coding"} | {
        "team-pack"
    }
    again = with_pack(after, "coding", True)
    assert "coding" in enabled_packs(FakeChannel(again), lib, 7)


def test_packs_another_workspace_imported_never_count() -> None:
    lib = library()
    settings = with_pack({}, "team-pack", True)
    assert "team-pack" not in enabled_packs(FakeChannel(settings), lib, 8)
    assert "team-pack" not in enabled_packs(FakeChannel(settings), lib, None)


def test_malformed_settings_fall_back_to_the_defaults() -> None:
    lib = library()
    for broken in ({"packs": "all"}, {"packs": {"on": "x", "off": [1, None]}}):
        assert enabled_packs(FakeChannel(broken), lib, 7) == set(lib.bundled)
