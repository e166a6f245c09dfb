"""Parses the text form of a command: `/daily setup time:09:00 timezone:"Europe/Berlin"`.

The console and Slack both deliver commands as text; they share this parser so the syntax is
the same everywhere: words first (the command path, then positional values), then
`name:value` options, with double quotes around values that contain spaces.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from bot.core.errors import UserError

_OPTION = re.compile(r"^([a-z][a-z0-9_]*):(.*)$", re.DOTALL)


@dataclass
class ParsedLine:
    """Words and `name:value` options of a command line, in order."""

    words: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)


def split_line(text: str) -> ParsedLine:
    """Split a command line into words and options; a leading `/` is ignored."""
    text = text.strip().removeprefix("/")
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        tokens = list(lexer)
    except ValueError as exc:
        raise UserError(f"I could not read that command: {exc} (check the quotes).") from exc
    parsed = ParsedLine()
    for token in tokens:
        match = _OPTION.match(token)
        if match:
            name, value = match.groups()
            if name in parsed.options:
                raise UserError(f"The option `{name}` is given twice.")
            parsed.options[name] = value
        elif parsed.options:
            raise UserError(
                f"`{token}` comes after an option; write plain values before `name:value`."
            )
        else:
            parsed.words.append(token)
    return parsed
