"""The one persistent component: a DynamicItem that answers every button and select we send.

Its template matches `sb:<action id>` custom ids (render.ACTION_TEMPLATE), so a press on a
message posted weeks ago, before any number of restarts, still reaches the declared action.
Nothing is stored per message.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

import discord

from bot.adapters.discord.render import ACTION_TEMPLATE

if TYPE_CHECKING:
    from typing import Self


class ActionHandler(Protocol):
    """What the client offers the component (implemented by StudyBotClient)."""

    async def on_component_action(self, interaction: discord.Interaction, action_id: str) -> None:
        ...


class ActionItem(discord.ui.DynamicItem[discord.ui.Item[Any]], template=ACTION_TEMPLATE):
    """Wraps whichever button or select was pressed; `action_id` comes from its custom id."""

    def __init__(self, item: discord.ui.Item[Any], action_id: str) -> None:
        super().__init__(item)
        self.action_id = action_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(item, match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        client: Any = interaction.client
        handler: ActionHandler = client
        await handler.on_component_action(interaction, self.action_id)
