"""`studybot bench`: run every measurement, print the report table, write it as Markdown.

    studybot bench                 # the full run (several minutes)
    studybot bench --quick         # small sizes, well under a minute (the smoke test runs it)
    studybot bench --only a,d      # some sections only
    studybot bench --out report.md

Sections: a events/s through the core, b ack latency, c leaderboard, d pairing, e fan-out,
f memory. A section that cannot run reports "not measured: <reason>" instead of a figure.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import Postgres
from benchmarks.report import Report, Section, machine_facts

DEFAULT_OUT = "bench-report.md"

Runner = Callable[[bool, Postgres], Awaitable[Section]]

TITLES = {
    "a": "Answer and review events per second through the core",
    "b": "Ack latency through the Slack adapter, and a 200-member quiz race",
    "c": "Leaderboard reads at 100k members and 2M answers",
    "d": "Pairing time and quality",
    "e": "Daily fan-out to 1,000 channels under the platforms' rate limits",
    "f": "Resident memory with 1,000 workspaces",
}


def add_bench_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `studybot bench` on the CLI's subcommands."""
    bench = sub.add_parser("bench", help="run the benchmarks and write the report")
    bench.add_argument("--quick", action="store_true", help="small sizes (under a minute)")
    bench.add_argument("--out", default=DEFAULT_OUT, help=f"report file (default {DEFAULT_OUT})")
    bench.add_argument("--only", default="", help="comma-separated sections, e.g. a,d")
    bench.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    wanted = [k.strip() for k in args.only.split(",") if k.strip()] or list(TITLES)
    unknown = [k for k in wanted if k not in TITLES]
    if unknown:
        print(f"studybot bench: unknown section(s) {', '.join(unknown)}; known: "
              f"{', '.join(TITLES)}")
        return 2
    # The bot's own warnings still show; library chatter does not.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    report = asyncio.run(run(wanted, quick=args.quick))
    out = Path(args.out)
    out.write_text(report.markdown(), encoding="utf-8")
    print()
    print(report.table())
    print(f"\nreport written to {out}")
    return 0


async def run(wanted: list[str], *, quick: bool) -> Report:
    pg = Postgres()
    report = Report(
        mode="quick" if quick else "full",
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine_facts(await pg.version()),
    )
    runners = _runners()
    for key in wanted:
        print(f"[bench] {key}. {TITLES[key]} ...", flush=True)
        began = time.perf_counter()
        try:
            section = await runners[key](quick, pg)
        except Exception as exc:  # one broken measurement must not hide the others
            traceback.print_exc()
            section = Section(key, TITLES[key])
            section.skipped(TITLES[key], f"the measurement failed: {type(exc).__name__}: {exc}")
        section.seconds = time.perf_counter() - began
        print(f"[bench] {key} done in {section.seconds:.1f} s", flush=True)
        report.sections.append(section)
    return report


def _runners() -> dict[str, Runner]:
    from benchmarks import acks, fanout, leaderboard, memory, pairing, throughput

    return {"a": throughput.run, "b": acks.run, "c": leaderboard.run, "d": pairing.run,
            "e": fanout.run, "f": memory.run}
