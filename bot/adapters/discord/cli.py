"""`studybot discord sync | invite-url`: command sync by hand and the invite link."""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
from typing import Any

import discord
from discord import app_commands
from discord.http import Route

from bot.config import Settings, load_settings
from bot.core.errors import ConfigError

SCOPES = ("bot", "applications.commands")

# Exactly what the bot uses, and why (the README repeats these reasons).
PERMISSIONS = {
    "view_channel": "see the channels where it posts and where commands are used",
    "send_messages": "post daily questions, quizzes and summaries",
    "send_messages_in_threads": "post in answer threads and pair threads, and add pair members",
    "create_public_threads": "open an answer thread under each question",
    "create_private_threads": "open a private thread for each interview pair",
    "embed_links": "show questions and summaries as embeds",
    "attach_files": "attach charts and images",
    "add_reactions": "react to answers",
    "read_message_history": "find its own recent post again after a crash, and react to older "
    "messages",
}


def invite_permissions() -> discord.Permissions:
    return discord.Permissions(**dict.fromkeys(PERMISSIONS, True))


def client_id_from_token(token: str) -> str | None:
    """A bot token starts with the base64 of the bot's user id (the application id)."""
    head = token.split(".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded if decoded.isdigit() else None


def invite_url(client_id: str) -> str:
    return discord.utils.oauth_url(client_id, permissions=invite_permissions(), scopes=SCOPES)


def add_discord_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("discord", help="Discord: command sync and the invite link")
    actions = parser.add_subparsers(dest="action", required=True)
    sync = actions.add_parser(
        "sync",
        help="register the slash commands with Discord (globally, or in DISCORD_DEV_GUILD)",
    )
    sync.add_argument("--guild", type=int, help="sync to this guild only (default: "
                      "DISCORD_DEV_GUILD if set, else globally)")
    sync.set_defaults(func=_sync)
    invite = actions.add_parser("invite-url", help="print the link that adds the bot to a server")
    invite.add_argument("--client-id", help="the application id (default: read from the token)")
    invite.set_defaults(func=_invite)


def _invite(args: argparse.Namespace) -> int:
    client_id = args.client_id
    if not client_id:
        token = load_settings(args.config).discord_token or ""
        client_id = client_id_from_token(token) if token else None
    if not client_id or not str(client_id).isdigit():
        raise ConfigError(
            "give --client-id (Developer Portal -> your application -> General Information -> "
            "Application ID) or set DISCORD_TOKEN"
        )
    print(invite_url(str(client_id)))
    return 0


def _sync(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    if not settings.discord_token:
        raise ConfigError("DISCORD_TOKEN is not set")
    guild = args.guild or settings.discord_dev_guild
    count = asyncio.run(sync_now(settings, guild))
    where = f"to guild {guild} (visible at once)" if guild else (
        "globally (Discord may take up to an hour to show changes)"
    )
    print(f"synced {count} commands {where}")
    return 0


async def sync_now(settings: Settings, guild_id: int | None) -> int:
    """Log in over REST only (no gateway), sync, and record the hash like the bot does."""
    from bot.adapters.discord.commands import build_commands
    from bot.adapters.discord.sync import sync_commands
    from bot.app import build

    app = build(settings)
    await app.prepare()
    if settings.discord_api_base:
        Route.BASE = settings.discord_api_base.rstrip("/")
    client = discord.Client(intents=discord.Intents.none())
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)

    async def no_command(*_args: Any) -> None:
        raise RuntimeError("commands do not run during a sync")

    async def no_suggestions(*_args: Any) -> list[str]:
        return []

    for command in build_commands(app.services.registry, no_command, no_suggestions):
        tree.add_command(command)
    try:
        async with client:
            try:
                await client.login(settings.discord_token or "")
            except discord.LoginFailure as exc:
                raise ConfigError("Discord refused DISCORD_TOKEN (401)") from exc
            count = await sync_commands(tree, app.services, guild_id, force=True)
    finally:
        await app.store.close()
    return count or 0
