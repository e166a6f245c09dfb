"""Neutral messages as console lines: `[where] text`, buttons as `[Label]`, selects as `{…}`."""

from __future__ import annotations

import re

from bot.core.ui import Form, Message

_MENTION = re.compile(r"<@([^>|]+)>")


def show_mentions(text: str) -> str:
    """`<@alice>` -> `@alice` (console user ids are their names)."""
    return _MENTION.sub(lambda m: "@" + m.group(1), text)


def message_lines(where: str, message: Message, image_path: str | None = None) -> list[str]:
    """Every line starts with where it went, so a transcript reads on its own."""
    body: list[str] = []
    if message.title:
        body.append(f"== {message.title} ==")
    if message.text:
        body += message.text.splitlines()
    for field in message.fields:
        value = field.value.splitlines() or [""]
        body.append(f"{field.name}: {value[0]}")
        body += [f"  {v}" for v in value[1:]]
    if message.footer:
        body.append(f"({message.footer})")
    if message.image is not None:
        body.append(f"(image {image_path}: {message.image.alt})")
    if message.buttons:
        body.append("buttons: " + " ".join(f"[{b.label}]" for b in message.buttons))
    if message.select is not None:
        labels = " | ".join(o.label for o in message.select.options)
        body.append(f"select: {{{message.select.placeholder} {labels}}}")
    return [f"{where} {show_mentions(line)}".rstrip() for line in body or [""]]


def form_lines(where: str, form: Form) -> list[str]:
    names = ", ".join(f.label for f in form.fields)
    return [
        f"{where} form \"{form.title}\": the next {len(form.fields)} line(s) answer: {names}"
        " (!cancel to drop it)"
    ]
