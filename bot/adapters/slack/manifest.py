"""The Slack app manifests in deploy/, generated from what the adapter really uses.

Scopes follow from the Web API methods the adapter calls, the events it reads and the file
input of its forms (whose files it downloads). There is one
slash command, `/studybot`, whose text names any declared command (`/studybot daily setup`),
so adding a feature never changes the manifest. A test regenerates both manifests and compares
them with the files, so they cannot drift. One manifest cannot serve
both Socket Mode and HTTP mode, hence two files.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Literal

import yaml

from bot.adapters.slack.mrkdwn import COMMAND

log = logging.getLogger(__name__)

Mode = Literal["socket", "http"]
PLACEHOLDER_URL = "https://studybot.example.com/slack/events"

# Every Web API method the adapter calls, with the bot scopes it needs.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "apps.connections.open": (),  # the app-level token (connections:write), not a bot scope
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "conversations.open": ("im:write", "mpim:write"),
    "conversations.history": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "conversations.replies": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "reactions.add": ("reactions:write",),
    "views.open": (),
    "views.publish": (),
    "users.info": ("users:read",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
}
# What else the adapter does that needs a scope: a modal's file input (Block Kit requires
# files:read for it) and downloading the file given there from its url_private_download.
FEATURE_SCOPES: dict[str, tuple[str, ...]] = {
    "file_input": ("files:read",),
}
# Every event the adapter listens to, with the scope that delivers it.
EVENT_SCOPES: dict[str, tuple[str, ...]] = {
    "app_home_opened": (),
    "message.channels": ("channels:history",),
    "message.groups": ("groups:history",),
    "message.im": ("im:history",),
    "message.mpim": ("mpim:history",),
    "reaction_added": ("reactions:read",),
}


def bot_scopes() -> list[str]:
    needed = {"commands"}
    for scopes in (*METHOD_SCOPES.values(), *FEATURE_SCOPES.values(), *EVENT_SCOPES.values()):
        needed.update(scopes)
    return sorted(needed)


def granted_scopes(headers: Mapping[str, Any]) -> frozenset[str] | None:
    """The bot scopes Slack says the token holds (`x-oauth-scopes` on any Web API answer), or
    None when it did not say. Scopes the manifest asks for but the install lacks (an app
    installed before a scope was added) are logged once: features that need them step aside."""
    raw = next((str(v) for k, v in headers.items() if k.lower() == "x-oauth-scopes"), None)
    if raw is None:
        return None
    granted = frozenset(s.strip() for s in raw.split(",") if s.strip())
    missing = sorted(set(bot_scopes()) - granted)
    if missing:
        log.warning("the Slack app lacks the scopes %s; reinstall it from deploy/slack-manifest-"
                    "*.yaml to use everything (until then the features needing them step aside)",
                    ", ".join(missing))
    return granted


def usage_hint() -> str:
    """Static on purpose: adding a feature must not require re-installing the Slack app."""
    return "help | <command> [option:value ...]"


def build_manifest(mode: Mode, url: str = PLACEHOLDER_URL) -> dict[str, Any]:
    command: dict[str, Any] = {
        "command": COMMAND,
        "description": "StudyBot: daily questions, quizzes, mock interviews. Try: help",
        "usage_hint": usage_hint(),
        # Mentions arrive as <@U123|name>, so `user` options get ids, not display names.
        "should_escape": True,
    }
    events: dict[str, Any] = {"bot_events": sorted(EVENT_SCOPES)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if mode == "http":
        command["url"] = url
        events = {"request_url": url, **events}
        interactivity["request_url"] = url
    return {
        "display_information": {
            "name": "StudyBot",
            "description": "A study group for machine-learning interviews.",
            "long_description": (
                "StudyBot runs a study group for machine-learning interviews: a daily question "
                "with peer-reviewed answers in threads, slash-command quizzes, pairing for mock "
                "interviews, streaks and leaderboards. Type /studybot help to start."
            ),
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "StudyBot", "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": bot_scopes()}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": mode == "socket",
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(mode: Mode, url: str = PLACEHOLDER_URL) -> str:
    how = f"studybot slack manifest --mode {mode}"
    header = (
        f"# StudyBot Slack app manifest ({'Socket Mode' if mode == 'socket' else 'HTTP mode'}).\n"
        f"# Generated by `{how}`; a test checks that it matches the code.\n"
        "# Paste it at https://api.slack.com/apps -> Create New App -> From a manifest.\n"
    )
    if mode == "http":
        header += f"# Replace {PLACEHOLDER_URL} with your bot's public URL (or pass --url).\n"
    body = yaml.safe_dump(
        build_manifest(mode, url), sort_keys=False, allow_unicode=True, width=100
    )
    return header + body
