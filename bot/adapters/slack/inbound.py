"""Slack payloads as neutral events (pure functions over the dicts bolt hands us).

Each event's `delivery_id` is stable across redeliveries of the same thing, so that the
dispatcher drops a repeat in the same transaction as the first one's writes:
- Events API (HTTP retries with `x-slack-retry-num`, Socket Mode redeliveries): the `event_id`.
- Slash commands: the `trigger_id` (unique per invocation, repeated in a redelivered envelope).
- Button presses and selects: the acting user and the action's `action_ts`.
- Modal submissions: the view id and the view hash (a view changes hash when it is updated).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.adapters.slack.mrkdwn import parse_command, unescape
from bot.adapters.slack.render import FormOrigin, form_files, form_values
from bot.core.events import (
    ActionPressed,
    CommandInvoked,
    FormSubmitted,
    MessagePosted,
    ReactionAdded,
)
from bot.core.ids import ChannelRef, MessageRef, ThreadRef, UserRef
from bot.core.ui import Form

Payload = dict[str, Any]

# Member messages we read; other subtypes (edits, deletions, joins, bot posts) are not theirs.
_MEMBER_SUBTYPES = {None, "thread_broadcast", "file_share"}
# Slack names a slash command's channel "directmessage"/"privategroup" where it has no name.
_PLACEHOLDER_NAMES = {"directmessage", "privategroup", "mpdm"}


@dataclass(frozen=True)
class Who:
    """Who acted, as the payload says; the adapter looks up the rest (name, admin)."""

    team_id: str
    user_id: str
    name: str = ""


@dataclass(frozen=True)
class Origin:
    """Where the member acted: it decides where the reply to them goes."""

    user_id: str
    channel: str | None = None
    thread_ts: str | None = None
    message_ts: str | None = None
    message_ephemeral: bool = False
    response_url: str | None = None
    trigger_id: str | None = None

    def for_form(self, form: Form) -> FormOrigin:
        return FormOrigin(
            form_id=form.form_id,
            context=form.context,
            channel=self.channel,
            thread_ts=self.thread_ts,
            message_ts=self.message_ts,
            message_ephemeral=self.message_ephemeral,
        )


# --- slash commands -------------------------------------------------------------------------


def command_who(body: Payload) -> Who:
    return Who(str(body.get("team_id", "")), str(body["user_id"]), str(body.get("user_name", "")))


def command_event(body: Payload, actor: UserRef) -> CommandInvoked:
    """`/studybot me timezone zone:Europe/Berlin` -> CommandInvoked("me timezone", {...}).

    Raises UserError when the text cannot be read (an unclosed quote)."""
    name, args = parse_command(str(body.get("text", "")))
    channel = _channel(actor, body.get("channel_id"), body.get("channel_name"))
    thread_ts = body.get("thread_ts")  # Slack runs no slash commands in threads today
    return CommandInvoked(
        delivery_id=f"slack:cmd:{body['trigger_id']}",
        actor=actor,
        channel=channel,
        name=name,
        args=args,
        thread=ThreadRef(channel, str(thread_ts)) if channel and thread_ts else None,
    )


def command_origin(body: Payload) -> Origin:
    return Origin(
        user_id=str(body["user_id"]),
        channel=body.get("channel_id"),
        thread_ts=body.get("thread_ts"),
        response_url=body.get("response_url"),
        trigger_id=body.get("trigger_id"),
    )


# --- interactivity: buttons, selects, modals -------------------------------------------------


def interaction_who(body: Payload) -> Who:
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id", "")
    return Who(str(team), str(user["id"]), str(user.get("username") or user.get("name") or ""))


def action_origin(body: Payload) -> Origin:
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    message_ts = container.get("message_ts") or message.get("ts")
    thread_ts = message.get("thread_ts") or container.get("thread_ts")
    return Origin(
        user_id=str((body.get("user") or {}).get("id", "")),
        channel=channel,
        thread_ts=thread_ts if thread_ts and thread_ts != message_ts else None,
        message_ts=message_ts,
        message_ephemeral=bool(container.get("is_ephemeral", False)),
        response_url=body.get("response_url"),
        trigger_id=body.get("trigger_id"),
    )


def action_event(body: Payload, actor: UserRef) -> ActionPressed:
    """The first action of a block_actions payload (Slack sends one per interaction)."""
    action = body["actions"][0]
    origin = action_origin(body)
    channel = _channel(actor, origin.channel)
    message = None
    if channel is not None and origin.message_ts:
        thread = ThreadRef(channel, origin.thread_ts) if origin.thread_ts else None
        message = MessageRef(channel, origin.message_ts, thread)
    return ActionPressed(
        delivery_id=f"slack:action:{actor.id}:{action.get('action_ts', body.get('trigger_id'))}",
        actor=actor,
        channel=channel,
        action_id=str(action["action_id"]),
        values=_values(action),
        message=message,
    )


def submission_origin(body: Payload) -> tuple[Origin, FormOrigin]:
    view = body["view"]
    form = FormOrigin.load(str(view.get("private_metadata", "")))
    origin = Origin(
        user_id=str((body.get("user") or {}).get("id", "")),
        channel=form.channel,
        thread_ts=form.thread_ts,
        message_ts=form.message_ts,
        message_ephemeral=form.message_ephemeral,
        trigger_id=body.get("trigger_id"),
    )
    return origin, form


def submission_event(body: Payload, actor: UserRef) -> FormSubmitted:
    view = body["view"]
    _, form = submission_origin(body)
    return FormSubmitted(
        delivery_id=f"slack:view:{view['id']}:{view.get('hash', '')}",
        actor=actor,
        channel=_channel(actor, form.channel),
        form_id=form.form_id,
        context=form.context,
        fields=form_values(view),
    )


def submission_files(body: Payload) -> list[Payload]:
    """The Slack file objects given in the submitted form's file inputs (usually none)."""
    return form_files(body["view"])


# --- Events API ------------------------------------------------------------------------------


def event_who(body: Payload) -> Who | None:
    event = body.get("event") or {}
    user = event.get("user")
    if not isinstance(user, str) or not user:
        return None
    return Who(str(body.get("team_id") or event.get("team") or ""), user)


def is_member_message(event: Payload, bot_user_id: str | None) -> bool:
    """A member's own message in a thread, a DM or a group DM (not edits, not bots)."""
    if event.get("subtype") not in _MEMBER_SUBTYPES or event.get("bot_id"):
        return False
    if not event.get("user") or event.get("user") == bot_user_id:
        return False
    in_thread = bool(event.get("thread_ts")) and event.get("thread_ts") != event.get("ts")
    return in_thread or event.get("channel_type") in ("im", "mpim")


def message_event(body: Payload, actor: UserRef) -> MessagePosted:
    event = body["event"]
    channel = ChannelRef(actor.workspace, str(event["channel"]))
    thread_ts = event.get("thread_ts")
    thread = ThreadRef(channel, str(thread_ts)) if thread_ts and thread_ts != event["ts"] else None
    return MessagePosted(
        delivery_id=f"slack:{body['event_id']}",
        actor=actor,
        channel=channel,
        text=unescape(str(event.get("text", ""))),
        message=MessageRef(channel, str(event["ts"]), thread),
        is_direct=event.get("channel_type") == "im",
    )


def reaction_event(body: Payload, actor: UserRef) -> ReactionAdded | None:
    event = body["event"]
    item = event.get("item") or {}
    if item.get("type") != "message":
        return None  # reactions on files are not messages the core knows
    channel = ChannelRef(actor.workspace, str(item["channel"]))
    return ReactionAdded(
        delivery_id=f"slack:{body['event_id']}",
        actor=actor,
        channel=channel,
        emoji=str(event.get("reaction", "")),
        message=MessageRef(channel, str(item["ts"])),
    )


def home_event(body: Payload, actor: UserRef) -> CommandInvoked | None:
    """Opening the App Home tab shows the member's profile: `/studybot me`, rendered there."""
    event = body["event"]
    if event.get("tab", "home") != "home":
        return None
    return CommandInvoked(
        delivery_id=f"slack:home:{body['event_id']}", actor=actor, channel=None, name="me"
    )


def _channel(actor: UserRef, channel_id: Any, name: Any = None) -> ChannelRef | None:
    if not channel_id:
        return None
    shown = "" if not name or name in _PLACEHOLDER_NAMES else str(name)
    return ChannelRef(actor.workspace, str(channel_id), shown)


def _values(action: Payload) -> tuple[str, ...]:
    if action.get("selected_option"):
        return (str(action["selected_option"]["value"]),)
    if action.get("selected_options") is not None:
        return tuple(str(o["value"]) for o in action["selected_options"])
    if action.get("value"):
        return (str(action["value"]),)
    return ()
