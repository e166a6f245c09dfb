"""`studybot packs list | validate | show | new`."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from bot.packs.lint import lint_across
from bot.packs.loader import BUNDLED_DIR, load_file, load_many, pack_files
from bot.packs.schema import DIFFICULTIES, KINDS, TOPICS

TEMPLATE = Path(__file__).with_name("template.yaml")


def add_pack_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    packs = sub.add_parser("packs", help="question packs")
    packs_sub = packs.add_subparsers(dest="action", required=True)
    packs_sub.add_parser("list", help="the bundled packs with counts").set_defaults(func=_list)
    validate = packs_sub.add_parser(
        "validate",
        help="check pack files (outside question_packs/ also against the bundled packs, as "
        "/pack import does); exit 1 on an error",
    )
    validate.add_argument("paths", nargs="+")
    validate.set_defaults(func=_validate)
    show = packs_sub.add_parser("show", help="print one pack's questions")
    show.add_argument("pack_id")
    show.set_defaults(func=_show)
    packs_sub.add_parser("new", help="print a commented template").set_defaults(func=_new)


def _list(args: argparse.Namespace) -> int:
    results = load_many(pack_files())
    by_topic: Counter[tuple[str, str]] = Counter()
    total = 0
    print(f"{'pack':26} {'ver':>3} {'questions':>9}  title   (from {BUNDLED_DIR})")
    for result in results:
        if result.pack is None:
            print(f"{Path(result.source).name:26} broken: {len(result.errors)} error(s)")
            continue
        pack = result.pack
        total += len(pack.questions)
        print(f"{pack.id:26} {pack.pack.version:>3} {len(pack.questions):>9}  {pack.pack.title}")
        for q in pack.questions:
            by_topic[(q.topic, "difficulty:" + q.difficulty)] += 1
            by_topic[(q.topic, "kind:" + q.kind)] += 1
    print(f"\n{total} questions in all\n")
    head = ["questions", *DIFFICULTIES, *KINDS]
    print(f"{'topic':24}" + "".join(f"{h:>11}" for h in head))
    sums = [0] * len(head)
    for topic in TOPICS:
        counts = [by_topic[(topic, "difficulty:" + d)] for d in DIFFICULTIES]
        counts += [by_topic[(topic, "kind:" + k)] for k in KINDS]
        counts.insert(0, sum(counts[: len(DIFFICULTIES)]))
        if any(counts):
            print(f"{topic:24}" + "".join(f"{c:>11}" for c in counts))
            sums = [a + b for a, b in zip(sums, counts, strict=True)]
    print(f"{'all topics':24}" + "".join(f"{c:>11}" for c in sums))
    return 0


def _validate(args: argparse.Namespace) -> int:
    files: list[Path] = []
    for raw in args.paths:
        path = Path(raw)
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    bundled_files = {f.resolve() for f in pack_files()}
    own = [f for f in files if f.resolve() not in bundled_files]
    results = [load_file(f) for f in files]
    # Files of one's own are checked as an import would be: beside the bundled packs.
    context = [r for r in load_many(sorted(bundled_files)) if r.pack is not None] if own else []
    given = {f.resolve() for f in files}
    existing = {
        r.pack.id: r.pack for r in context if r.pack is not None and
        Path(r.source).resolve() not in given
    }
    lint_across(results, existing=existing, reserved=set(existing))
    errors = 0
    for result in results:
        for problem in result.problems:
            print(problem)
        errors += len(result.errors)
        status = "ok" if result.pack is not None else "REJECTED"
        count = len(result.pack.questions) if result.pack is not None else 0
        print(f"{result.source}: {status}, {count} questions, {len(result.errors)} error(s), "
              f"{len(result.warnings)} warning(s)")
    return 1 if errors else 0


def _show(args: argparse.Namespace) -> int:
    for result in load_many(pack_files()):
        if result.pack is not None and result.pack.id == args.pack_id:
            pack = result.pack
            print(f"{pack.pack.title} (v{pack.pack.version}, {pack.pack.license}): "
                  f"{pack.pack.description}")
            for q in pack.questions:
                print(f"\n[{q.id}] {q.topic}/{q.subtopic} {q.difficulty} {q.kind}\n  {q.prompt}")
                answer = " ".join(q.answer_text().split())
                print(f"  answer: {answer[:200]}{'...' if len(answer) > 200 else ''}")
            return 0
    print(f"no bundled pack with id {args.pack_id}")
    return 1


def _new(args: argparse.Namespace) -> int:
    print(TEMPLATE.read_text(encoding="utf-8"), end="")
    return 0
