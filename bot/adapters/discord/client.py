"""The discord.py client: wires gateway events to the adapter; holds no business logic."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.adapters.discord.components import ActionItem

if TYPE_CHECKING:
    from bot.adapters.discord.adapter import DiscordAdapter

log = logging.getLogger(__name__)

APOLOGY = "Sorry, that did not work; please try again in a moment."
STALE = "This command changed since Discord last heard of it; please try again in a minute."


class StudyBotTree(app_commands.CommandTree["StudyBotClient"]):
    """One error hook for every app command: a polite private answer, the details in the log."""

    async def on_error(
        self, interaction: discord.Interaction[StudyBotClient], error: app_commands.AppCommandError
    ) -> None:
        stale = isinstance(
            error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch
        )
        if stale:
            log.warning("app command out of date: %s (run `studybot discord sync`)", error)
        elif isinstance(error, app_commands.TransformerError):
            log.info("option value refused: %s", error)
        else:
            log.error("app command failed: %s", error, exc_info=error)
        text = STALE if stale else APOLOGY
        if isinstance(error, app_commands.TransformerError):
            text = f"I could not read `{error.value}` for that option; please pick it again."
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException as exc:
            log.warning("could not report the error: %s", exc)


class StudyBotClient(discord.AutoShardedClient):
    """An auto-sharded client whose events go to the adapter."""

    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        super().__init__(**options)
        self.adapter = adapter
        self.tree = StudyBotTree(self)

    async def setup_hook(self) -> None:
        # The persistent component: presses on any message we ever sent reach the adapter.
        self.add_dynamic_items(ActionItem)
        await self.adapter.on_setup()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py's own pause, made tunable: IDENTIFYs are limited by max_concurrency.
        if not initial:
            await asyncio.sleep(self.adapter.tuning.identify_pause)

    async def on_ready(self) -> None:
        self.adapter.on_ready()

    async def on_resumed(self) -> None:
        log.info("discord gateway session resumed")

    async def on_message(self, message: discord.Message) -> None:
        await self.adapter.on_message(message)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self.adapter.on_reaction(payload)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        # Commands go through the tree and components through ActionItem; modal submissions
        # come here, whether or not this process opened the modal.
        if interaction.type is discord.InteractionType.modal_submit:
            await self.adapter.on_form(interaction)

    async def on_component_action(self, interaction: discord.Interaction, action_id: str) -> None:
        await self.adapter.on_action(interaction, action_id)
