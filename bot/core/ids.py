"""Neutral references to workspaces, channels, users and messages on any platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Platform(StrEnum):
    """Where a workspace lives."""

    CONSOLE = "console"
    DISCORD = "discord"
    SLACK = "slack"


@dataclass(frozen=True)
class WorkspaceRef:
    """A Discord guild, a Slack team or the console's workspace."""

    platform: Platform
    id: str
    name: str = field(default="", compare=False)


@dataclass(frozen=True)
class ChannelRef:
    """A channel (or a DM / private space) inside a workspace."""

    workspace: WorkspaceRef
    id: str
    name: str = field(default="", compare=False)


@dataclass(frozen=True)
class UserRef:
    """A member's account on one platform; `is_admin` is what the platform says right now."""

    workspace: WorkspaceRef
    id: str
    name: str = field(default="", compare=False)
    is_admin: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class ThreadRef:
    """A thread: on Discord a thread channel id, on Slack the parent message's ts."""

    channel: ChannelRef
    id: str


@dataclass(frozen=True)
class MessageRef:
    """A message the bot or a member posted; `thread` is set when it lives inside a thread."""

    channel: ChannelRef
    id: str
    thread: ThreadRef | None = None


def mention(user: UserRef) -> str:
    """Mention markup understood by every renderer (Discord and Slack both use `<@ID>`)."""
    return f"<@{user.id}>"
