"""d. Pairing time at 100, 400 and 5,000 members, and the total weight against the optimum.

The matcher (commands/pairing/matching.py) runs on synthetic rounds from the same module.
Beside each time: the quality of the answer, measured in the same run. Up to 1,000 members the
optimum is networkx's exact maximum-weight matching; at 5,000 members that takes far too long
(it is cubic), so the total is compared with an upper bound on the optimum instead: every pair
weighs at most the mean of its two members' best possible pair, so half the sum of each
member's best pair bounds any matching.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from benchmarks.report import Row, Section, verdict

TARGET_SECONDS = 2.0


def upper_bound(candidates: Sequence[object]) -> int:
    """Half the sum, over members, of the heaviest pair each could be in (>= the optimum)."""
    from commands.pairing.matching import Candidate, compatible, weight

    members = [c for c in candidates if isinstance(c, Candidate)]
    index: dict[int, list[Candidate]] = {}
    for c in members:
        # Members who can meet share at least one byte of their availability bitmask.
        data = c.starts.to_bytes((c.starts.bit_length() + 7) // 8 or 1, "little")
        for i, byte in enumerate(data):
            if byte:
                index.setdefault(i, []).append(c)
    best: dict[int, int] = {c.id: 0 for c in members}
    seen: set[tuple[int, int]] = set()
    for group in index.values():
        for n, a in enumerate(group):
            for b in group[n + 1:]:
                key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
                if key in seen:
                    continue
                seen.add(key)
                if compatible(a, b):
                    w = weight(a, b)
                    if w > best[a.id]:
                        best[a.id] = w
                    if w > best[b.id]:
                        best[b.id] = w
    return sum(best.values()) // 2


async def run(quick: bool, _pg: object) -> Section:
    section = Section("d", "Pairing time and quality")
    try:
        from commands.pairing.matching import (
            EXACT_LIMIT,
            benchmark,
            match,
            optimum_weight,
            synthetic_candidates,
        )
    except ImportError as exc:
        section.skipped("pairing time",
                        f"commands/pairing/matching.py has no benchmark API ({exc})")
        return section
    for n in (100, 400):
        result = benchmark(n, with_optimum=True)
        optimum = result.optimum or 0
        section.add(Row(
            f"pairing {n} members ({'exact' if result.exact else 'greedy'})",
            f"{result.seconds:.2f} s ({result.groups} groups, {result.unplaced} unplaced)",
            f"weight {result.weight:,} = {result.weight / optimum:.2%} of the optimum "
            f"{optimum:,} (networkx, same run)",
            "",
            "info",
        ))
    if not quick:
        # Calibration of the greedy above EXACT_LIMIT against the exact optimum.
        n = 1000
        candidates = synthetic_candidates(n)
        began = time.perf_counter()
        greedy = match(candidates)
        seconds = time.perf_counter() - began
        began = time.perf_counter()
        optimum = optimum_weight(candidates)
        exact_seconds = time.perf_counter() - began
        section.add(Row(
            f"pairing {n} members ({'exact' if greedy.exact else 'greedy'}), quality check",
            f"{seconds:.2f} s",
            f"weight {greedy.weight:,} = {greedy.weight / optimum:.2%} of the optimum "
            f"{optimum:,} (networkx took {exact_seconds:.0f} s)",
            "",
            "info",
        ))
    n = 5000
    result = benchmark(n)
    candidates = synthetic_candidates(n)
    if quick:
        beside = "upper bound on the optimum not computed in --quick"
    else:
        bound = upper_bound(candidates)
        beside = f"weight {result.weight:,} >= {result.weight / bound:.2%} of an upper bound " \
                 f"{bound:,} on the optimum"
    section.add(Row(
        f"pairing {n} members ({'exact' if result.exact else 'greedy'})",
        f"{result.seconds:.2f} s ({result.groups} groups, {result.unplaced} unplaced)",
        beside,
        f"< {TARGET_SECONDS:.0f} s",
        verdict(result.seconds < TARGET_SECONDS),
    ))
    section.notes += [
        "Synthetic rounds from commands/pairing/matching.py (synthetic_candidates): one to "
        "three free windows per member over a week, mixed levels and roles, some carried "
        "over, some recent partners and no-shows. Only the matcher is timed (no database).",
        f"Up to {EXACT_LIMIT} members the matcher is exact (networkx, cubic); above, a greedy "
        "with a repair pass. Every pair is worth 1,000 plus bonuses and minus penalties, so "
        "a ratio of totals near 100% still hides differences in the bonuses.",
    ]
    return section
