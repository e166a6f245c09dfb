"""Slack text that never pings by accident: escaping, the Markdown subset as mrkdwn, commands.

Slack treats `&`, `<` and `>` as control characters: `<!channel>`, `<!here>`, `<!everyone>`,
`<!subteam^ID>` and `<@U123>` are pings. Every text we send is escaped first, then only the
`<@ID>` of users the core listed in `Message.mentions` are turned back into mentions. Text
objects are sent with `verbatim: true`, so Slack does not auto-parse names or links either;
links are made explicit here instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.core.commandline import split_line

COMMAND = "/studybot"

_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
# A mention after escaping: &lt;@U123&gt; or &lt;@U123|name&gt;
_MENTION = re.compile(r"&lt;@([A-Z0-9]+)(?:\|((?:(?!&gt;)[^\n])*))?&gt;")
_FENCE = re.compile(r"(```.*?```)", re.DOTALL)
_CODE = re.compile(r"(`[^`\n]*`)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_BULLET = re.compile(r"^([ \t]*)[-*] (?=\S)", re.MULTILINE)
# A URL stops at whitespace, at Slack's link separators and at an escaped < or >.
_URL = re.compile(r"https?://(?:&amp;|[^\s|`<>&*])+")
_TRAILING = ".,;:!?)'\""
_SLASH = re.compile(r"^`/(?!studybot\b)(?=[a-z])")


def escape(text: str) -> str:
    """Escape Slack's control characters (`&` first, so entities are not escaped twice)."""
    for char, entity in _ESCAPES:
        text = text.replace(char, entity)
    return text


def unescape(text: str) -> str:
    """Text Slack delivered (messages, slash command text) back to what the member typed."""
    for char, entity in reversed(_ESCAPES):
        text = text.replace(entity, char)
    return text


def to_mrkdwn(text: str, mentions: Iterable[str] = ()) -> str:
    """The neutral Markdown subset as Slack mrkdwn, escaped; only `mentions` may ping."""
    allowed = frozenset(mentions)
    out = []
    for index, block in enumerate(_FENCE.split(escape(text))):
        if index % 2:  # a fenced code block: shown exactly as written
            out.append(block)
            continue
        block = _BULLET.sub(lambda m: m.group(1) + "• ", block)
        for inner, part in enumerate(_CODE.split(block)):
            if inner % 2:  # inline code: as typed, except the command's Slack spelling
                out.append(_SLASH.sub("`" + COMMAND + " ", part))
                continue
            part = _BOLD.sub(r"*\1*", part)
            part = _URL.sub(_link, part)
            part = _MENTION.sub(lambda m: _mention(m, allowed), part)
            out.append(part)
    return "".join(out)


def to_plain(text: str) -> str:
    """For plain_text objects (headers, buttons, options): no markup, still escaped."""
    text = _BOLD.sub(r"\1", text).replace("`", "")
    return _MENTION.sub(lambda m: _mention(m, frozenset()), escape(text))


def clip(text: str, limit: int) -> str:
    """Cut escaped text to `limit` characters without splitting an entity or a `<link>`."""
    if len(text) <= limit:
        return text
    return text[: safe_cut(text, limit - 1)] + "…"


def safe_cut(text: str, limit: int) -> int:
    """The largest index <= limit that does not fall inside an `&entity;` or a `<...>`."""
    if len(text) <= limit:
        return len(text)
    cut = text[:limit]
    amp, semi = cut.rfind("&"), cut.rfind(";")
    end = amp if amp > semi else limit
    opened, closed = cut.rfind("<"), cut.rfind(">")
    if opened > closed:
        end = min(end, opened)
    return end if end > 0 else limit


def command_text(text: str) -> str:
    """A slash command's text as the shared parser expects it.

    Slack escapes `&`, `<`, `>` in command text, and some keyboards type curly quotes.
    """
    text = unescape(text)
    return text.translate({0x201C: '"', 0x201D: '"', 0x2018: "'", 0x2019: "'"})


def parse_command(text: str) -> tuple[str, dict[str, str]]:
    """`daily setup time:09:00` -> ("daily setup", {"time": "09:00"}); empty text is help."""
    parsed = split_line(command_text(text))
    if not parsed.words and not parsed.options:
        return "help", {}
    return " ".join(parsed.words) or "help", dict(parsed.options)


def _link(match: re.Match[str]) -> str:
    url = match.group(0)
    tail = ""
    while url and url[-1] in _TRAILING:
        url, tail = url[:-1], url[-1] + tail
    return f"<{url}>{tail}"


def _mention(match: re.Match[str], allowed: frozenset[str]) -> str:
    user_id, label = match.group(1), match.group(2)
    if user_id in allowed:
        return f"<@{user_id}>"
    # Not listed by the core: show who it was without pinging them.
    return "@" + (label or user_id)
