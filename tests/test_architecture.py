"""The shape guards: the core knows no platform, and no test reaches the internet."""

from __future__ import annotations

import ast
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NEUTRAL = [ROOT / "bot" / "core", ROOT / "commands", ROOT / "scheduler"]
PLATFORM_LIBS = {"discord", "slack_bolt", "slack_sdk", "aiohttp"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_commands_and_scheduler_import_no_platform_library() -> None:
    offenders = []
    for folder in NEUTRAL:
        for path in folder.rglob("*.py"):
            bad = imported_roots(path) & PLATFORM_LIBS
            if bad:
                offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offenders, offenders


def test_core_does_not_import_adapters() -> None:
    offenders = []
    for folder in NEUTRAL:
        for path in folder.rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "bot.adapters" in text or "bot.runtime" in text:
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


def test_the_guard_itself_notices_a_platform_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("import discord\nfrom slack_bolt.app import App\n")
    assert imported_roots(sample) >= {"discord", "slack_bolt"}


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_no_test_can_reach_the_internet() -> None:
    with pytest.raises(Exception, match=r"(?i)socket|host"):
        socket.create_connection(("93.184.216.34", 80), timeout=1)
