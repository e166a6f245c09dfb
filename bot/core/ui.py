"""The neutral view model: what the core asks a platform to show.

Text uses a small Markdown subset (`**bold**`, `_italic_`, `` `code` ``, bullet lines) that each
renderer translates. Member-written text is shown as plain text: renderers escape it so that it
never pings anyone; only users listed in `Message.mentions` may be pinged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.ids import UserRef

ACTION_ID_MAX = 90  # Discord caps custom_id at 100 characters; leave room for adapter prefixes


class ButtonStyle(StrEnum):
    """How prominent a button is."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    SUCCESS = "success"
    DANGER = "danger"


@dataclass(frozen=True)
class Button:
    """A button; pressing it delivers an `ActionPressed` with `action_id`."""

    label: str
    action_id: str
    style: ButtonStyle = ButtonStyle.SECONDARY

    def __post_init__(self) -> None:
        if len(self.action_id) > ACTION_ID_MAX:
            raise ValueError(f"action_id too long: {self.action_id!r}")


@dataclass(frozen=True)
class SelectOption:
    """One entry of a select menu."""

    label: str
    value: str
    description: str = ""


@dataclass(frozen=True)
class Select:
    """A select menu; choosing delivers an `ActionPressed` with the chosen values."""

    action_id: str
    options: tuple[SelectOption, ...]
    placeholder: str = "Choose…"
    max_values: int = 1


@dataclass(frozen=True)
class Field:
    """A labelled value shown beside the text (an embed field, a Slack section field)."""

    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True)
class Image:
    """A PNG picture attached to a message; `alt` is its text version."""

    filename: str
    data: bytes
    alt: str


@dataclass
class Message:
    """A message to show: text plus optional title, fields, buttons, select and image.

    `marker` is a short idempotency token carried invisibly where the platform allows
    (Discord nonce, Slack metadata) so that a post can be found again after a crash.
    """

    text: str = ""
    title: str | None = None
    fields: list[Field] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    select: Select | None = None
    image: Image | None = None
    footer: str | None = None
    mentions: list[UserRef] = field(default_factory=list)
    marker: str | None = None

    def plain(self) -> str:
        """A text-only version (for logs, notifications and the console)."""
        parts = [f"**{self.title}**"] if self.title else []
        if self.text:
            parts.append(self.text)
        parts += [f"{f.name}: {f.value}" for f in self.fields]
        if self.footer:
            parts.append(self.footer)
        return "\n".join(parts)


@dataclass(frozen=True)
class FormField:
    """One input of a form (a modal text input)."""

    id: str
    label: str
    multiline: bool = False
    required: bool = True
    placeholder: str = ""
    default: str = ""
    max_length: int = 4000


@dataclass(frozen=True)
class FileUpload:
    """A file a form also takes, as an alternative to pasting into the text field `replaces`.

    Only platforms whose forms take files show it (Slack's file input); there the `replaces`
    field becomes optional, since either one will do, and the file arrives as
    `FormSubmitted.attachment`. Elsewhere (Discord modals, the console) the form is shown
    exactly as declared without it. `extensions` are the file name endings offered (no dot).
    """

    id: str
    label: str
    replaces: str
    extensions: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class Form:
    """A modal form. Submitting it delivers a `FormSubmitted` with `form_id` and `context`.

    Discord allows 1-5 inputs; `context` travels in the custom id / private metadata, so it
    stays short (an id, not a document). `upload`, when given, is an optional file input
    offered where the platform has one (see `FileUpload`).
    """

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    context: str = ""
    submit_label: str = "Submit"
    upload: FileUpload | None = None

    def __post_init__(self) -> None:
        if not 1 <= len(self.fields) <= 5:
            raise ValueError("a form has 1 to 5 fields")
        if len(self.form_id) + len(self.context) > ACTION_ID_MAX:
            raise ValueError("form id and context too long")
        if self.upload is not None:
            ids = {f.id for f in self.fields}
            if self.upload.replaces not in ids or self.upload.id in ids:
                raise ValueError("an upload replaces one of the form's fields and has its own id")


@dataclass
class Reply:
    """What a handler answers to the member who acted.

    Exactly one of: a message (private to the actor unless `private=False`), a form to open
    (must be the first response on Discord and Slack), or an edit of the message whose button
    was pressed (`edit=True`).
    """

    message: Message | None = None
    private: bool = True
    form: Form | None = None
    edit: bool = False

    @classmethod
    def private_text(cls, text: str) -> Reply:
        return cls(Message(text=text), private=True)

    @classmethod
    def public(cls, message: Message) -> Reply:
        return cls(message, private=False)

    @classmethod
    def open(cls, form: Form) -> Reply:
        return cls(form=form)

    @classmethod
    def replace(cls, message: Message) -> Reply:
        return cls(message, private=False, edit=True)
