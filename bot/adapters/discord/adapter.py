"""The Discord adapter's lifecycle: intents, shards, connecting, and routing inbound events.

Intents, each for a reason (nothing privileged unless DISCORD_MESSAGE_CONTENT is on):
- guilds: channels and threads in the cache, so a thread message knows its parent channel;
- guild_messages: messages in threads (answers written there);
- dm_messages: direct messages (their text always arrives, without the content intent);
- guild_reactions: reactions on the bot's posts;
- message_content (privileged, only by flag): the text of thread messages. Without it thread
  messages arrive empty and members answer through the Answer button and forms.
Member chunking is off and no member or message cache is kept: the bot needs no member lists.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import discord
from discord.http import Route

from bot.adapters.discord.client import StudyBotClient
from bot.adapters.discord.commands import build_commands
from bot.adapters.discord.inbound import (
    action_event,
    command_event,
    form_event,
    message_delivery,
    message_event,
    reaction_delivery,
    reaction_event,
)
from bot.adapters.discord.outbound import DiscordPort
from bot.adapters.discord.pacing import Pacer, RateLimiter, RetryPolicy
from bot.adapters.discord.respond import Deliveries, Responder
from bot.adapters.discord.sync import sync_commands
from bot.adapters.discord.uploads import with_upload
from bot.config import Settings
from bot.core.dispatch import Dispatcher
from bot.core.errors import ConfigError
from bot.core.events import MessagePosted, ReactionAdded
from bot.core.ids import Platform, WorkspaceRef
from bot.core.ports import ChannelGone, ChatPort
from commands.spec import CommandSpec

log = logging.getLogger(__name__)

PORTAL_HINT = (
    "Discord refused the privileged Message Content intent (gateway close code 4014). "
    "Either enable it: Discord Developer Portal -> Applications -> your bot -> Bot -> "
    "Privileged Gateway Intents -> MESSAGE CONTENT INTENT -> Save Changes, then start again; "
    "or set DISCORD_MESSAGE_CONTENT=false (members then answer through the Answer button)."
)
TOKEN_HINT = (
    "Discord refused DISCORD_TOKEN (401). Copy it again from Discord Developer Portal -> "
    "Applications -> your bot -> Bot -> Reset Token."
)
CONTENT_OFF = (
    "message content intent is off (DISCORD_MESSAGE_CONTENT=false): answers written as thread "
    "messages are not read; members answer through the Answer button and forms"
)


@dataclass(frozen=True)
class DiscordTuning:
    """Timings and limits; the defaults are for production, tests shorten some."""

    defer_after: float = 2.0
    guild_ready_timeout: float = 2.0
    start_timeout: float = 180.0
    identify_pause: float = 5.0  # between shards' IDENTIFYs (Discord: 1 per 5 s by default)
    requests_per_second: float = 45.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def intents_for(settings: Settings) -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.guild_reactions = True
    intents.message_content = settings.discord_message_content
    return intents


class DiscordAdapter:
    """Connects the dispatcher to Discord; `port` is the chat port for everything else."""

    platform = Platform.DISCORD

    def __init__(
        self, dispatcher: Dispatcher, settings: Settings, *, tuning: DiscordTuning | None = None
    ) -> None:
        self.dispatcher = dispatcher
        self.settings = settings
        self.tuning = tuning or DiscordTuning()
        self.client = StudyBotClient(
            self,
            intents=intents_for(settings),
            shard_count=settings.discord_shard_count,
            shard_ids=settings.discord_shard_ids,
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            max_messages=None,
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=self.tuning.guild_ready_timeout,
        )
        for command in build_commands(
            dispatcher.services.registry, self.on_command, self.suggest
        ):
            self.client.tree.add_command(command)
        pacer = Pacer(RateLimiter(self.tuning.requests_per_second), self.tuning.retry)
        posts = dispatcher.metrics.posts.labels(self.platform.value)
        self.discord_port = DiscordPort(self.client, pacer, posted=posts.inc)
        self.port: ChatPort = self.discord_port
        self.deliveries = Deliveries()
        self.responder = Responder(dispatcher, self.deliveries, self.tuning.defer_after)
        self.synced: int | None = None
        self._ready = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        return self.client.is_ready() and not self.client.is_closed()

    async def start(self) -> None:
        """Log in, sync commands if they changed, connect every shard; return once ready.

        Raises ConfigError (the CLI exits 2) for a refused token or a refused intent."""
        token = self.settings.discord_token
        if not token:
            raise ConfigError("DISCORD_TOKEN is not set")
        if self.settings.discord_api_base:
            # discord.py has no base-URL option; REST, interaction callbacks and follow-ups
            # all build their URLs from this class attribute.
            Route.BASE = self.settings.discord_api_base.rstrip("/")
        if not self.settings.discord_message_content:
            log.info(CONTENT_OFF)
        self._runner = asyncio.create_task(self.client.start(token), name="discord-client")
        ready = asyncio.create_task(self._ready.wait())
        done, _ = await asyncio.wait(
            {self._runner, ready},
            timeout=self.tuning.start_timeout,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if self._runner in done:
            ready.cancel()
            await self._failed_start(self._runner)
        if not done:
            ready.cancel()
            await self.stop()
            raise ConfigError(
                f"Discord was not ready after {self.tuning.start_timeout:.0f}s; check the "
                "network and DISCORD_API_BASE"
            )
        self._runner.add_done_callback(self._runner_ended)

    async def _failed_start(self, runner: asyncio.Task[None]) -> None:
        error = runner.exception()
        with contextlib.suppress(Exception):
            await self.client.close()
        if isinstance(error, discord.PrivilegedIntentsRequired):
            log.error(PORTAL_HINT)
            raise ConfigError(PORTAL_HINT) from error
        if isinstance(error, discord.LoginFailure):
            log.error(TOKEN_HINT)
            raise ConfigError(TOKEN_HINT) from error
        if error is not None:
            raise error
        raise ConfigError("the Discord client stopped while starting")

    def _runner_ended(self, runner: asyncio.Task[None]) -> None:
        if runner.cancelled() or (self.client.is_closed() and runner.exception() is None):
            return
        error = runner.exception()
        if isinstance(error, discord.PrivilegedIntentsRequired):
            log.critical(PORTAL_HINT)
        else:
            log.critical("the Discord connection ended: %r", error)

    async def stop(self) -> None:
        """Finish the interactions in flight, then close every shard and the HTTP session."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.deliveries.idle(), 10)
        await self.client.close()
        if self._runner is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self._runner, 10)

    # --- client hooks -------------------------------------------------------------------

    async def on_setup(self) -> None:
        """After login, before the gateway: sync the commands if the declared set changed."""
        try:
            self.synced = await sync_commands(
                self.client.tree, self.dispatcher.services, self.settings.discord_dev_guild
            )
        except discord.HTTPException as exc:
            # Not fatal: the commands Discord already has keep working; next start retries.
            log.error("discord command sync failed: %s %s", exc.status, exc.text)

    def on_ready(self) -> None:
        shards = sorted(self.client.shards)
        log.info(
            "discord ready as %s on shard(s) %s of %s, %d guild(s)",
            self.client.user, shards, self.client.shard_count, len(self.client.guilds),
        )
        self._ready.set()

    async def on_command(
        self,
        interaction: discord.Interaction,
        spec: CommandSpec,
        args: dict[str, Any],
        upload: discord.Attachment | None = None,
    ) -> None:
        event = command_event(interaction, spec.name, args)
        if upload is None:
            await self.responder.answer(
                interaction, event, public=spec.public, opens_form=spec.opens_form
            )
            return
        # With a file the handler answers without a form, so the interaction may be deferred
        # while the file downloads.
        await self.responder.answer(
            interaction, event, public=spec.public, prepare=lambda: with_upload(event, upload)
        )

    async def on_action(self, interaction: discord.Interaction, action_id: str) -> None:
        action = self.dispatcher.services.registry.actions.get(action_id.split(":", 1)[0])
        event = action_event(interaction, action_id)
        await self.responder.answer(
            interaction, event, opens_form=action is not None and action.opens_form
        )

    async def on_form(self, interaction: discord.Interaction) -> None:
        event = form_event(interaction)
        if event is not None:
            await self.responder.answer(interaction, event)

    async def suggest(
        self, interaction: discord.Interaction, source: str, prefix: str
    ) -> list[str]:
        workspace = (
            WorkspaceRef(Platform.DISCORD, str(interaction.guild_id))
            if interaction.guild_id
            else None
        )
        return await self.dispatcher.suggest(source, prefix, workspace)

    async def on_message(self, message: discord.Message) -> None:
        me = self.client.user.id if self.client.user else None
        self.deliveries.begin()
        try:
            event = message_event(message, me)
            if event is not None:
                await self._handle_outside(event)
        finally:
            self.deliveries.finish(message_delivery(message.id))

    async def on_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        me = self.client.user.id if self.client.user else None
        channel = self.client.get_channel(payload.channel_id)
        self.deliveries.begin()
        try:
            event = reaction_event(payload, channel, me)
            if event is not None:
                await self._handle_outside(event)
        finally:
            self.deliveries.finish(reaction_delivery(payload))

    async def _handle_outside(self, event: MessagePosted | ReactionAdded) -> None:
        """A message or reaction has no interaction to answer: a reply goes where it came
        from (public) or by DM (private)."""
        reply = await self.dispatcher.handle(event)
        if reply is None or reply.message is None:
            if reply is not None and reply.form is not None:
                log.warning("form %s cannot open without an interaction", reply.form.form_id)
            return
        ref = event.message
        try:
            if reply.private:
                if event.channel is not None:
                    await self.port.send_private(event.channel, event.actor, reply.message)
            elif ref is not None:
                await self.port.post(ref.channel, reply.message, thread=ref.thread)
        except (ChannelGone, discord.HTTPException) as exc:
            log.warning("reply to %s not sent: %s", event.delivery_id, exc)
