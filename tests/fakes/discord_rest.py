"""A local fake Discord: REST and the gateway websocket on one port, with state.

The real discord.py client connects to it (`Route.BASE` -> `http://127.0.0.1:PORT/api/v10`,
gateway `ws://127.0.0.1:PORT/`). It keeps guilds, channels, threads, DMs, messages and
interactions; records every request; answers an unknown route with 501 and a failure; can
answer 429 (with `retry_after` and a `Via` header) or 503; fails any interaction not answered
within 3 seconds. Payloads are complete per `discord/types/*.py` (tests check the builders
against those TypedDicts), and every JSON answer has Content-Type exactly `application/json`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from aiohttp import web

from tests.fakes.discord_gateway import (
    DIRECT_MESSAGE_REACTIONS,
    DIRECT_MESSAGES,
    GUILD_MESSAGE_REACTIONS,
    GUILD_MESSAGES,
    GUILDS,
    MESSAGE_CONTENT,
    FakeGateway,
    Session,
)

BODY = web.RequestKey("fake_discord_body", object)
FILES = web.RequestKey("fake_discord_files", dict)
DISCORD_EPOCH_MS = 1420070400000
CLOCK_START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
API = "/api/v10"
DEADLINE = 3.0
EPHEMERAL = 1 << 6
LOADING = 1 << 7

APP_ID = 1100000000000000001
# Guild ids chosen so that with 2 shards the first lives on shard 0 and the second on shard 1.
GUILD_ID = 1000 << 22
OTHER_GUILD_ID = 1001 << 22
STUDY_ID = 1200000000000000001
OTHER_CHANNEL_ID = 1200000000000000002
ADMIN_ROLE_ID = 1300000000000000001

# Permission bits (Discord's numbering).
P = {
    "create_instant_invite": 1 << 0, "administrator": 1 << 3, "manage_guild": 1 << 5,
    "add_reactions": 1 << 6, "view_channel": 1 << 10, "send_messages": 1 << 11,
    "embed_links": 1 << 14, "attach_files": 1 << 15, "read_message_history": 1 << 16,
    "use_application_commands": 1 << 31, "create_public_threads": 1 << 35,
    "create_private_threads": 1 << 36, "send_messages_in_threads": 1 << 38,
}
MEMBER_PERMS = sum(v for k, v in P.items() if k not in ("administrator", "manage_guild"))
ADMIN_PERMS = (1 << 50) - 1


@dataclass(frozen=True)
class FakeUser:
    """A Discord account."""

    id: int
    username: str
    bot: bool = False
    admin: bool = False

    @property
    def display_name(self) -> str:
        return self.username.capitalize()


BOT = FakeUser(APP_ID, "studybot", bot=True)
ALICE = FakeUser(1400000000000000001, "alice")
BOB = FakeUser(1400000000000000002, "bob")
CAROL = FakeUser(1400000000000000003, "carol", admin=True)
DAVE = FakeUser(1400000000000000004, "dave")
MEMBERS = (ALICE, BOB, CAROL, DAVE)


@dataclass
class FakeChannel:
    """A text channel, a thread (type 11 public, 12 private) or a DM (type 1)."""

    id: int
    type: int
    name: str
    guild_id: int | None
    parent_id: int | None = None
    owner_id: int | None = None
    recipient: FakeUser | None = None
    members: set[int] = field(default_factory=set)
    invitable: bool = True


@dataclass
class FakeMessage:
    """A message as Discord stores it."""

    id: int
    channel_id: int
    guild_id: int | None
    author: FakeUser
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    flags: int = 0
    nonce: str | None = None
    allowed_mentions: dict[str, Any] | None = None
    interaction_id: int | None = None
    deleted: bool = False
    edits: int = 0
    reactions: list[str] = field(default_factory=list)
    thread_id: int | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & LOADING)

    @property
    def text(self) -> str:
        """Everything a member reads: content, embed titles, descriptions, fields, footers."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
            parts.append(embed.get("footer", {}).get("text", ""))
        return "\n".join(p for p in parts if p)

    def items(self) -> list[dict[str, Any]]:
        return [c for row in self.components for c in row.get("components", [])]

    @property
    def buttons(self) -> list[str]:
        return [c.get("label", "") for c in self.items() if c.get("type") == 2]

    def button(self, label: str) -> dict[str, Any]:
        for item in self.items():
            if item.get("type") == 2 and item.get("label") == label:
                return item
        raise AssertionError(f"no button {label!r} on message {self.id}: {self.buttons}")

    def select(self) -> dict[str, Any]:
        for item in self.items():
            if item.get("type") == 3:
                return item
        raise AssertionError(f"no select on message {self.id}")


@dataclass
class FakeInteraction:
    """An interaction sent to the bot, and how it was answered."""

    id: int
    token: str
    type: int
    data: dict[str, Any]
    user: FakeUser
    guild_id: int | None
    channel_id: int
    message_id: int | None
    dispatched_at: float
    answered_at: float | None = None
    response_type: int | None = None
    original_id: int | None = None
    followups: list[int] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    answered: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Call:
    """One recorded REST request."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    files: dict[str, bytes]
    status: int = 0


@dataclass
class Fault:
    """An injected error: the next `times` matching requests get `status`."""

    method: str
    path: re.Pattern[str]
    status: int
    times: int = 1
    retry_after: float = 0.01


def iso(when: datetime) -> str:
    return when.isoformat()


def user_payload(user: FakeUser) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "username": user.username,
        "discriminator": "0",
        "avatar": None,
        "global_name": user.display_name,
        "bot": user.bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
        "avatar_decoration_data": None,
        "primary_guild": None,
        "collectibles": None,
    }


def member_payload(
    user: FakeUser, *, with_user: bool = True, permissions: bool = False
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "roles": [str(ADMIN_ROLE_ID)] if user.admin else [],
        "joined_at": iso(CLOCK_START - timedelta(days=30)),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": None,
        "avatar": None,
        "premium_since": None,
        "pending": False,
        "communication_disabled_until": None,
        "banner": None,
    }
    if with_user:
        data["user"] = user_payload(user)
    if permissions:
        data["permissions"] = str(ADMIN_PERMS if user.admin else MEMBER_PERMS)
    return data


def role_payload(role_id: int, name: str, permissions: int, position: int) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
        "icon": None,
        "unicode_emoji": None,
    }


def channel_payload(channel: FakeChannel, *, permissions: bool = False) -> dict[str, Any]:
    if channel.type == 1:
        assert channel.recipient is not None
        data: dict[str, Any] = {
            "id": str(channel.id),
            "type": 1,
            "name": None,
            "last_message_id": None,
            "recipients": [user_payload(channel.recipient)],
            "flags": 0,
        }
    elif channel.type in (10, 11, 12):
        data = {
            "id": str(channel.id),
            "guild_id": str(channel.guild_id),
            "parent_id": str(channel.parent_id),
            "owner_id": str(channel.owner_id),
            "name": channel.name,
            "type": channel.type,
            "nsfw": False,
            "member_count": len(channel.members),
            "message_count": 0,
            "total_message_sent": 0,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
            "applied_tags": [],
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 10080,
                "archive_timestamp": iso(CLOCK_START),
                "locked": False,
                "invitable": channel.invitable,
                "create_timestamp": iso(CLOCK_START),
            },
        }
    else:
        data = {
            "id": str(channel.id),
            "type": channel.type,
            "guild_id": str(channel.guild_id),
            "name": channel.name,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "last_pin_timestamp": None,
            "rate_limit_per_user": 0,
            "default_thread_rate_limit_per_user": 0,
            "default_auto_archive_duration": 1440,
            "flags": 0,
        }
    if permissions:
        data["permissions"] = str(MEMBER_PERMS)
    return data


class FakeDiscord:
    """The server; `start()` binds 127.0.0.1 on a free port."""

    def __init__(self) -> None:
        self.gateway = FakeGateway(self._ready_payloads, self.fail)
        self.calls: list[Call] = []
        self._call_seen = asyncio.Condition()
        self.failures: list[str] = []
        self.faults: list[Fault] = []
        self.guilds = {GUILD_ID: "Study Group", OTHER_GUILD_ID: "Other Group"}
        self.channels: dict[int, FakeChannel] = {
            STUDY_ID: FakeChannel(STUDY_ID, 0, "study", GUILD_ID),
            OTHER_CHANNEL_ID: FakeChannel(OTHER_CHANNEL_ID, 0, "general", OTHER_GUILD_ID),
        }
        self.messages: dict[int, FakeMessage] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        # Files members attach to slash commands, by attachment id (served like the CDN).
        self.uploads: dict[str, bytes] = {}
        self._seq = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024**2)
        app.router.add_get("/", self.gateway.handle)
        app.router.add_get("/resume", self.gateway.handle)
        r = app.router
        r.add_get(API + "/users/@me", self._me)
        r.add_get(API + "/oauth2/applications/@me", self._application)
        r.add_get(API + "/gateway/bot", self._gateway_bot)
        r.add_get(API + "/gateway", self._gateway_plain)
        r.add_put(API + "/applications/{app}/commands", self._put_commands)
        r.add_put(API + "/applications/{app}/guilds/{guild}/commands", self._put_commands)
        r.add_post(API + "/channels/{channel}/messages", self._post_message)
        r.add_get(API + "/channels/{channel}/messages", self._history)
        r.add_patch(API + "/channels/{channel}/messages/{message}", self._edit_message)
        r.add_delete(API + "/channels/{channel}/messages/{message}", self._delete_message)
        r.add_put(
            API + "/channels/{channel}/messages/{message}/reactions/{emoji}/@me", self._react
        )
        r.add_post(API + "/channels/{channel}/messages/{message}/threads", self._thread_on)
        r.add_post(API + "/channels/{channel}/threads", self._thread_in)
        r.add_put(API + "/channels/{channel}/thread-members/{user}", self._add_member)
        r.add_post(API + "/users/@me/channels", self._open_dm)
        r.add_post(API + "/interactions/{id}/{token}/callback", self._callback)
        r.add_post(API + "/webhooks/{app}/{token}", self._followup)
        r.add_get(API + "/webhooks/{app}/{token}/messages/{message}", self._get_webhook_message)
        r.add_patch(API + "/webhooks/{app}/{token}/messages/{message}", self._edit_webhook_message)
        r.add_delete(
            API + "/webhooks/{app}/{token}/messages/{message}", self._delete_webhook_message
        )
        # The CDN: what an attachment's `url` points at (Attachment.read() GETs it).
        r.add_get("/attachments/{attachment}/{filename}", self._attachment)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def rest_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def fail(self, why: str) -> None:
        self.failures.append(why)

    # --- ids and time -----------------------------------------------------------------------

    def snowflake(self) -> int:
        """Ids grow with time: one fake second per id, from 2026-12-01 08:00 UTC."""
        n = next(self._seq)
        ms = int(CLOCK_START.timestamp() * 1000) + n * 1000
        return ((ms - DISCORD_EPOCH_MS) << 22) | (n % 4096)

    @staticmethod
    def time_of(snowflake: int) -> datetime:
        return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)

    # --- payloads ---------------------------------------------------------------------------

    def guild_payload(self, guild_id: int) -> dict[str, Any]:
        channels = [c for c in self.channels.values() if c.guild_id == guild_id]
        return {
            "id": str(guild_id),
            "name": self.guilds[guild_id],
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "emojis": [],
            "stickers": [],
            "features": [],
            "description": None,
            "incidents_data": None,
            "owner_id": str(CAROL.id),
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [
                role_payload(guild_id, "@everyone", MEMBER_PERMS, 0),
                role_payload(ADMIN_ROLE_ID, "Admins", P["administrator"], 1),
            ],
            "mfa_level": 0,
            "nsfw_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "joined_at": iso(CLOCK_START - timedelta(days=7)),
            "large": False,
            "unavailable": False,
            "member_count": len(MEMBERS) + 1,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "voice_states": [],
            "members": [member_payload(BOT)],
            "channels": [channel_payload(c) for c in channels if c.type in (0, 2, 4, 5, 15)],
            "threads": [channel_payload(c) for c in channels if c.type in (10, 11, 12)],
            "presences": [],
        }

    def _ready_payloads(
        self, shard_id: int, shard_count: int, session_id: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        mine = [g for g in self.guilds if (g >> 22) % shard_count == shard_id]
        me = user_payload(BOT) | {"verified": True, "mfa_enabled": False, "email": None}
        ready = {
            "v": 10,
            "user": me,
            "guilds": [{"id": str(g), "unavailable": True} for g in mine],
            "session_id": session_id,
            "session_type": "normal",
            "resume_gateway_url": f"ws://127.0.0.1:{self.port}/resume",
            "shard": [shard_id, shard_count],
            "application": {"id": str(APP_ID), "flags": 0},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": ["fake"],
            "auth": {},
            "_trace": ["fake-gateway"],
        }
        return ready, [self.guild_payload(g) for g in mine]

    def message_payload(self, m: FakeMessage, *, with_nonce: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(m.id),
            "channel_id": str(m.channel_id),
            "author": user_payload(m.author),
            "content": m.content,
            "timestamp": iso(self.time_of(m.id)),
            "edited_timestamp": iso(self.time_of(m.id)) if m.edits else None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": m.attachments,
            "embeds": m.embeds,
            "components": m.components,
            "pinned": False,
            "type": 20 if m.interaction_id else 0,
            "flags": m.flags,
            "reactions": [],
        }
        if m.guild_id is not None:
            data["guild_id"] = str(m.guild_id)
            if m.interaction_id is None:
                data["member"] = member_payload(m.author, with_user=False)
        if m.nonce is not None and with_nonce:
            data["nonce"] = m.nonce
        if m.interaction_id is not None:
            data["webhook_id"] = str(APP_ID)
            data["application_id"] = str(APP_ID)
        if m.thread_id is not None:
            data["thread"] = channel_payload(self.channels[m.thread_id])
        return data

    def attach(
        self, filename: str, data: bytes, *, content_type: str = "text/plain"
    ) -> dict[str, Any]:
        """A file a member attaches to a slash command: the `resolved.attachments` entry.

        Discord uploads it before the interaction is sent; its `url` points at the fake's CDN
        route, which serves the bytes."""
        attachment_id = str(self.snowflake())
        self.uploads[attachment_id] = data
        url = f"http://127.0.0.1:{self.port}/attachments/{attachment_id}/{quote(filename)}"
        return {
            "id": attachment_id,
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
            "ephemeral": True,
            "flags": 0,
        }

    def interaction_payload(self, i: FakeInteraction) -> dict[str, Any]:
        channel = self.channels[i.channel_id]
        data: dict[str, Any] = {
            "id": str(i.id),
            "application_id": str(APP_ID),
            "type": i.type,
            "data": i.data,
            "channel_id": str(i.channel_id),
            "channel": channel_payload(channel, permissions=True),
            "token": i.token,
            "version": 1,
            "app_permissions": str(MEMBER_PERMS),
            "locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if i.guild_id is not None:
            data |= {
                "guild_id": str(i.guild_id),
                "guild": {"id": str(i.guild_id), "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "member": member_payload(i.user, permissions=True),
                "authorizing_integration_owners": {"0": str(i.guild_id)},
                "context": 0,
            }
        else:
            data |= {
                "user": user_payload(i.user),
                "authorizing_integration_owners": {"0": str(i.user.id)},
                "context": 1,
            }
        if i.message_id is not None:
            data["message"] = self.message_payload(self.messages[i.message_id])
        return data

    # --- what tests do as members -----------------------------------------------------------

    def sent_by_bot(self) -> list[FakeMessage]:
        return [m for m in self.messages.values() if m.author.id == BOT.id]

    def threads(self) -> list[FakeChannel]:
        return [c for c in self.channels.values() if c.type in (11, 12)]

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        for channel in self.channels.values():
            if channel.type == 1 and channel.recipient == user:
                return channel
        channel = FakeChannel(self.snowflake(), 1, "", None, recipient=user)
        self.channels[channel.id] = channel
        return channel

    async def interact(
        self,
        kind: int,
        data: dict[str, Any],
        user: FakeUser,
        channel_id: int,
        message_id: int | None = None,
    ) -> FakeInteraction:
        """Send INTERACTION_CREATE; the 3 s deadline starts now."""
        channel = self.channels[channel_id]
        guild_id = channel.guild_id
        interaction = FakeInteraction(
            id=self.snowflake(),
            token=f"token-{len(self.interactions) + 1}",
            type=kind,
            data=data,
            user=user,
            guild_id=guild_id,
            channel_id=channel_id,
            message_id=message_id,
            dispatched_at=time.monotonic(),
        )
        self.interactions[interaction.id] = interaction
        await self.gateway.dispatch(
            "INTERACTION_CREATE", self.interaction_payload(interaction), guild_id=guild_id
        )
        asyncio.get_running_loop().call_later(DEADLINE, self._check_deadline, interaction)
        return interaction

    async def redeliver_interaction(self, interaction: FakeInteraction) -> None:
        """The same INTERACTION_CREATE again (as a misbehaving replay would)."""
        await self.gateway.dispatch(
            "INTERACTION_CREATE", self.interaction_payload(interaction),
            guild_id=interaction.guild_id,
        )

    def _check_deadline(self, interaction: FakeInteraction) -> None:
        if interaction.answered_at is None:
            self.fail(f"interaction {interaction.id} not answered within {DEADLINE:.0f} s")

    async def user_says(self, user: FakeUser, channel_id: int, text: str) -> FakeMessage:
        """A member writes a message (MESSAGE_CREATE, with Discord's content rules)."""
        channel = self.channels[channel_id]
        message = FakeMessage(self.snowflake(), channel_id, channel.guild_id, user, content=text)
        self.messages[message.id] = message
        await self._announce(message)
        return message

    async def redeliver_message(self, message: FakeMessage) -> None:
        await self._announce(message)

    async def _announce(self, message: FakeMessage) -> None:
        payload = self.message_payload(message)
        if message.guild_id is None:
            await self.gateway.dispatch(
                "MESSAGE_CREATE", payload, guild_id=None, intent=DIRECT_MESSAGES
            )
            return
        await self.gateway.dispatch(
            "MESSAGE_CREATE", payload, guild_id=message.guild_id, intent=GUILD_MESSAGES,
            shape=_content_rules,
        )

    async def user_reacts(self, user: FakeUser, message: FakeMessage, emoji: str) -> None:
        message.reactions.append(emoji)
        data: dict[str, Any] = {
            "user_id": str(user.id),
            "channel_id": str(message.channel_id),
            "message_id": str(message.id),
            "emoji": {"id": None, "name": emoji},
            "message_author_id": str(message.author.id),
            "burst": False,
            "burst_colors": [],
            "type": 0,
        }
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
            data["member"] = member_payload(user)
        intent = GUILD_MESSAGE_REACTIONS if message.guild_id else DIRECT_MESSAGE_REACTIONS
        await self.gateway.dispatch(
            "MESSAGE_REACTION_ADD", data, guild_id=message.guild_id, intent=intent
        )

    def inject(self, method: str, path: str, status: int, *, times: int = 1,
               retry_after: float = 0.01) -> None:
        """The next `times` requests matching `method` and the regex `path` get `status`."""
        self.faults.append(Fault(method, re.compile(path), status, times, retry_after))

    def requests(self, method: str, path: str) -> list[Call]:
        pattern = re.compile(path)
        return [c for c in self.calls if c.method == method and pattern.search(c.path)]

    # --- plumbing ---------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path in ("/", "/resume"):
            return await handler(request)
        try:
            return await self._serve(request, handler)
        finally:
            await self._note(self.calls[-1])

    async def _serve(self, request: web.Request, handler: Any) -> web.StreamResponse:
        body, files = await _read_body(request)
        call = Call(request.method, request.path, dict(request.query), body, files)
        self.calls.append(call)
        request[BODY], request[FILES] = body, files
        for fault in self.faults:
            if fault.times > 0 and fault.method == request.method and fault.path.search(
                request.path
            ):
                fault.times -= 1
                call.status = fault.status
                return _fault_response(fault)
        try:
            response = await handler(request)
        except Refusal as refusal:
            call.status = refusal.status
            return _json({"message": refusal.message, "code": refusal.code}, refusal.status)
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
            self.fail(f"unknown route {request.method} {request.path}")
            call.status = 501
            return _json({"message": "fake Discord: not implemented", "code": 0}, 501)
        call.status = response.status
        return response

    async def _note(self, call: Call) -> None:
        async with self._call_seen:
            self._call_seen.notify_all()

    async def wait_for_calls(self, method: str, path: str, count: int) -> list[Call]:
        """Until `count` requests matching `method` and the regex `path` have been answered."""
        async with self._call_seen:
            await self._call_seen.wait_for(lambda: len(self._answered(method, path)) >= count)
        return self._answered(method, path)

    def _answered(self, method: str, path: str) -> list[Call]:
        return [c for c in self.requests(method, path) if c.status]

    def _channel(self, request: web.Request) -> FakeChannel:
        channel = self.channels.get(int(request.match_info["channel"]))
        if channel is None:
            raise _error(404, 10003, "Unknown Channel")
        return channel

    def _message(self, request: web.Request, key: str = "message") -> FakeMessage:
        message = self.messages.get(int(request.match_info[key]))
        if message is None or message.deleted:
            raise _error(404, 10008, "Unknown Message")
        return message

    def _interaction_by_token(self, token: str) -> FakeInteraction:
        for interaction in self.interactions.values():
            if interaction.token == token:
                return interaction
        raise _error(404, 10015, "Unknown Webhook")

    # --- REST handlers ----------------------------------------------------------------------

    async def _me(self, request: web.Request) -> web.Response:
        return _json(user_payload(BOT) | {"verified": True, "mfa_enabled": False})

    async def _application(self, request: web.Request) -> web.Response:
        return _json({
            "id": str(APP_ID),
            "name": "StudyBot",
            "icon": None,
            "description": "",
            "summary": "",
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": user_payload(CAROL),
            "bot_public": True,
            "bot_require_code_grant": False,
            "team": None,
            "rpc_origins": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "tags": [],
            "approximate_guild_count": len(self.guilds),
            "bot": user_payload(BOT),
        })

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": self.ws_url, "shards": 1, "session_start_limit": limit})

    async def _gateway_plain(self, request: web.Request) -> web.Response:
        return _json({"url": self.ws_url})

    async def _put_commands(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        guild_id = int(guild) if guild else None
        stored = []
        for command in request[BODY]:
            stored.append(command | {
                "id": str(self.snowflake()),
                "application_id": str(APP_ID),
                "version": str(self.snowflake()),
                "type": command.get("type", 1),
                **({"guild_id": str(guild_id)} if guild_id else {}),
            })
        self.commands[guild_id] = stored
        return _json(stored)

    def _new_message(
        self, channel: FakeChannel, author: FakeUser, body: dict[str, Any], files: dict[str, bytes],
        *, flags: int = 0, interaction_id: int | None = None,
    ) -> FakeMessage:
        message = FakeMessage(
            self.snowflake(), channel.id, channel.guild_id, author,
            flags=flags | int(body.get("flags") or 0), interaction_id=interaction_id,
        )
        _apply(message, body, files, self)
        self.messages[message.id] = message
        return message

    async def _post_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        body: dict[str, Any] = request[BODY] or {}
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            for earlier in self.messages.values():
                if earlier.channel_id == channel.id and earlier.nonce == str(nonce):
                    return _json(self.message_payload(earlier))
        message = self._new_message(channel, BOT, body, request[FILES])
        message.nonce = None if nonce is None else str(nonce)
        await self._announce(message)
        return _json(self.message_payload(message))

    async def _history(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        limit = int(request.query.get("limit", 50))
        after = int(request.query.get("after", 0))
        before = int(request.query.get("before", 1 << 63))
        found = sorted(
            (m for m in self.messages.values()
             if m.channel_id == channel.id and not m.deleted and not m.ephemeral
             and after < m.id < before),
            key=lambda m: m.id,
        )
        found = found[:limit] if "after" in request.query else found[-limit:]
        # History carries no nonces (Discord keeps them only briefly).
        return _json([self.message_payload(m, with_nonce=False) for m in reversed(found)])

    async def _edit_message(self, request: web.Request) -> web.Response:
        message = self._message(request)
        if message.author.id != BOT.id:
            raise _error(403, 50005, "Cannot edit a message authored by another user")
        _apply(message, request[BODY] or {}, request[FILES], self)
        message.edits += 1
        return _json(self.message_payload(message))

    async def _delete_message(self, request: web.Request) -> web.Response:
        message = self._message(request)
        message.deleted = True
        return web.Response(status=204)

    async def _react(self, request: web.Request) -> web.Response:
        message = self._message(request)
        await self.user_reacts(BOT, message, request.match_info["emoji"])
        return web.Response(status=204)

    async def _thread_on(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(request)
        if message.thread_id is not None:
            raise _error(400, 160004, "A thread has already been created for this message")
        body = request[BODY] or {}
        thread = FakeChannel(message.id, 11, body["name"], channel.guild_id, channel.id,
                             BOT.id, members={BOT.id})
        self.channels[thread.id] = thread
        message.thread_id = thread.id
        await self._thread_created(thread)
        return _json(channel_payload(thread))

    async def _thread_in(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        body = request[BODY] or {}
        thread = FakeChannel(self.snowflake(), int(body.get("type", 12)), body["name"],
                             channel.guild_id, channel.id, BOT.id, members={BOT.id},
                             invitable=bool(body.get("invitable", True)))
        self.channels[thread.id] = thread
        await self._thread_created(thread)
        return _json(channel_payload(thread))

    async def _thread_created(self, thread: FakeChannel) -> None:
        me = {"id": str(thread.id), "user_id": str(BOT.id),
              "join_timestamp": iso(CLOCK_START), "flags": 0}
        payload = channel_payload(thread) | {"newly_created": True, "member": me}
        await self.gateway.dispatch("THREAD_CREATE", payload, guild_id=thread.guild_id,
                                    intent=GUILDS)

    async def _add_member(self, request: web.Request) -> web.Response:
        thread = self._channel(request)
        if thread.type not in (11, 12):
            raise _error(400, 50024, "Cannot execute action on this channel type")
        if thread.type == 12 and not thread.invitable and thread.owner_id == BOT.id:
            # Discord: without Manage Threads, only an invitable private thread takes members.
            raise _error(403, 50013, "Missing Permissions")
        thread.members.add(int(request.match_info["user"]))
        return web.Response(status=204)

    async def _open_dm(self, request: web.Request) -> web.Response:
        user_id = int((request[BODY] or {})["recipient_id"])
        user = next((u for u in MEMBERS if u.id == user_id), None)
        if user is None:
            raise _error(400, 50007, "Cannot send messages to this user")
        return _json(channel_payload(self.dm_channel(user)))

    async def _callback(self, request: web.Request) -> web.Response:
        interaction = self.interactions.get(int(request.match_info["id"]))
        if interaction is None or interaction.token != request.match_info["token"]:
            self.fail(f"callback for unknown interaction {request.match_info['id']}")
            raise _error(404, 10062, "Unknown interaction")
        elapsed = time.monotonic() - interaction.dispatched_at
        if elapsed > DEADLINE:
            self.fail(f"interaction {interaction.id} answered after {elapsed:.2f} s")
            raise _error(404, 10062, "Unknown interaction")
        if interaction.response_type is not None:
            raise _error(400, 40060, "Interaction has already been acknowledged.")
        body = request[BODY] or {}
        kind = int(body["type"])
        data = body.get("data") or {}
        channel = self.channels[interaction.channel_id]
        resource: dict[str, Any] = {"type": kind}
        if kind == 4:
            message = self._new_message(channel, BOT, data, request[FILES],
                                        interaction_id=interaction.id)
            interaction.original_id = message.id
            resource["message"] = self.message_payload(message)
        elif kind == 5:
            message = self._new_message(channel, BOT, {"flags": data.get("flags", 0)}, {},
                                        flags=LOADING, interaction_id=interaction.id)
            interaction.original_id = message.id
        elif kind in (6, 7):
            if interaction.message_id is None:
                raise _error(400, 40004, "Interaction has no message to update")
            interaction.original_id = interaction.message_id
            if kind == 7:
                message = self.messages[interaction.message_id]
                _apply(message, data, request[FILES], self)
                message.edits += 1
                resource["message"] = self.message_payload(message)
        elif kind == 8:
            interaction.choices = list(data.get("choices", []))
        elif kind == 9:
            interaction.modal = data
        else:
            raise _error(400, 50035, f"Invalid interaction response type {kind}")
        interaction.response_type = kind
        interaction.answered_at = time.monotonic()
        interaction.answered.set()
        original = self.messages.get(interaction.original_id or 0)
        return _json({
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                **({"response_message_id": str(original.id)} if original else {}),
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(original and original.ephemeral),
            },
            "resource": resource,
        })

    def _webhook_target(self, request: web.Request) -> tuple[FakeInteraction, FakeMessage]:
        interaction = self._interaction_by_token(request.match_info["token"])
        key = request.match_info["message"]
        message_id = interaction.original_id if key == "@original" else int(key)
        message = self.messages.get(message_id or 0)
        if message is None or message.deleted:
            raise _error(404, 10008, "Unknown Message")
        return interaction, message

    async def _followup(self, request: web.Request) -> web.Response:
        interaction = self._interaction_by_token(request.match_info["token"])
        if interaction.response_type is None:
            raise _error(404, 10015, "Unknown Webhook")
        channel = self.channels[interaction.channel_id]
        message = self._new_message(channel, BOT, request[BODY] or {}, request[FILES],
                                    interaction_id=interaction.id)
        interaction.followups.append(message.id)
        return _json(self.message_payload(message))

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        _, message = self._webhook_target(request)
        return _json(self.message_payload(message))

    async def _edit_webhook_message(self, request: web.Request) -> web.Response:
        _, message = self._webhook_target(request)
        _apply(message, request[BODY] or {}, request[FILES], self)
        message.flags &= ~LOADING
        message.edits += 1
        return _json(self.message_payload(message))

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        _, message = self._webhook_target(request)
        message.deleted = True
        return web.Response(status=204)

    async def _attachment(self, request: web.Request) -> web.Response:
        attachment_id = request.match_info["attachment"]
        data = self.uploads.get(attachment_id)
        if data is None:
            for message in self.messages.values():
                for item in message.attachments:
                    if item["id"] == attachment_id:
                        data = message.files.get(item["filename"])
        if data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=data, content_type="application/octet-stream")


def _content_rules(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Without MESSAGE_CONTENT, a guild message's text reaches the bot only if it is the bot's
    own or mentions the bot (Discord's rule)."""
    if session.intents & MESSAGE_CONTENT:
        return payload
    if payload["author"]["id"] == str(BOT.id) or f"<@{BOT.id}>" in payload["content"]:
        return payload
    return payload | {"content": "", "embeds": [], "attachments": [], "components": []}


def _apply(message: FakeMessage, body: dict[str, Any], files: dict[str, bytes],
           fake: FakeDiscord) -> None:
    """Create or edit from a JSON body (keys present replace; null clears)."""
    if "content" in body:
        message.content = body["content"] or ""
    if "embeds" in body:
        message.embeds = [e | {"type": "rich"} for e in body["embeds"] or []]
    if "components" in body:
        message.components = body["components"] or []
    if "allowed_mentions" in body:
        message.allowed_mentions = body["allowed_mentions"]
    if "attachments" in body or files:
        attachments = []
        for index, item in enumerate(body.get("attachments") or []):
            data = files.get(f"files[{item.get('id', index)}]")
            if data is None:  # an attachment kept from before
                attachments += [a for a in message.attachments if a["id"] == str(item.get("id"))]
                continue
            attachment_id = str(fake.snowflake())
            filename = item.get("filename", f"file{index}")
            message.files[filename] = data
            png = filename.endswith(".png")
            attachments.append({
                "id": attachment_id,
                "filename": filename,
                "description": item.get("description"),
                "content_type": "image/png" if png else "application/octet-stream",
                "size": len(data),
                "url": f"http://127.0.0.1:{fake.port}/attachments/{attachment_id}/{filename}",
                "proxy_url": f"http://127.0.0.1:{fake.port}/attachments/{attachment_id}/{filename}",
                "height": None,
                "width": None,
                "ephemeral": False,
                "flags": 0,
            })
        message.attachments = attachments


async def _read_body(request: web.Request) -> tuple[Any, dict[str, bytes]]:
    if not request.can_read_body:
        return None, {}
    kind = request.content_type
    if kind == "application/json":
        return await request.json(), {}
    if kind.startswith("multipart/"):
        body: Any = None
        files: dict[str, bytes] = {}
        reader = await request.multipart()
        async for part in reader:
            name = getattr(part, "name", None) or ""
            raw = await part.read()  # type: ignore[union-attr]
            if name == "payload_json":
                body = json.loads(raw)
            else:
                files[name] = bytes(raw)
        return body, files
    return await request.text(), {}


def _json(data: Any, status: int = 200) -> web.Response:
    # Exactly `application/json`: with `; charset=utf-8` discord.py reads the body as text.
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json"})


class Refusal(Exception):
    """A Discord error answer (status, JSON error code) raised by a handler."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(status: int, code: int, message: str) -> Refusal:
    return Refusal(status, code, message)


def _fault_response(fault: Fault) -> web.Response:
    if fault.status == 429:
        return web.Response(
            status=429,
            body=json.dumps({"message": "You are being rate limited.",
                             "retry_after": fault.retry_after, "global": False}).encode(),
            headers={"Content-Type": "application/json", "Via": "1.1 google",
                     "Retry-After": str(max(1, round(fault.retry_after)))},
        )
    return _json({"message": "upstream connect error", "code": 0}, fault.status)
