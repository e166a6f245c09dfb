"""The benchmark report: rows of figures beside the limits measured in the same run.

Every row shows what was measured, the figure, the limit or reference measured in the same
run on the same machine (so the report reads the same on a faster or slower machine), the
issue's target and a verdict. Sections add notes: how it was measured and, for a miss, what
would close it. `markdown()` is the file; `table()` is what the terminal shows.
"""

from __future__ import annotations

import platform
import sqlite3
import sys
from dataclasses import dataclass, field

MEETS = "meets"
MISSES = "misses"
INFO = "info"


def not_measured(reason: str) -> str:
    return f"not measured: {reason}"


@dataclass
class Row:
    """One figure: `beside` is the limit or reference measured in the same run."""

    measure: str
    figure: str
    beside: str = ""
    target: str = ""
    verdict: str = INFO


@dataclass
class Section:
    """One measurement (a-f): its rows, notes and how long it took to run."""

    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, *rows: Row) -> None:
        self.rows.extend(rows)

    def skipped(self, measure: str, reason: str, target: str = "") -> None:
        self.rows.append(Row(measure, "-", "", target, not_measured(reason)))


def verdict(ok: bool) -> str:
    return MEETS if ok else MISSES


@dataclass
class Report:
    """All sections of one run, with the machine they ran on."""

    mode: str
    started: str
    machine: list[str]
    sections: list[Section] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [
            "# StudyBot benchmark report",
            "",
            f"Run {self.started}, mode **{self.mode}**. Machine: " + "; ".join(self.machine) + ".",
            "",
            "Each figure stands beside a limit measured in the same run on the same machine, "
            "so the ratios read the same on a faster or slower machine.",
            "",
            "## Summary",
            "",
            "| | measure | figure | beside it (same run) | target | verdict |",
            "|---|---|---|---|---|---|",
        ]
        for section in self.sections:
            for row in section.rows:
                lines.append(
                    f"| {section.key} | {_cell(row.measure)} | {_cell(row.figure)} | "
                    f"{_cell(row.beside)} | {_cell(row.target)} | {_cell(row.verdict)} |"
                )
        for section in self.sections:
            lines += ["", f"## {section.key}. {section.title}", ""]
            lines += [f"- {note}" for note in section.notes]
            lines.append(f"- Section time: {section.seconds:.1f} s.")
        lines.append("")
        return "\n".join(lines)

    def table(self) -> str:
        """A plain-text table for the terminal (the same rows as the Markdown summary)."""
        header = ("", "measure", "figure", "beside it (same run)", "target", "verdict")
        rows = [header] + [
            (s.key, r.measure, r.figure, r.beside, r.target, r.verdict)
            for s in self.sections
            for r in s.rows
        ]
        widths = [min(max(len(row[i]) for row in rows), 60) for i in range(len(header))]
        out = []
        for n, row in enumerate(rows):
            out.append("  ".join(_fit(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if n == 0:
                out.append("  ".join("-" * w for w in widths))
        return "\n".join(out)


def machine_facts(pg_version: str | None) -> list[str]:
    import os

    facts = [
        f"{_cpu_model()}, {os.cpu_count()} logical CPUs",
        f"{_memory_gb():.0f} GB RAM" if _memory_gb() else "RAM unknown",
        f"Python {sys.version.split()[0]} ({platform.system()})",
        f"SQLite {sqlite3.sqlite_version}",
        f"PostgreSQL {pg_version}" if pg_version else "PostgreSQL not reachable",
    ]
    return facts


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gb() -> float:
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
