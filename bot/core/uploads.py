"""Files members upload (with a command or in a form): what adapters accept before downloading.

The only files members upload are question packs, so the limit is the packs loader's own: an
adapter refuses a larger file from the size the platform reports, without downloading it, and
says so in the same words on every platform. The core gets the bytes and the file's name
(`CommandInvoked.attachment`, `FormSubmitted.attachment`) and validates the content itself.
"""

from __future__ import annotations

import re

from bot.packs.loader import MAX_BYTES

MAX_UPLOAD_BYTES = MAX_BYTES
# YAML packs and Red trivia lists are text; anything else is surely the wrong file.
EXTENSIONS = ("yaml", "yml", "txt")
NAME_MAX = 60
_UNSAFE = re.compile(r"[^\w .()+-]")


def clean_name(filename: str) -> str:
    """The file's own name, safe to quote back to the member (no path, no markup)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip(" .")
    if len(base) > NAME_MAX:
        stem, dot, suffix = base.rpartition(".")
        base = (stem[: NAME_MAX - len(suffix) - 1] + dot + suffix) if dot else base[:NAME_MAX]
    return base or "upload"


def refusal(filename: str, size: int) -> str | None:
    """Why an upload is not even downloaded (wrong kind of file, too big), or None."""
    name = clean_name(filename)
    suffix = name.rpartition(".")[2].lower() if "." in name else ""
    if suffix not in EXTENSIONS:
        kinds = ", ".join(f".{e}" for e in EXTENSIONS)
        return (f"I can only import a pack from a text file ({kinds}); `{name}` is not one. "
                "Nothing was imported.")
    if size > MAX_UPLOAD_BYTES:
        return too_big(name, size)
    return None


def too_big(filename: str, size: int | None = None) -> str:
    """The refusal of a file over the limit (`size` None: more arrived than was announced)."""
    name = clean_name(filename)
    what = f"is {size:,} bytes" if size is not None else "is larger than announced"
    return (f"`{name}` {what}; a pack file can be at most 1 MB ({MAX_UPLOAD_BYTES:,} bytes). "
            "Split it into smaller packs; nothing was imported.")
