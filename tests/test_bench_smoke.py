"""`studybot bench --quick` runs every measurement and writes a report with every section.

The numbers are not checked here (performance is the report's business, never a test's):
only that each section ran or says why not, and that the report has its shape.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = "abcdef"
VERDICTS = re.compile(r"^(meets|misses|info|not measured: .+)$")


@pytest.mark.bench
async def test_quick_bench_writes_every_section(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "bench", "--quick", "--out", str(out),
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    printed, _ = await asyncio.wait_for(proc.communicate(), 240)
    text = printed.decode()
    assert proc.returncode == 0, text[-3000:]
    assert "the measurement failed" not in text, text[-3000:]
    report = out.read_text(encoding="utf-8")
    assert "mode **quick**" in report
    rows = [line for line in report.splitlines() if line.startswith("| ") and "---" not in line]
    seen = {row.split("|")[1].strip() for row in rows[1:]}
    assert seen == set(SECTIONS), seen
    for row in rows[1:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 6, row
        assert VERDICTS.match(cells[5]), row
    for key in SECTIONS:
        assert re.search(rf"^## {key}\. ", report, re.M), f"section {key} missing"
    assert "report written to" in text
