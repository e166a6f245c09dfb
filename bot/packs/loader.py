"""Loads question packs and reports every problem at once with file:line:column.

A pack is validated whole before any of it is used; a broken pack is never half loaded.
The steps, each of which stops at the first thing it cannot get past:
1. bytes: at most 1 MB, UTF-8 (the size is checked before anything is decoded or parsed);
2. YAML events (libyaml when available): aliases are refused (the billion-laughs vector),
   nesting and the number of values are bounded, all before a node tree is built;
3. the node tree: every key's position is recorded, a key given twice is an error;
4. the values: the header and every question are validated separately, so that every broken
   question is reported, each with its id; then duplicate ids and topics outside the header.
Red-DiscordBot trivia lists (`question: [answers]`) become packs of short-answer questions.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.packs.schema import (
    TOPICS,
    Choice,
    KindError,
    Pack,
    PackHeader,
    Question,
    kind_problems,
)

BUNDLED_DIR = Path(__file__).resolve().parents[2] / "question_packs"
MAX_BYTES = 1_000_000
MAX_DEPTH = 12  # a pack needs 5 levels: root, questions, question, choices, choice
MAX_NODES = 200_000
SHORT_EXPLANATION = 20
TOO_DEEP = f"the YAML nests more than {MAX_DEPTH} levels deep; a pack needs 5"
RED_META = ("AUTHOR", "CONFIG", "DESCRIPTION", "$schema")

# libyaml parses about 15x faster than the pure-Python parser; both give the same marks.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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
    """A pack (only when there is no error) and every problem found.

    `positions` maps question id -> (line, column) of the question; `pack_position` is where
    the pack's id is written (cross-pack checks point there).
    """

    source: str
    pack: Pack | None = None
    problems: list[Problem] = field(default_factory=list)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    pack_position: tuple[int, int] = (1, 1)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    def error(
        self, where: tuple[int, int], message: str, question_id: str | None = None
    ) -> None:
        self.problems.append(Problem(self.source, where[0], where[1], message, question_id))

    def warn(self, where: tuple[int, int], message: str, question_id: str | None = None) -> None:
        self.problems.append(
            Problem(self.source, where[0], where[1], message, question_id, warning=True)
        )


class _Refused(Exception):
    """The YAML is refused before it is composed (bomb, too deep, too big)."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.where = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def load_text(data: bytes | str, source: str) -> LoadResult:
    """Validate one pack given as bytes or text; `source` names it in messages.

    Problems come in file order; a result with any error has no pack."""
    result = _load(data, source)
    result.problems.sort(key=lambda p: (p.line, p.column))
    return result


def _load(data: bytes | str, source: str) -> LoadResult:
    result = LoadResult(source)
    text = _decode(data, result)
    if text is None:
        return result
    node = _compose(text, result)
    if node is None:
        return result
    marks: dict[Path_, tuple[int, int]] = {}
    _index(node, (), marks, result, None)
    if result.errors:
        return result
    raw = _construct(node, result)
    if result.errors:
        return result
    if _looks_like_red(raw):
        raw, marks = _from_red(raw, marks, Path(source).stem, result)
        if result.errors:
            return result
    _validate(raw, marks, result)
    return result


def load_file(path: str | Path) -> LoadResult:
    """Validate one pack file; a file over the limit is refused without being read."""
    file = Path(path)
    result = LoadResult(str(file))
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            result.error((1, 1), _too_big(size))
            return result
        raw = file.read_bytes()
    except OSError as exc:
        result.error((1, 1), f"cannot read the file: {exc.strerror or exc}")
        return result
    return load_text(raw, str(file))


def load_many(paths: Iterable[str | Path]) -> list[LoadResult]:
    """Load several packs and add cross-pack checks (duplicate ids, near-duplicates)."""
    from bot.packs.lint import lint_across

    results = [load_file(p) for p in paths]
    lint_across(results)
    return results


def pack_files(extra_dirs: Iterable[str] = ()) -> list[Path]:
    """The bundled pack files, then those of extra folders (STUDYBOT_PACKS_DIRS)."""
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


def iter_questions(results: Iterable[LoadResult]) -> Iterator[tuple[LoadResult, int]]:
    for result in results:
        if result.pack is not None:
            for i in range(len(result.pack.questions)):
                yield result, i


# --- step 1: bytes ---------------------------------------------------------------------------


def _too_big(size: int) -> str:
    return f"the pack is {size:,} bytes; the limit is 1 MB ({MAX_BYTES:,} bytes)"


def _decode(data: bytes | str, result: LoadResult) -> str | None:
    if isinstance(data, str):
        # A str longer than the limit in characters is over it in bytes too: no need to encode.
        size = len(data) if len(data) > MAX_BYTES else len(data.encode("utf-8", "replace"))
        if size > MAX_BYTES:
            result.error((1, 1), _too_big(size))
            return None
        return data.removeprefix("\ufeff")
    if len(data) > MAX_BYTES:
        result.error((1, 1), _too_big(len(data)))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        result.error(
            (line, column),
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8",
        )
        return None
    return text.removeprefix("\ufeff")


# --- step 2: YAML events, then the node tree ----------------------------------------------------


def _compose(text: str, result: LoadResult) -> yaml.Node | None:
    try:
        _screen(text)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except _Refused as exc:
        result.error(exc.where, str(exc))
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        if "nesting depth" in str(exc.problem):  # libyaml's own limit (1,000) came first
            result.error(where, TOO_DEEP)
        else:
            result.error(where, f"not valid YAML: {_yaml_reason(exc)}")
        return None
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", None)
        if isinstance(position, int) and _Loader is not yaml.SafeLoader:
            # libyaml counts bytes of the UTF-8 text, the Python reader characters.
            position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
        where = _position_in(text, position) if isinstance(position, int) else (1, 1)
        reason = getattr(exc, "reason", None) or str(exc)
        result.error(where, f"not valid YAML: {reason}")
        return None
    if node is None:
        result.error((1, 1), "the file is empty")
        return None
    return node


def _screen(text: str) -> None:
    """Refuse aliases, deep nesting and huge documents from the event stream (no tree yet)."""
    depth = values = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                "anchors and aliases (*name) are not allowed in packs; write the value out",
                event.start_mark,
            )
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(TOO_DEEP, event.start_mark)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
        if isinstance(event, yaml.NodeEvent):
            values += 1
            if values > MAX_NODES:
                raise _Refused(
                    f"the YAML has more than {MAX_NODES:,} values", event.start_mark
                )


def _yaml_reason(exc: yaml.MarkedYAMLError) -> str:
    if exc.problem and exc.context:
        return f"{exc.problem} ({exc.context})"
    return str(exc.problem or exc.context or "unreadable")


def _position_in(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --- step 3: positions and duplicate keys ------------------------------------------------------


def _index(
    node: yaml.Node,
    path: Path_,
    marks: dict[Path_, tuple[int, int]],
    result: LoadResult,
    qid: str | None,
) -> None:
    """Record where every value and key is; a key given twice is an error (YAML keeps the last
    one silently). Recursion is bounded: the event screen refused deep nesting."""
    mark = node.start_mark
    marks.setdefault(path, (mark.line + 1, mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        if len(path) == 2 and path[0] == "questions":
            qid = next(
                (
                    str(v.value)
                    for k, v in node.value
                    if isinstance(k, yaml.ScalarNode) and k.value == "id"
                    and isinstance(v, yaml.ScalarNode)
                ),
                qid,
            )
        first: dict[str, int] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
            where = (key.start_mark.line + 1, key.start_mark.column + 1)
            if name in first:
                result.error(
                    where, f"key `{name}` appears twice here (first on line {first[name]})", qid
                )
                continue
            first[name] = where[0]
            _index(value, (*path, name), marks, result, qid)
            marks[(*path, name)] = where  # a key's own position beats its value's
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), marks, result, qid)


class _Constructor(yaml.SafeLoader):
    """SafeLoader's constructor, with dates left as text (a pack has no date fields, and a
    malformed date would otherwise fail without a position)."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    assert isinstance(node, yaml.ScalarNode)
    return loader.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _construct(node: yaml.Node, result: LoadResult) -> Any:
    try:
        return _Constructor("").construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        result.error(where, f"not valid YAML: {_yaml_reason(exc)}")
    except (ValueError, TypeError, OverflowError) as exc:
        result.error((1, 1), f"a value cannot be read: {exc}")
    return None


# --- step 4: values --------------------------------------------------------------------------


def _validate(raw: Any, marks: dict[Path_, tuple[int, int]], result: LoadResult) -> None:
    if not isinstance(raw, dict):
        result.error(
            (1, 1),
            "a pack is a mapping with `pack:` (the header) and `questions:` at the top; "
            "see question_packs/README.md",
        )
        return
    for key in raw:
        if key not in ("pack", "questions"):
            result.error(marks.get((str(key),), (1, 1)), _unknown_key(str(key), Pack))
    header: PackHeader | None = None
    if "pack" not in raw:
        result.error((1, 1), "missing `pack` (the header: id, title, version, ...)")
    else:
        try:
            header = PackHeader.model_validate(raw["pack"])
        except ValidationError as exc:
            _report(exc, ("pack",), marks, result, None)
        result.pack_position = marks.get(("pack", "id"), marks.get(("pack",), (1, 1)))
    items = raw.get("questions")
    if "questions" not in raw:
        result.error((1, 1), "missing `questions` (a list of questions)")
        return
    if not isinstance(items, list) or not items:
        result.error(marks.get(("questions",), (1, 1)), "`questions` must be a non-empty list")
        return
    valid: list[tuple[int, Question]] = []
    first_line: dict[str, int] = {}
    for i, item in enumerate(items):
        qid = _raw_id(item)
        shown_id = qid or f"question #{i + 1}"
        try:
            valid.append((i, Question.model_validate(item)))
        except ValidationError as exc:
            _report(exc, ("questions", i), marks, result, shown_id)
            kind_reported = any(
                isinstance((e.get("ctx") or {}).get("error"), KindError) for e in exc.errors()
            )
            if not kind_reported and isinstance(item, dict) and isinstance(item.get("kind"), str):
                # The kind's own rules run only once the fields are valid; report them now too.
                for problem in kind_problems(item["kind"], item):
                    where = _locate(marks, ("questions", i, problem.field))
                    result.error(where, str(problem), shown_id)
        if qid is not None:
            where = marks.get(("questions", i, "id"), (1, 1))
            if qid in first_line:
                result.error(
                    where,
                    f"question id {qid} is used twice in this pack (first on line "
                    f"{first_line[qid]})",
                    qid,
                )
            else:
                first_line[qid] = where[0]
    for i, q in valid:
        if header is not None and q.topic not in header.topics:
            result.error(
                marks.get(("questions", i, "topic"), (1, 1)),
                f"topic {q.topic} is not in the pack's topics ({', '.join(header.topics)}); "
                "add it to `pack.topics`",
                q.id,
            )
        if len(q.explanation) < SHORT_EXPLANATION:
            result.warn(
                marks.get(("questions", i, "explanation"), (1, 1)),
                "the explanation is too short to teach: say why the answer is right and why "
                "the common wrong answer is wrong",
                q.id,
            )
    result.positions = {q.id: marks.get(("questions", i), (1, 1)) for i, q in valid}
    if header is not None and not result.errors and len(valid) == len(items):
        # Everything was validated above, piece by piece, with positions.
        result.pack = Pack.model_construct(pack=header, questions=[q for _, q in valid])


def _raw_id(item: Any) -> str | None:
    if isinstance(item, dict) and isinstance(item.get("id"), str | int):
        return str(item["id"])
    return None


def _report(
    exc: ValidationError,
    prefix: Path_,
    marks: dict[Path_, tuple[int, int]],
    result: LoadResult,
    qid: str | None,
) -> None:
    for err in exc.errors():
        loc: Path_ = (*prefix, *err["loc"])
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, KindError):
            loc = (*loc, cause.field)
        result.error(_locate(marks, loc), _message(err, loc, prefix, cause), qid)


def _message(err: Any, loc: Path_, prefix: Path_, cause: Any) -> str:
    kind = err["type"]
    inner = loc[len(prefix):]
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "value")
    given = err.get("input")
    if isinstance(cause, KindError):
        return str(cause)
    if kind == "extra_forbidden":
        return _unknown_key(name, _model_at(loc))
    if kind == "missing":
        return f"missing `{name}`"
    if kind == "literal_error" and name == "topic":
        close = difflib.get_close_matches(str(given), list(TOPICS), n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`? " if close else ""
        return f"unknown topic `{given}`; {hint}the topics are {', '.join(TOPICS)}"
    if kind == "literal_error":
        expected = (err.get("ctx") or {}).get("expected", "")
        return f"`{name}` must be one of {expected.replace(chr(39), '')}, not `{given}`"
    if kind == "string_too_short" or (kind == "string_type" and given is None):
        if name == "explanation":
            return ("`explanation` is empty: say why the answer is right and why the common "
                    "wrong answer is wrong")
        return f"`{name}` is empty"
    if kind == "string_pattern_mismatch" and name == "id":
        what = "pack id" if loc[0] == "pack" else "question id"
        allowed = "letters, digits and -" if loc[0] == "pack" else "letters, digits, - and _"
        return (f"{what} `{given}` must be 1-40 lowercase {allowed}, starting with a letter "
                "or digit")
    where = ".".join(str(p) for p in inner) or name
    if kind == "string_type" and isinstance(given, bool):
        return (f"`{where}` reads as YAML's {str(given).lower()} (a yes/no value); put the word "
                "in quotes, e.g. \"no\"")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"`{where}` must be a mapping (`key: value` lines)"
    if kind == "list_type":
        return f"`{where}` must be a list"
    return f"`{where}`: {err['msg'].removeprefix('Value error, ')}"


def _model_at(loc: Path_) -> type[BaseModel]:
    if loc and loc[0] == "pack":
        return PackHeader
    if "choices" in loc[:-1]:
        return Choice
    if loc and loc[0] == "questions":
        return Question
    return Pack


def _unknown_key(name: str, model: type[BaseModel]) -> str:
    close = difflib.get_close_matches(name, list(model.model_fields), n=1, cutoff=0.75)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    return f"unknown key `{name}`{hint}"


def _locate(marks: dict[Path_, tuple[int, int]], loc: Path_) -> tuple[int, int]:
    for size in range(len(loc), -1, -1):
        if loc[:size] in marks:
            return marks[loc[:size]]
    return (1, 1)


# --- Red-DiscordBot trivia lists ---------------------------------------------------------------


def _looks_like_red(raw: Any) -> bool:
    """A mapping of `question: [answers]` (with optional AUTHOR, CONFIG, DESCRIPTION)."""
    if not isinstance(raw, dict) or "pack" in raw or "questions" in raw:
        return False
    rest = [v for k, v in raw.items() if k not in RED_META]
    return bool(rest) and (any(k in raw for k in RED_META) or any(isinstance(v, list)
                                                                  for v in rest))


def red_pack_id(name: str) -> str:
    """The pack id a Red list gets from its file name (`World Capitals.yaml` -> world-capitals)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")
    return slug or "trivia"


def _red_answers(values: list[Any]) -> list[str]:
    """Answers as Red reads them: YAML booleans stand for their usual spellings."""
    out: list[str] = []
    for value in values:
        if isinstance(value, bool):
            out += ["True", "Yes", "On"] if value else ["False", "No", "Off"]
        else:
            out.append(str(value).strip())
    return list(dict.fromkeys(a for a in out if a))


def _from_red(
    raw: dict[Any, Any], marks: dict[Path_, tuple[int, int]], name: str, result: LoadResult
) -> tuple[dict[str, Any], dict[Path_, tuple[int, int]]]:
    """A Red trivia list as a pack of short-answer questions.

    Question ids come from a hash of the question text, so a list edited later keeps the ids
    (and the history) of the questions it kept."""
    pack_id = red_pack_id(name)
    questions: list[dict[str, Any]] = []
    new_marks: dict[Path_, tuple[int, int]] = {("pack",): (1, 1), ("pack", "id"): (1, 1)}
    for key, value in raw.items():
        where = marks.get((str(key),), (1, 1))
        if key in ("AUTHOR", "DESCRIPTION", "$schema"):
            if not isinstance(value, str):
                result.error(where, f"`{key}` must be text")
            continue
        if key == "CONFIG":
            if not isinstance(value, dict):
                result.error(where, "`CONFIG` must be a `key: value` mapping")
            continue  # Red's timing and scoring settings; StudyBot's own settings apply
        if not isinstance(key, str):
            result.error(where, f"the question `{key}` must be text")
            continue
        digest = hashlib.sha1(key.strip().encode("utf-8")).hexdigest()[:8]
        qid = f"{pack_id[:31].rstrip('-')}-{digest}"
        if not isinstance(value, list) or not all(
            isinstance(a, str | int | float | bool) for a in value
        ):
            result.error(where, "the answers must be a list of text values", qid)
            continue
        answers = _red_answers(value)
        if not answers:
            result.error(where, "the question has no answers", qid)
            continue
        new_marks[("questions", len(questions))] = where
        new_marks[("questions", len(questions), "answers")] = marks.get((key, 0), where)
        questions.append(
            {
                "id": qid,
                "topic": "general",
                "subtopic": "trivia",
                "difficulty": "medium",
                "kind": "short",
                "prompt": key,
                "answers": answers,
                "explanation": (
                    "From a Red-DiscordBot trivia list; accepted answers: "
                    + ", ".join(answers) + "."
                ),
            }
        )
    if not questions and not result.errors:
        result.error((1, 1), "the trivia list has no questions")
    description = raw.get("DESCRIPTION")
    pack = {
        "pack": {
            "id": pack_id,
            "title": str(description or name)[:200],
            "version": 1,
            "description": str(description or f"Imported Red-DiscordBot trivia list {name}"),
            "author": str(raw.get("AUTHOR") or "unknown"),
            "license": "as published by its author",
            "topics": ["general"],
        },
        "questions": questions,
    }
    return pack, new_marks
