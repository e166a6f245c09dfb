"""Messages and the import form of the packs feature (neutral view model only)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.core.ui import FileUpload, Form, FormField, Message
from bot.core.uploads import EXTENSIONS
from bot.packs.loader import LoadResult, Problem
from bot.packs.schema import DIFFICULTIES, Pack

IMPORT_FORM = "packs.import"
FORM_LIMIT = 4000  # characters a Discord text input takes; larger packs are uploaded as files
SHOWN_PROBLEMS = 12
SHOWN_PACKS = 40
TEXT_BUDGET = 1800  # below Discord's 2,000 characters per message


@dataclass(frozen=True)
class Row:
    """One pack as /pack list shows it."""

    pack: Pack
    bundled: bool
    on: bool


def counts(pack: Pack) -> str:
    levels: Counter[str] = Counter(q.difficulty for q in pack.questions)
    split = ", ".join(f"{levels[d]} {d}" for d in DIFFICULTIES if levels[d])
    return f"{_plural(len(pack.questions), 'question')} ({split})"


def pack_list(rows: list[Row], channel_name: str) -> Message:
    lines = []
    for row in rows[:SHOWN_PACKS]:
        state = "**on**" if row.on else "off"
        origin = "" if row.bundled else ", imported"
        lines.append(
            f"{state}  `{row.pack.id}` v{row.pack.pack.version}{origin}: {row.pack.pack.title}, "
            f"{counts(row.pack)}"
        )
    if len(rows) > SHOWN_PACKS:
        lines.append(f"... and {len(rows) - SHOWN_PACKS} more")
    total = sum(len(r.pack.questions) for r in rows if r.on)
    where = f"#{channel_name}" if channel_name else "this channel"
    return Message(
        title="Question packs",
        text="\n".join(lines),
        footer=(
            f"on/off: used in {where} ({total} questions on). Admins: /pack enable, "
            "/pack disable, /pack import, /pack remove."
        ),
    )


def import_form(name: str) -> Form:
    return Form(
        IMPORT_FORM,
        "Import a question pack",
        (
            FormField(
                "yaml",
                "Pack YAML (or a Red trivia list)",
                multiline=True,
                placeholder="pack:\n  id: my-pack\n  ...\nquestions:\n  - id: my-001 ...",
                max_length=FORM_LIMIT,
            ),
        ),
        context=name,
        submit_label="Import",
        # Where forms take files (Slack), a pack too big to paste can be uploaded instead.
        upload=FileUpload(
            "file",
            "…or upload the pack file",
            replaces="yaml",
            extensions=EXTENSIONS,
            hint="Paste the YAML or upload a .yaml file (up to 1 MB); one of the two is enough.",
        ),
    )


def rejected(result: LoadResult) -> str:
    """The problems of a refused pack, as the member will read them (nothing was stored)."""
    errors = result.errors
    head = (
        f"I did not import {result.source}: it has {_plural(len(errors), 'problem')}, and "
        "nothing was stored."
    )
    lines = [head]
    size = len(head)
    for problem in errors[:SHOWN_PROBLEMS]:
        line = f"• {_short(problem)}"
        if size + len(line) > TEXT_BUDGET:
            break
        lines.append(line)
        size += len(line) + 1
    if len(lines) - 1 < len(errors):
        lines.append(f"... and {len(errors) - (len(lines) - 1)} more. Check the whole file with "
                     "`studybot packs validate FILE`.")
    return "\n".join(lines)


def imported(pack: Pack, before: Pack | None, warnings: list[Problem]) -> Message:
    kinds = Counter(q.kind for q in pack.questions)
    lines = [
        f"Imported **{pack.pack.title}** (`{pack.id}` v{pack.pack.version}) for this workspace: "
        f"{counts(pack)}; " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + "."
    ]
    if before is not None:
        old, new = set(before.by_id), set(pack.by_id)
        lines.append(
            f"It replaces v{before.pack.version}: {len(new - old)} new, {len(old - new)} "
            f"removed, {len(new & old)} kept (what was asked of them stays asked)."
        )
    if warnings:
        lines.append(f"{_plural(len(warnings), 'warning')}:")
        lines += [f"• {_short(p)}" for p in warnings[:5]]
        if len(warnings) > 5:
            lines.append(f"... and {len(warnings) - 5} more.")
    lines.append(f"Turn it on in a channel with `/pack enable pack:{pack.id}`.")
    return Message(text=_clip("\n".join(lines)))


def _short(problem: Problem) -> str:
    """The problem exactly as `studybot packs validate` prints it (clipped if very long)."""
    return _clip(str(problem), 300)


def _clip(text: str, limit: int = TEXT_BUDGET) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
