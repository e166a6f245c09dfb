"""Discord payloads (as parsed by discord.py) -> neutral events and references (no network).

Where things live: a guild is a workspace; a text channel a channel; a thread is a `ThreadRef`
under its parent channel (so a thread message's `channel` is the parent). Direct messages have
no guild: they belong to the pseudo-workspace `DM_WORKSPACE`, one DM channel per member.
Delivery ids: `discord:interaction:<id>`, `discord:message:<id>`,
`discord:reaction:<message>:<user>:<emoji>`; a gateway replay repeats them exactly.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.adapters.discord.render import emoji_name, parse_form_custom_id
from bot.core.events import (
    ActionPressed,
    CommandInvoked,
    FormSubmitted,
    MessagePosted,
    ReactionAdded,
)
from bot.core.ids import ChannelRef, MessageRef, Platform, ThreadRef, UserRef, WorkspaceRef

DM_WORKSPACE = WorkspaceRef(Platform.DISCORD, "dm", "Direct messages")
_THREAD_TYPES = {
    discord.ChannelType.public_thread,
    discord.ChannelType.private_thread,
    discord.ChannelType.news_thread,
}


def interaction_delivery(interaction_id: int) -> str:
    return f"discord:interaction:{interaction_id}"


def message_delivery(message_id: int) -> str:
    return f"discord:message:{message_id}"


def reaction_delivery(payload: discord.RawReactionActionEvent) -> str:
    name = emoji_name(payload.emoji)
    return f"discord:reaction:{payload.message_id}:{payload.user_id}:{name}"


def workspace_ref(guild_id: int | None, name: str = "") -> WorkspaceRef:
    if guild_id is None:
        return DM_WORKSPACE
    return WorkspaceRef(Platform.DISCORD, str(guild_id), name)


def is_admin(permissions: discord.Permissions) -> bool:
    """Admins are who may manage the server (the permission admin commands default to)."""
    return permissions.administrator or permissions.manage_guild


def user_ref(user: discord.abc.User, workspace: WorkspaceRef, admin: bool = False) -> UserRef:
    return UserRef(workspace, str(user.id), user.display_name, is_admin=admin)


def place(channel: Any, workspace: WorkspaceRef) -> tuple[ChannelRef, ThreadRef | None]:
    """The channel (and thread) of a discord.py channel object of any kind."""
    if isinstance(channel, discord.Thread) or getattr(channel, "type", None) in _THREAD_TYPES:
        parent_id = getattr(channel, "parent_id", None)
        parent_obj = getattr(channel, "parent", None)
        parent = ChannelRef(workspace, str(parent_id), getattr(parent_obj, "name", "") or "")
        return parent, ThreadRef(parent, str(channel.id))
    return ChannelRef(workspace, str(channel.id), getattr(channel, "name", "") or ""), None


def _interaction_where(
    interaction: discord.Interaction,
) -> tuple[WorkspaceRef, UserRef, ChannelRef | None, ThreadRef | None]:
    guild = interaction.guild
    workspace = workspace_ref(interaction.guild_id, guild.name if guild else "")
    admin = interaction.guild_id is not None and is_admin(interaction.permissions)
    actor = user_ref(interaction.user, workspace, admin)
    if interaction.channel is None:
        if interaction.channel_id is None:
            return workspace, actor, None, None
        return workspace, actor, ChannelRef(workspace, str(interaction.channel_id)), None
    channel, thread = place(interaction.channel, workspace)
    return workspace, actor, channel, thread


def command_event(
    interaction: discord.Interaction, name: str, args: dict[str, Any]
) -> CommandInvoked:
    _, actor, channel, thread = _interaction_where(interaction)
    return CommandInvoked(
        delivery_id=interaction_delivery(interaction.id),
        actor=actor,
        channel=channel,
        name=name,
        args=args,
        thread=thread,
    )


def message_ref(message: discord.Message | None, workspace: WorkspaceRef) -> MessageRef | None:
    if message is None:
        return None
    channel, thread = place(message.channel, workspace)
    return MessageRef(channel, str(message.id), thread)


def action_event(interaction: discord.Interaction, action_id: str) -> ActionPressed:
    _, actor, channel, thread = _interaction_where(interaction)
    data: dict[str, Any] = dict(interaction.data or {})
    values = tuple(str(v) for v in data.get("values", ()))
    ref = None
    if interaction.message is not None and channel is not None:
        ref = MessageRef(channel, str(interaction.message.id), thread)
    return ActionPressed(
        delivery_id=interaction_delivery(interaction.id),
        actor=actor,
        channel=channel,
        action_id=action_id,
        values=values,
        message=ref,
    )


def form_values(components: list[dict[str, Any]]) -> dict[str, str]:
    """Text inputs of a modal submission: action rows (classic) or labels (newer layout)."""
    values: dict[str, str] = {}
    for outer in components:
        inner = list(outer.get("components", ()))
        if "component" in outer:
            inner.append(outer["component"])
        for component in inner:
            if "custom_id" in component and isinstance(component.get("value"), str):
                values[component["custom_id"]] = component["value"]
    return values


def form_event(interaction: discord.Interaction) -> FormSubmitted | None:
    """A submission of one of our forms, or None for someone else's modal."""
    data: dict[str, Any] = dict(interaction.data or {})
    parsed = parse_form_custom_id(str(data.get("custom_id", "")))
    if parsed is None:
        return None
    form_id, context = parsed
    _, actor, channel, _ = _interaction_where(interaction)
    return FormSubmitted(
        delivery_id=interaction_delivery(interaction.id),
        actor=actor,
        channel=channel,
        form_id=form_id,
        context=context,
        fields=form_values(list(data.get("components", ()))),
    )


def message_event(message: discord.Message, bot_id: int | None) -> MessagePosted | None:
    """A member's message in a thread or a DM; None for everything we do not read.

    Plain channel messages are skipped on purpose: each handled event costs a database write,
    and no feature reads channel chatter."""
    if message.author.bot or message.author.id == bot_id or message.webhook_id is not None:
        return None
    if message.type not in (discord.MessageType.default, discord.MessageType.reply):
        return None
    if not message.content:
        return None  # without the message-content intent, thread text arrives empty
    direct = discord.DMChannel | discord.PartialMessageable
    if message.guild is None and isinstance(message.channel, direct):
        channel = ChannelRef(DM_WORKSPACE, str(message.channel.id))
        actor = user_ref(message.author, DM_WORKSPACE)
        return MessagePosted(
            delivery_id=message_delivery(message.id),
            actor=actor,
            channel=channel,
            text=message.content,
            message=MessageRef(channel, str(message.id)),
            is_direct=True,
        )
    if not isinstance(message.channel, discord.Thread):
        return None
    workspace = workspace_ref(message.guild.id if message.guild else None,
                              message.guild.name if message.guild else "")
    admin = isinstance(message.author, discord.Member) and is_admin(
        message.author.guild_permissions
    )
    parent, thread = place(message.channel, workspace)
    return MessagePosted(
        delivery_id=message_delivery(message.id),
        actor=user_ref(message.author, workspace, admin),
        channel=parent,
        text=message.content,
        message=MessageRef(parent, str(message.id), thread),
    )


def reaction_event(
    payload: discord.RawReactionActionEvent, channel: Any, bot_id: int | None
) -> ReactionAdded | None:
    """A member's reaction; `channel` is the cached channel object (None when unknown)."""
    if payload.user_id == bot_id or (payload.member is not None and payload.member.bot):
        return None
    workspace = workspace_ref(payload.guild_id)
    if channel is not None:
        parent, thread = place(channel, workspace)
    else:
        parent, thread = ChannelRef(workspace, str(payload.channel_id)), None
    name = emoji_name(payload.emoji)
    member = payload.member
    if member is not None:
        actor = user_ref(member, workspace, is_admin(member.guild_permissions))
    else:
        actor = UserRef(workspace, str(payload.user_id))
    return ReactionAdded(
        delivery_id=reaction_delivery(payload),
        actor=actor,
        channel=parent,
        emoji=name,
        message=MessageRef(parent, str(payload.message_id), thread),
    )
