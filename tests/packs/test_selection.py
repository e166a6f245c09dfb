"""Question selection over 1,000 simulated days: no repeats before the pool is exhausted, the
plan's topics followed, difficulties mixed, reproducible with a seed, stable across versions."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from bot.packs.library import PackLibrary
from bot.packs.loader import load_bundled, load_text
from bot.packs.plan import plan_week
from bot.packs.schema import Pack, Question
from bot.packs.selection import choose, cycle_state, next_question, pool_for
from tests.packs.helpers import MCQ, NUMERIC, OPEN, SHORT, pack

START = date(2026, 12, 1)
DAYS = 1000


@pytest.fixture(scope="module")
def bundled() -> dict[str, Pack]:
    return load_bundled()


def simulate(pool: list[Question], seed: str, days: int = DAYS) -> list[str]:
    history: list[str] = []
    for day in range(days):
        week = plan_week(START, START + timedelta(days=day))
        pick = next_question(pool, history, preferred_topics=week.topics, seed=seed)
        assert pick is not None
        history.append(pick.question.id)
    return history


def test_a_thousand_days_keep_every_rule(bundled: dict[str, Pack]) -> None:
    library = PackLibrary(bundled=bundled)
    pool = pool_for(library.questions(None), packs=set(bundled), pack_of=library.pack_of(None))
    by_id = {q.id: q for q in pool}
    history: list[str] = []
    seen: set[str] = set()  # this test's own account of the current cycle
    cycles = 0
    on_plan = off_plan_forced = same_level_forced = 0
    for day in range(DAYS):
        week = plan_week(START, START + timedelta(days=day))
        pick = next_question(pool, history, preferred_topics=week.topics, seed="channel-7")
        assert pick is not None
        q = pick.question
        # 1. never a repeat inside a cycle; a new cycle only once the pool is exhausted
        assert pick.new_cycle == (not seen and cycles > 0)
        assert q.id not in seen
        fresh = [c for c in pool if c.id not in seen]
        # 2. the week's topics whenever a fresh question of them is left
        fresh_on_plan = [c for c in fresh if c.topic in week.topics]
        if fresh_on_plan:
            assert q.topic in week.topics, (day, week.topics, q.topic)
            on_plan += 1
        else:
            off_plan_forced += 1
        # 3. difficulties rotate: the same level twice in a row only when nothing else was left
        if history:
            previous = by_id[history[-1]].difficulty
            candidates = fresh_on_plan or fresh
            if q.difficulty == previous:
                assert {c.difficulty for c in candidates} == {previous}, day
                same_level_forced += 1
        history.append(q.id)
        seen.add(q.id)
        if len(seen) == len(pool):
            seen = set()
            cycles += 1
    assert cycles == DAYS // len(pool)
    for start in range(0, cycles * len(pool), len(pool)):
        assert sorted(history[start : start + len(pool)]) == sorted(by_id)
    levels = Counter(by_id[qid].difficulty for qid in history[:60])
    assert min(levels.values()) >= 15, levels
    print(f"\n{DAYS} days over {len(pool)} questions: {cycles} full cycles, {on_plan} days on the "
          f"plan's topics, {off_plan_forced} off it because they were used up, "
          f"{same_level_forced} repeated difficulties because nothing else was left")


def test_the_same_seed_gives_the_same_days_and_another_seed_others(
    bundled: dict[str, Pack],
) -> None:
    pool = [q for p in bundled.values() for q in p.questions]
    first = simulate(pool, "channel-1", 120)
    assert simulate(list(reversed(pool)), "channel-1", 120) == first
    other = simulate(pool, "channel-2", 120)
    assert other != first
    assert sum(a == b for a, b in zip(first, other, strict=True)) < 30


def test_a_channel_without_plan_topics_still_mixes_difficulties(
    bundled: dict[str, Pack],
) -> None:
    pool = [q for q in bundled["evaluation"].questions]
    history: list[str] = []
    for _ in range(9):
        pick = next_question(pool, history, seed=1)
        assert pick is not None
        history.append(pick.question.id)
    levels = [next(q.difficulty for q in pool if q.id == qid) for qid in history]
    assert levels == ["easy", "medium", "hard"] * 3


def v1_v2() -> tuple[Pack, Pack]:
    v1 = load_text(pack(MCQ, NUMERIC, SHORT, OPEN), "v1.yaml").pack
    edited = (
        pack(MCQ.replace("What is its determinant?", "What is det(A)?"), SHORT, OPEN,
             NUMERIC.replace("tp-002", "tp-005").replace("40 true", "30 true")
             .replace("answer: 0.8", "answer: 0.75").replace("40 / (40", "30 / (30"))
        .replace("version: 1", "version: 2")
    )
    v2 = load_text(edited, "v2.yaml").pack
    assert v1 is not None and v2 is not None
    return v1, v2


def test_a_new_pack_version_keeps_the_history_of_stable_ids() -> None:
    v1, v2 = v1_v2()
    library = PackLibrary()
    library.set_imported(1, v1)
    pool = list(library.questions(1))
    history = []
    for _ in range(2):
        pick = next_question(pool, history, seed="c")
        assert pick is not None
        history.append(pick.question.id)
    library.set_imported(1, v2)  # tp-002 removed, tp-005 added, tp-001 reworded (same id)
    pool = list(library.questions(1))
    assert library.packs_for(1)["team-pack"].pack.version == 2
    rest = []
    for _ in range(len(pool) - len(set(history) & {q.id for q in pool})):
        pick = next_question(pool, history + rest, seed="c")
        assert pick is not None and not pick.new_cycle
        rest.append(pick.question.id)
    asked_before = set(history) & {q.id for q in pool}
    assert not asked_before & set(rest), "a question asked under v1 is not asked again"
    assert "tp-002" not in rest and "tp-005" in rest
    assert set(rest) | asked_before == {q.id for q in pool}
    pick = next_question(pool, history + rest, seed="c")
    assert pick is not None and pick.new_cycle


def test_cycle_state_ignores_questions_outside_the_pool(bundled: dict[str, Pack]) -> None:
    pool = bundled["coding"].questions
    history = ["la-001", pool[0].id, "gone-1", pool[1].id]
    state = cycle_state(history, pool)
    assert state.asked == {pool[0].id, pool[1].id}
    assert state.finished == 0
    # the last three ids hold two of the pool's questions
    assert state.recent_difficulties == (pool[0].difficulty, pool[1].difficulty)


def test_the_pool_filters_packs_topics_and_kinds(bundled: dict[str, Pack]) -> None:
    library = PackLibrary(bundled=bundled)
    pack_of = library.pack_of(None)
    pool = pool_for(library.questions(None), packs={"evaluation", "coding"}, pack_of=pack_of)
    assert {pack_of[q.id] for q in pool} == {"evaluation", "coding"}
    mcqs = pool_for(library.questions(None), topics={"coding"}, kinds={"mcq"})
    assert mcqs and all(q.kind == "mcq" and q.topic == "coding" for q in mcqs)
    with pytest.raises(TypeError):
        pool_for(library.questions(None), packs={"coding"})
    assert choose([], set()) is None
