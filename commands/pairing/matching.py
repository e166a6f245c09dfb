"""Who meets whom: pure matching of a round's members, with no database and no clock.

Each member becomes a `Candidate` whose availability is a bitmask over the round's meeting
window: bit i is set when a whole session can start at block i (blocks of `BLOCK_MINUTES`).

Hard rules, never broken: a pair shares a start time (availability overlaps by at least the
session length), two members with a no-show between them are never grouped again, and every
member is in at most one group. Within those rules the matcher places as many members as
possible, then maximises the total weight (`weight`): similar level, complementary roles, more
common times, no recent partners, members carried over from the last round first and members
with no-shows last. Up to `EXACT_LIMIT` members this is an exact maximum-weight matching among
maximum-cardinality ones (networkx); above, a fast greedy with the same hard rules. A member
left over is added to the best pair that can take a third; anyone still unplaced gets a reason.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx

BLOCK_MINUTES = 30
EXACT_LIMIT = 400
LEVELS = ("entry", "mid", "senior")
ROLES = ("interviewer", "interviewee", "both")

BASE = 1000  # every allowed pair is worth this much, so weights stay positive
MAX_OVERLAP_BONUS = 12
LEVEL_BONUS = (20, 8, 0)  # same level, one apart, two apart
PRIORITY_BONUS = 40  # per member carried over from the last round
NO_SHOW_PENALTY = 10  # per recorded no-show of each member (counted up to 3)
# A partner from 1, 2 or 3 rounds ago: larger than any quality difference between pairs, so a
# repeat is only chosen when it is needed to place more members.
REPEAT_PENALTY = {1: 600, 2: 400, 3: 200}
GREEDY_CANDIDATES = 24  # partners the greedy compares for each member

# Why someone was not placed (views.py turns these into sentences).
ALONE = "alone"
NO_WINDOW = "no_window"
NO_OVERLAP = "no_overlap"
BLOCKED = "blocked"
TAKEN = "taken"


@dataclass(frozen=True, eq=False)
class Candidate:
    """A member as the matcher sees them; `starts` has bit i set when a session fits at i."""

    id: int
    starts: int
    level: int = 1
    role: str = "both"
    priority: bool = False
    no_shows: int = 0
    recent: Mapping[int, int] = field(default_factory=dict)  # partner id -> rounds ago
    blocked: frozenset[int] = frozenset()  # never grouped again with these


@dataclass
class Matching:
    """The matcher's answer: groups of ids (pairs and trios), reasons for the unplaced."""

    groups: list[tuple[int, ...]]
    unplaced: dict[int, str]
    weight: int  # total weight of the pairs the matching chose (before trios were formed)
    exact: bool

    @property
    def pairs_weight(self) -> int:
        return self.weight


def session_starts(free: int, blocks: int) -> int:
    """Bits where `blocks` consecutive free blocks begin.

    Runs are found by doubling: runs of width 2w are runs of w whose next w blocks are free
    too; a length that is no power of two is covered by two overlapping power-of-two runs.
    """
    if blocks <= 1:
        return free
    run, width = free, 1
    while width * 2 <= blocks:
        run &= run >> width
        width *= 2
    if width < blocks:
        run &= run >> (blocks - width)
    return run


def compatible(a: Candidate, b: Candidate) -> bool:
    """The hard rules for two members."""
    return (
        a.id != b.id
        and b.id not in a.blocked
        and a.id not in b.blocked
        and (a.starts & b.starts) != 0
    )


def _role_bonus(a: str, b: str) -> int:
    if {a, b} == {"interviewer", "interviewee"}:
        return 6
    if "both" in (a, b):
        return 4
    return 0


def weight(a: Candidate, b: Candidate) -> int:
    """How good a pair is; only meaningful when `compatible(a, b)`."""
    common = (a.starts & b.starts).bit_count()
    value = BASE + min(common, MAX_OVERLAP_BONUS)
    value += LEVEL_BONUS[min(abs(a.level - b.level), 2)]
    value += _role_bonus(a.role, b.role)
    value += PRIORITY_BONUS * (int(a.priority) + int(b.priority))
    value -= NO_SHOW_PENALTY * (min(a.no_shows, 3) + min(b.no_shows, 3))
    ago = min(a.recent.get(b.id, 99), b.recent.get(a.id, 99))
    value -= REPEAT_PENALTY.get(ago, 0)
    return value


def match(candidates: Sequence[Candidate], *, exact_limit: int = EXACT_LIMIT) -> Matching:
    """Group the candidates; exact up to `exact_limit` members, greedy above."""
    by_id = {c.id: c for c in candidates}
    if len(by_id) != len(candidates):
        raise ValueError("candidate ids must be unique")
    exact = len(candidates) <= exact_limit
    pairs = _exact(candidates) if exact else _greedy(candidates, by_id)
    total = sum(weight(by_id[a], by_id[b]) for a, b in pairs)
    placed = {i for pair in pairs for i in pair}
    left = sorted(
        (c for c in candidates if c.id not in placed),
        key=lambda c: (not c.priority, min(c.no_shows, 3), c.id),
    )
    groups: list[tuple[int, ...]] = [tuple(p) for p in pairs]
    groups, left = _attach_trios(groups, left, by_id)
    unplaced = _reasons(left, candidates)
    return Matching(groups=groups, unplaced=unplaced, weight=total, exact=exact)


def _graph(candidates: Sequence[Candidate]) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(c.id for c in candidates)
    for i, a in enumerate(candidates):
        for b in candidates[i + 1 :]:
            if compatible(a, b):
                graph.add_edge(a.id, b.id, weight=weight(a, b))
    return graph


def _exact(candidates: Sequence[Candidate]) -> list[tuple[int, int]]:
    chosen = nx.max_weight_matching(_graph(candidates), maxcardinality=True)
    return sorted((min(a, b), max(a, b)) for a, b in chosen)


def optimum_weight(candidates: Sequence[Candidate]) -> int:
    """networkx's optimum, for comparison: the best total weight among maximum matchings."""
    graph = _graph(candidates)
    chosen = nx.max_weight_matching(graph, maxcardinality=True)
    return sum(int(graph.edges[a, b]["weight"]) for a, b in chosen)


def _buckets(starts: int) -> list[int]:
    """Coarse 8-block buckets where a member can start (a cheap index for the greedy)."""
    data = starts.to_bytes((starts.bit_length() + 7) // 8 or 1, "little")
    return [i for i, byte in enumerate(data) if byte]


def _greedy(candidates: Sequence[Candidate], by_id: dict[int, Candidate]) -> list[tuple[int, int]]:
    """Most constrained and highest-priority members choose first, each among a bounded
    number of compatible partners found through the bucket index; then a repair pass."""
    order = sorted(
        candidates,
        key=lambda c: (not c.priority, min(c.no_shows, 3), c.starts.bit_count(), c.id),
    )
    buckets = {c.id: _buckets(c.starts) for c in candidates}
    index: dict[int, dict[int, None]] = {}
    for c in order:
        for b in buckets[c.id]:
            index.setdefault(b, {})[c.id] = None
    partner: dict[int, int] = {}
    for u in order:
        if u.id in partner:
            continue
        best = _best_partner(u, buckets[u.id], index, by_id, partner)
        if best is None:
            continue
        partner[u.id], partner[best.id] = best.id, u.id
        for member in (u.id, best.id):
            for bucket in buckets[member]:
                index[bucket].pop(member, None)
    _repair(order, buckets, index, by_id, partner)
    return sorted({(min(a, b), max(a, b)) for a, b in partner.items()})


def _best_partner(
    u: Candidate,
    buckets: list[int],
    index: dict[int, dict[int, None]],
    by_id: dict[int, Candidate],
    partner: dict[int, int],
) -> Candidate | None:
    best: Candidate | None = None
    best_weight = 0
    seen = {u.id}
    compared = 0
    for bucket in buckets:
        for vid in index.get(bucket, ()):
            if vid in seen or vid in partner:
                continue
            seen.add(vid)
            v = by_id[vid]
            if not compatible(u, v):
                continue
            w = weight(u, v)
            if best is None or w > best_weight:
                best, best_weight = v, w
            compared += 1
            if compared >= GREEDY_CANDIDATES:
                return best
    return best


def _repair(
    order: Sequence[Candidate],
    buckets: dict[int, list[int]],
    free_index: dict[int, dict[int, None]],
    by_id: dict[int, Candidate],
    partner: dict[int, int],
) -> None:
    """Augment along paths of length three: unplaced u, placed pair v-w, unplaced x become
    u-v and w-x, one more pair. This recovers most members a plain greedy leaves out."""
    left = [c for c in order if c.id not in partner]
    if len(left) < 2:
        return
    placed_index: dict[int, list[int]] = {}
    for vid in partner:
        for b in buckets[vid]:
            placed_index.setdefault(b, []).append(vid)
    budget = 8 * GREEDY_CANDIDATES
    for u in left:
        if u.id in partner:
            continue
        tried = 0
        found: tuple[int, int, int] | None = None
        for bucket in buckets[u.id]:
            for vid in placed_index.get(bucket, ()):
                tried += 1
                if tried > budget or found:
                    break
                v = by_id[vid]
                if vid not in partner or not compatible(u, v):
                    continue
                w = by_id[partner[vid]]
                for b in buckets[w.id]:
                    x = next(
                        (
                            xid
                            for xid in free_index.get(b, ())
                            if xid != u.id and xid not in partner and compatible(w, by_id[xid])
                        ),
                        None,
                    )
                    if x is not None:
                        found = (vid, w.id, x)
                        break
            if tried > budget or found:
                break
        if found is None:
            continue
        vid, wid, xid = found
        partner[u.id], partner[vid] = vid, u.id
        partner[wid], partner[xid] = xid, wid
        for member in (u.id, xid):
            for bucket in buckets[member]:
                free_index[bucket].pop(member, None)
                placed_index.setdefault(bucket, []).append(member)


def _attach_trios(
    groups: list[tuple[int, ...]], left: list[Candidate], by_id: dict[int, Candidate]
) -> tuple[list[tuple[int, ...]], list[Candidate]]:
    """Add each leftover to the best pair that all three can meet with (one extra per pair)."""
    if not left or not groups:
        return groups, left
    common = [by_id[g[0]].starts & by_id[g[1]].starts for g in groups]
    taken: set[int] = set()
    still: list[Candidate] = []
    for u in left:
        best, best_weight = -1, 0
        for i, group in enumerate(groups):
            if i in taken or not (common[i] & u.starts):
                continue
            va, vb = by_id[group[0]], by_id[group[1]]
            if not (compatible(u, va) and compatible(u, vb)):
                continue
            w = weight(u, va) + weight(u, vb)
            if best < 0 or w > best_weight:
                best, best_weight = i, w
        if best < 0:
            still.append(u)
            continue
        taken.add(best)
        groups[best] = (*groups[best], u.id)
    return groups, still


def _reasons(left: Sequence[Candidate], everyone: Sequence[Candidate]) -> dict[int, str]:
    """Reasons for every unplaced member, looking only at members sharing a bucket (two
    members whose start times overlap always share one), so that thousands stay fast."""
    if not left:
        return {}
    index: dict[int, list[Candidate]] = {}
    for c in everyone:
        for b in _buckets(c.starts) if c.starts else ():
            index.setdefault(b, []).append(c)
    out = {}
    for u in left:
        if len(everyone) == 1:
            out[u.id] = ALONE
            continue
        if not u.starts:
            out[u.id] = NO_WINDOW
            continue
        reason = NO_OVERLAP
        for b in _buckets(u.starts):
            for v in index.get(b, ()):
                if v.id == u.id or not v.starts & u.starts:
                    continue
                if compatible(u, v):
                    reason = TAKEN
                    break
                reason = BLOCKED
            if reason == TAKEN:
                break
        out[u.id] = reason
    return out


def unplaced_reason(member: Candidate, everyone: Sequence[Candidate]) -> str:
    """Why `member` could not be placed, as one of the reason codes."""
    others = [c for c in everyone if c.id != member.id]
    if not others:
        return ALONE
    if not member.starts:
        return NO_WINDOW
    overlapping = [c for c in others if c.starts & member.starts]
    if not overlapping:
        return NO_OVERLAP
    if all(not compatible(member, c) for c in overlapping):
        return BLOCKED
    return TAKEN


def brute_force_best(candidates: Sequence[Candidate]) -> tuple[int, int]:
    """(pairs, weight) of the best matching by exhaustive search; for tests with few members."""
    n = len(candidates)
    if n > 16:
        raise ValueError("brute force is for at most 16 members")
    memo: dict[int, tuple[int, int]] = {}

    def best(mask: int) -> tuple[int, int]:
        if mask == 0:
            return (0, 0)
        if mask in memo:
            return memo[mask]
        i = (mask & -mask).bit_length() - 1
        rest = mask & ~(1 << i)
        result = best(rest)
        for j in range(i + 1, n):
            if rest >> j & 1 and compatible(candidates[i], candidates[j]):
                sub = best(rest & ~(1 << j))
                option = (sub[0] + 1, sub[1] + weight(candidates[i], candidates[j]))
                result = max(result, option)
        memo[mask] = result
        return result

    return best((1 << n) - 1)


# --- synthetic rounds for the benchmark and the property tests ------------------------------


def synthetic_candidates(n: int, seed: int = 0, *, days: int = 7, session_blocks: int = 3) -> list[
    Candidate
]:
    """`n` plausible members: one to three evening or weekend windows each, mixed levels and
    roles, a few carried over, a few with no-shows, some recent partners and blocked pairs."""
    rng = random.Random(seed)
    per_day = 24 * 60 // BLOCK_MINUTES
    out: list[Candidate] = []
    for i in range(n):
        free = 0
        for _ in range(rng.randint(1, 3)):
            day = rng.randrange(days)
            start_hour = rng.choice((7, 8, 12, 17, 18, 19, 20, 10, 14))
            length = rng.randint(3, 8)  # 1.5 to 4 hours
            first = day * per_day + start_hour * 2
            free |= ((1 << length) - 1) << first
        recent = {rng.randrange(n): rng.randint(1, 3) for _ in range(rng.randint(0, 2))}
        blocked = frozenset({rng.randrange(n)}) if rng.random() < 0.03 else frozenset()
        out.append(
            Candidate(
                id=i,
                starts=session_starts(free, session_blocks),
                level=rng.randrange(3),
                role=rng.choice(ROLES),
                priority=rng.random() < 0.05,
                no_shows=1 if rng.random() < 0.08 else 0,
                recent={k: v for k, v in recent.items() if k != i},
                blocked=blocked - {i},
            )
        )
    return out


@dataclass(frozen=True)
class BenchResult:
    """One benchmark run: how long the matcher took and how good its answer is."""

    members: int
    seconds: float
    weight: int
    optimum: int | None
    placed: int
    unplaced: int
    groups: int
    exact: bool


def benchmark(n: int, seed: int = 0, *, with_optimum: bool = False) -> BenchResult:
    """Pair `n` synthetic members; `with_optimum` also computes networkx's optimum (slow for
    thousands) so the two totals can be compared."""
    candidates = synthetic_candidates(n, seed)
    started = time.perf_counter()
    result = match(candidates)
    seconds = time.perf_counter() - started
    optimum = optimum_weight(candidates) if with_optimum else None
    placed = sum(len(g) for g in result.groups)
    return BenchResult(
        members=n,
        seconds=seconds,
        weight=result.weight,
        optimum=optimum,
        placed=placed,
        unplaced=len(result.unplaced),
        groups=len(result.groups),
        exact=result.exact,
    )
