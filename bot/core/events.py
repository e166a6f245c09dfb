"""Inbound neutral events: what adapters turn platform payloads into.

Every event carries `delivery_id`, stable across redeliveries of the same platform event
(Slack event_id, Discord interaction id, ...), so that the dispatcher can drop duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.ids import ChannelRef, MessageRef, ThreadRef, UserRef


@dataclass(frozen=True)
class Inbound:
    """Common fields of every inbound event."""

    delivery_id: str
    actor: UserRef
    channel: ChannelRef | None


@dataclass(frozen=True)
class CommandInvoked(Inbound):
    """A slash command: `name` is the full path (`daily setup`), `args` maps option -> value.

    Values are typed already (Discord) or raw strings (Slack, console); the dispatcher coerces
    them with the command's declaration either way. `attachment` is a file uploaded with the
    command (its bytes, already size-checked by the adapter, see `bot.core.uploads`) and
    `attachment_name` the file's name as the member's platform gave it.
    """

    name: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    thread: ThreadRef | None = None
    attachment: bytes | None = None
    attachment_name: str = ""


@dataclass(frozen=True)
class ActionPressed(Inbound):
    """A button press or a select choice on a message the bot posted."""

    action_id: str = ""
    values: tuple[str, ...] = ()
    message: MessageRef | None = None


@dataclass(frozen=True)
class FormSubmitted(Inbound):
    """A submitted form; `fields` maps FormField.id -> text.

    Where the platform takes files in forms and the form offers an upload (`Form.upload`), a
    file given there arrives as `attachment` and `attachment_name`, like a command's."""

    form_id: str = ""
    context: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    attachment: bytes | None = None
    attachment_name: str = ""


@dataclass(frozen=True)
class MessagePosted(Inbound):
    """A member wrote a message in a channel, a thread or a DM the bot can see."""

    text: str = ""
    message: MessageRef | None = None
    is_direct: bool = False


@dataclass(frozen=True)
class ReactionAdded(Inbound):
    """A member reacted to a message."""

    emoji: str = ""
    message: MessageRef | None = None
