"""Neutral messages and forms as Block Kit JSON (pure functions, no API calls).

Limits come from Slack's Block Kit reference: 50 blocks per message (100 in modals and the
Home tab), 3,000 characters per section text, 2,000 per field, 150 per header, 75 per button
or option label, 25 elements per actions block, 100 options per select, 24 characters for a
modal title, 3,000 for `private_metadata`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.adapters.slack.mrkdwn import COMMAND, clip, safe_cut, to_mrkdwn, to_plain
from bot.core.ui import Button, ButtonStyle, Field, FileUpload, Form, Message, Select

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELD_TEXT = 2000
FIELDS_PER_SECTION = 10
HEADER_TEXT = 150
LABEL_TEXT = 75
ACTIONS_PER_BLOCK = 25
OPTIONS_PER_SELECT = 100
FALLBACK_TEXT = 3000
MODAL_TITLE = 24
INPUT_MAX_LENGTH = 3000
POST_EVENT_TYPE = "studybot_post"
FORM_CALLBACK = "studybot_form"


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def plain_text(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": clip(to_plain(text), limit) or " ", "emoji": True}


def message_blocks(message: Message, *, image_note: bool = True) -> list[Block]:
    """Blocks for a message. `image_note` shows the image's alt text where no file is attached
    (ephemeral messages, edits, the Home tab); posts upload the file next to the message."""
    mentions = frozenset(user.id for user in message.mentions)
    blocks: list[Block] = []
    if message.title:
        blocks.append({"type": "header", "text": plain_text(message.title, HEADER_TEXT)})
    if message.text:
        for chunk in _chunks(to_mrkdwn(message.text, mentions), SECTION_TEXT):
            blocks.append({"type": "section", "text": mrkdwn(chunk)})
    blocks += _field_blocks(message.fields, mentions)
    if message.image is not None and image_note:
        note = to_mrkdwn(f"(image: {message.image.alt})")
        blocks.append({"type": "context", "elements": [mrkdwn(clip(note, SECTION_TEXT))]})
    if message.buttons:
        for start in range(0, len(message.buttons), ACTIONS_PER_BLOCK):
            row = message.buttons[start : start + ACTIONS_PER_BLOCK]
            blocks.append({"type": "actions", "elements": [_button(b) for b in row]})
    if message.select is not None:
        blocks.append({"type": "actions", "elements": [_select(message.select)]})
    if message.footer:
        footer = clip(to_mrkdwn(message.footer, mentions), SECTION_TEXT)
        blocks.append({"type": "context", "elements": [mrkdwn(footer)]})
    if not blocks:
        blocks.append({"type": "section", "text": mrkdwn(" ")})
    return _fit(blocks, MAX_BLOCKS)


def fallback_text(message: Message) -> str:
    """The top-level `text`: shown in notifications and by clients that cannot show blocks."""
    mentions = frozenset(user.id for user in message.mentions)
    return clip(to_mrkdwn(message.plain() or " ", mentions), FALLBACK_TEXT)


def message_payload(message: Message, *, image_note: bool = True) -> dict[str, Any]:
    """`text` + `blocks` for chat.postMessage, chat.update, chat.postEphemeral, response_url."""
    blocks = message_blocks(message, image_note=image_note)
    return {"text": fallback_text(message), "blocks": blocks}


def post_metadata(message: Message) -> dict[str, Any] | None:
    """Invisible message metadata carrying the post's marker, read back by `find_post`."""
    if not message.marker:
        return None
    return {"event_type": POST_EVENT_TYPE, "event_payload": {"marker": message.marker}}


def marker_of(posted: dict[str, Any]) -> str | None:
    meta = posted.get("metadata") or {}
    if meta.get("event_type") != POST_EVENT_TYPE:
        return None
    marker = (meta.get("event_payload") or {}).get("marker")
    return str(marker) if marker is not None else None


@dataclass(frozen=True)
class FormOrigin:
    """Where a form was opened from, carried through the modal in `private_metadata`."""

    form_id: str
    context: str = ""
    channel: str | None = None
    thread_ts: str | None = None
    message_ts: str | None = None
    message_ephemeral: bool = False

    def dump(self) -> str:
        data = {
            "f": self.form_id,
            "c": self.context,
            "ch": self.channel,
            "th": self.thread_ts,
            "m": self.message_ts,
            "e": self.message_ephemeral,
        }
        return json.dumps({k: v for k, v in data.items() if v not in (None, "", False)})

    @classmethod
    def load(cls, raw: str) -> FormOrigin:
        try:
            data = json.loads(raw or "{}")
        except json.JSONDecodeError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        return cls(
            form_id=str(data.get("f", "")),
            context=str(data.get("c", "")),
            channel=data.get("ch"),
            thread_ts=data.get("th"),
            message_ts=data.get("m"),
            message_ephemeral=bool(data.get("e", False)),
        )


def form_view(form: Form, origin: FormOrigin, *, uploads: bool = True) -> dict[str, Any]:
    """A modal: one input block per field; block_id and action_id are the field id.

    A form's `upload` adds a file input (one file) after the fields, and the field it stands
    in for becomes optional: either one will do (the core checks that one was given). Without
    `uploads` (an install lacking `files:read`) the form is shown as declared."""
    upload = form.upload if uploads else None
    blocks = []
    for field in form.fields:
        optional = not field.required or (upload is not None and upload.replaces == field.id)
        element: Block = {
            "type": "plain_text_input",
            "action_id": field.id,
            "multiline": field.multiline,
            "max_length": min(field.max_length, INPUT_MAX_LENGTH),
        }
        if field.placeholder:
            element["placeholder"] = plain_text(field.placeholder, 150)
        if field.default:
            element["initial_value"] = field.default[:INPUT_MAX_LENGTH]
        blocks.append(
            {
                "type": "input",
                "block_id": field.id,
                "label": plain_text(field.label, 2000),
                "optional": optional,
                "element": element,
            }
        )
    if upload is not None:
        blocks.append(_file_input(upload))
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": plain_text(form.title, MODAL_TITLE),
        "submit": plain_text(form.submit_label, MODAL_TITLE),
        "close": plain_text("Cancel", MODAL_TITLE),
        "private_metadata": origin.dump(),
        "blocks": blocks,
    }


def _file_input(upload: FileUpload) -> Block:
    element: Block = {"type": "file_input", "action_id": upload.id, "max_files": 1}
    if upload.extensions:
        # Slack only filters the picker by these; the adapter checks the name again.
        element["filetypes"] = list(upload.extensions)
    block: Block = {
        "type": "input",
        "block_id": upload.id,
        "label": plain_text(upload.label, 2000),
        "optional": True,
        "element": element,
    }
    if upload.hint:
        block["hint"] = plain_text(upload.hint, 2000)
    return block


def form_values(view: dict[str, Any]) -> dict[str, str]:
    """The submitted text of each input: state.values[block_id][action_id].value."""
    out: dict[str, str] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for action in actions.values():
            if action.get("type") == "file_input":
                continue  # files are not text: see `form_files`
            out[block_id] = str(action.get("value") or "")
    return out


def form_files(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The files given in the form's file inputs: state.values[block][action].files (Slack
    file objects with `name`, `size`, `url_private_download`, ...)."""
    found: list[dict[str, Any]] = []
    for actions in ((view.get("state") or {}).get("values") or {}).values():
        for action in actions.values():
            if action.get("type") == "file_input":
                found += [f for f in action.get("files") or () if isinstance(f, dict)]
    return found


def home_view(message: Message | None) -> dict[str, Any]:
    """The App Home tab: the member's profile (what `/studybot me` shows) and a pointer to help."""
    blocks: list[Block] = [{"type": "header", "text": plain_text("StudyBot", HEADER_TEXT)}]
    if message is not None:
        blocks += message_blocks(message)[: MAX_VIEW_BLOCKS - 3]
    blocks.append({"type": "divider"})
    hint = to_mrkdwn(f"Type `{COMMAND} help` in any channel with StudyBot to see every command.")
    blocks.append({"type": "context", "elements": [mrkdwn(hint)]})
    return {"type": "home", "blocks": blocks}


def _field_blocks(fields: list[Field], mentions: frozenset[str]) -> list[Block]:
    blocks: list[Block] = []
    row: list[Block] = []

    def flush() -> None:
        if row:
            blocks.append({"type": "section", "fields": list(row)})
            row.clear()

    for field in fields:
        text = to_mrkdwn(f"**{field.name}**\n{field.value}", mentions)
        if field.inline:
            row.append(mrkdwn(clip(text, FIELD_TEXT)))
            if len(row) == FIELDS_PER_SECTION:
                flush()
        else:
            flush()
            for chunk in _chunks(text, SECTION_TEXT):
                blocks.append({"type": "section", "text": mrkdwn(chunk)})
    flush()
    return blocks


def _button(button: Button) -> Block:
    out: Block = {
        "type": "button",
        "action_id": button.action_id,
        "text": plain_text(button.label, LABEL_TEXT),
    }
    # Slack knows two styles; the others are its default look.
    if button.style in (ButtonStyle.PRIMARY, ButtonStyle.SUCCESS):
        out["style"] = "primary"
    elif button.style is ButtonStyle.DANGER:
        out["style"] = "danger"
    return out


def _select(select: Select) -> Block:
    options = []
    for option in select.options[:OPTIONS_PER_SELECT]:
        item: Block = {"text": plain_text(option.label, LABEL_TEXT), "value": option.value[:150]}
        if option.description:
            item["description"] = plain_text(option.description, LABEL_TEXT)
        options.append(item)
    out: Block = {
        "type": "static_select",
        "action_id": select.action_id,
        "placeholder": plain_text(select.placeholder, 150),
        "options": options,
    }
    if select.max_values > 1:
        out["type"] = "multi_static_select"
        out["max_selected_items"] = min(select.max_values, len(options))
    return out


def _chunks(text: str, limit: int) -> list[str]:
    """Split at line breaks (or, for one huge line, at a safe point) under Slack's limit."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(line) > limit:
            cut = safe_cut(line, limit)
            chunks.append(line[:cut])
            line = line[cut:]
        current = line
    if current or not chunks:
        chunks.append(current or " ")
    return chunks


def _fit(blocks: list[Block], limit: int) -> list[Block]:
    """Keep the interactive tail (buttons, select, footer) and cut the text in the middle."""
    if len(blocks) <= limit:
        return blocks
    tail = 0
    while tail < len(blocks) and blocks[-1 - tail]["type"] in ("actions", "context"):
        tail += 1
    tail = min(tail, limit - 2)
    note: Block = {"type": "context", "elements": [mrkdwn("(cut: the message was too long)")]}
    return [*blocks[: limit - 1 - tail], note, *blocks[len(blocks) - tail :]]
