"""Loads question packs and reports every problem at once with file:line:column.

A pack is validated whole before any of it is used; a broken pack is never half loaded.
YAML is composed first (so every value keeps its position), checked for bombs (aliases are
refused, nesting is bounded), then validated with the pydantic schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.packs.schema import Pack

BUNDLED_DIR = Path(__file__).resolve().parents[2] / "question_packs"
MAX_BYTES = 1_000_000
MAX_DEPTH = 12
MAX_NODES = 200_000

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One error or warning, located in its file."""

    source: str
    line: int
    column: int
    message: str
    question_id: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}:{self.column}"
        qid = f" [{self.question_id}]" if self.question_id else ""
        kind = "warning" if self.warning else "error"
        return f"{where}: {kind}{qid}: {self.message}"


@dataclass
class LoadResult:
    """A pack (only when there is no error) and every problem found."""

    source: str
    pack: Pack | None = None
    problems: list[Problem] = field(default_factory=list)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors/aliases (the billion-laughs vector)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases (*name) are not allowed in packs", event.start_mark
            )
        return super().compose_node(parent, index)


def load_text(data: bytes | str, source: str) -> LoadResult:
    """Validate one pack given as bytes or text; `source` names it in messages."""
    result = LoadResult(source)
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            result.problems.append(
                Problem(source, 1, 1, f"the pack is {len(data):,} bytes; the limit is 1 MB")
            )
            return result
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            result.problems.append(
                Problem(source, 1, 1, f"the file is not UTF-8 text (byte {exc.start})")
            )
            return result
    else:
        text = data
        if len(text.encode("utf-8")) > MAX_BYTES:
            result.problems.append(Problem(source, 1, 1, "the pack is larger than 1 MB"))
            return result
    try:
        loader = _NoAliasLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        result.problems.append(Problem(source, line, col, f"not valid YAML: {exc.problem}"))
        return result
    except yaml.YAMLError as exc:
        result.problems.append(Problem(source, 1, 1, f"not valid YAML: {exc}"))
        return result
    if node is None:
        result.problems.append(Problem(source, 1, 1, "the file is empty"))
        return result
    marks: dict[Path_, tuple[int, int]] = {}
    try:
        _index(node, (), marks, 0, [0])
    except _TooBig as exc:
        result.problems.append(Problem(source, exc.line, exc.column, str(exc)))
        return result
    data_obj = yaml.SafeLoader("").construct_document(node)
    if isinstance(data_obj, dict) and "pack" not in data_obj and _looks_like_red(data_obj):
        data_obj = _from_red(data_obj, Path(source).stem)
    try:
        result.pack = Pack.model_validate(data_obj)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            line, col = _locate(marks, loc)
            qid = _question_id(data_obj, loc)
            where = ".".join(str(p) for p in loc if not isinstance(p, int)) or "pack"
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = f"unknown key `{loc[-1]}`"
            elif err["type"] == "missing":
                msg = f"missing `{loc[-1]}`"
            else:
                msg = f"{where}: {msg}"
            result.problems.append(Problem(source, line, col, msg, qid))
    if result.pack is not None:
        result.positions = {
            q.id: _locate(marks, ("questions", i)) for i, q in enumerate(result.pack.questions)
        }
        result.problems += _field_checks(result.pack, marks, source)
        if any(not p.warning for p in result.problems):
            result.pack = None
    return result


def load_file(path: str | Path) -> LoadResult:
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return LoadResult(str(file), problems=[Problem(str(file), 1, 1, exc.strerror or "")])
    return load_text(raw, str(file))


def load_many(paths: Iterable[str | Path]) -> list[LoadResult]:
    """Load several packs and add cross-pack checks (duplicate ids, near-duplicates)."""
    from bot.packs.lint import lint_across

    results = [load_file(p) for p in paths]
    lint_across(results)
    return results


def pack_files(extra_dirs: Iterable[str] = ()) -> list[Path]:
    files = sorted(BUNDLED_DIR.glob("*.yaml"))
    for folder in extra_dirs:
        files += sorted(Path(folder).glob("*.yaml"))
    return files


def load_bundled(extra_dirs: Iterable[str] = ()) -> dict[str, Pack]:
    """The bundled packs (and extra folders); a broken pack stops the bot with its problems."""
    results = load_many(pack_files(extra_dirs))
    errors = [str(p) for r in results for p in r.errors]
    if errors:
        from bot.core.errors import ConfigError

        shown = "; ".join(errors[:3]) + (f" (+{len(errors) - 3} more)" if len(errors) > 3 else "")
        raise ConfigError(f"question packs have errors: {shown}")
    return {r.pack.id: r.pack for r in results if r.pack is not None}


class _TooBig(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line, self.column = line, column


def _index(
    node: yaml.Node, path: Path_, marks: dict[Path_, tuple[int, int]], depth: int, count: list[int]
) -> None:
    count[0] += 1
    mark = node.start_mark
    if depth > MAX_DEPTH:
        raise _TooBig("the YAML nests too deeply", mark.line + 1, mark.column + 1)
    if count[0] > MAX_NODES:
        raise _TooBig("the YAML has too many values", mark.line + 1, mark.column + 1)
    marks[path] = (mark.line + 1, mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key)
            marks[(*path, name)] = (key.start_mark.line + 1, key.start_mark.column + 1)
            _index(value, (*path, name), marks, depth + 1, count)
            marks[(*path, name)] = (key.start_mark.line + 1, key.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), marks, depth + 1, count)


def _locate(marks: dict[Path_, tuple[int, int]], loc: Path_) -> tuple[int, int]:
    for size in range(len(loc), -1, -1):
        if loc[:size] in marks:
            return marks[loc[:size]]
    return (1, 1)


def _question_id(data: Any, loc: Path_) -> str | None:
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        try:
            qid = data["questions"][loc[1]].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            return None
        return str(qid) if qid is not None else f"question #{loc[1] + 1}"
    return None


def _field_checks(pack: Pack, marks: dict[Path_, tuple[int, int]], source: str) -> list[Problem]:
    """Rules beyond the schema: topics listed in the header, explanations that teach."""
    found: list[Problem] = []
    for i, q in enumerate(pack.questions):
        if q.topic not in pack.pack.topics:
            line, col = _locate(marks, ("questions", i, "topic"))
            found.append(
                Problem(source, line, col, f"topic {q.topic} is not in the pack's topics", q.id)
            )
        if len(q.explanation) < 20:
            line, col = _locate(marks, ("questions", i, "explanation"))
            found.append(
                Problem(source, line, col, "the explanation is too short to teach", q.id, True)
            )
    return found


def _looks_like_red(data: dict[Any, Any]) -> bool:
    items = [(k, v) for k, v in data.items() if k not in ("AUTHOR", "CONFIG", "DESCRIPTION")]
    return bool(items) and all(
        isinstance(k, str | int | float) and isinstance(v, list) for k, v in items
    )


def _from_red(data: dict[Any, Any], name: str) -> dict[str, Any]:
    """A Red-DiscordBot trivia list as a pack of short-answer questions."""
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "trivia"
    questions = []
    for n, (prompt, answers) in enumerate(
        ((k, v) for k, v in data.items() if k not in ("AUTHOR", "CONFIG", "DESCRIPTION")), 1
    ):
        questions.append(
            {
                "id": f"{slug[:30]}-{n:04d}",
                "topic": "general",
                "subtopic": "trivia",
                "difficulty": "medium",
                "kind": "short",
                "prompt": str(prompt),
                "answers": [str(a) for a in answers],
                "explanation": f"Accepted answers: {', '.join(str(a) for a in answers)}.",
            }
        )
    return {
        "pack": {
            "id": slug[:40],
            "title": str(data.get("DESCRIPTION") or name),
            "version": 1,
            "description": str(data.get("DESCRIPTION") or f"Imported trivia list {name}"),
            "author": str(data.get("AUTHOR") or "unknown"),
            "license": "as published by its author",
            "topics": ["general"],
        },
        "questions": questions,
    }


def iter_questions(results: Iterable[LoadResult]) -> Iterator[tuple[LoadResult, int]]:
    for result in results:
        if result.pack is not None:
            for i in range(len(result.pack.questions)):
                yield result, i
