"""Drive the whole bot on Discord as guild members would, through the fake Discord.

    async with discord_bot(sqlite_url, clock) as driver:
        answer = await driver.slash("me timezone", zone="Europe/Berlin", user=ALICE)
        assert answer.ephemeral and "Europe/Berlin" in answer.text
        answer = await driver.press(post, "Answer", user=BOB)
        done = await driver.submit_form(answer, {"answer": "…"}, user=BOB)
        await driver.say(thread_id, "my answer", user=BOB)
        driver.sent  # every message the bot sent, oldest first

The real discord.py client runs against the fake (REST and gateway); interactions are built
from the commands the adapter synced to the fake, as Discord builds them. Every wait is on an
event (the adapter's finished deliveries, the fake's answers), bounded to 5 s.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.discord.adapter import DiscordAdapter, DiscordTuning
from bot.adapters.discord.pacing import RetryPolicy
from bot.app import App, build
from bot.clock import FakeClock
from bot.config import Settings
from bot.core.context import Services
from bot.core.dispatch import Dispatcher
from bot.packs.library import PackLibrary
from bot.packs.loader import load_bundled
from bot.store.db import Store
from commands import all_features
from commands.spec import Feature, Registry
from scheduler.runner import Scheduler
from tests.fakes.discord_rest import (
    ALICE,
    BOT,
    GUILD_ID,
    STUDY_ID,
    FakeDiscord,
    FakeInteraction,
    FakeMessage,
    FakeUser,
)

WAIT = 5.0
TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token-for-tests-only"
TEST_TUNING = DiscordTuning(
    defer_after=2.0,
    guild_ready_timeout=0.05,
    start_timeout=10.0,
    identify_pause=0.0,
    retry=RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, timeout=5.0),
)
OPTION_TYPES = {3: str, 4: int, 10: float, 5: bool}


@dataclass
class Answer:
    """How the bot answered one interaction (read from the fake's state)."""

    interaction: FakeInteraction
    fake: FakeDiscord

    @property
    def kind(self) -> int | None:
        return self.interaction.response_type

    @property
    def deferred(self) -> bool:
        return self.kind in (5, 6)

    @property
    def modal(self) -> dict[str, Any] | None:
        return self.interaction.modal

    @property
    def messages(self) -> list[FakeMessage]:
        """The visible reply messages: the original response (if kept) and follow-ups."""
        ids = [self.interaction.original_id, *self.interaction.followups]
        found = [self.fake.messages[i] for i in ids if i is not None and i in self.fake.messages]
        return [m for m in found if not m.deleted and (
            m.interaction_id == self.interaction.id or self.kind in (6, 7)
        )]

    @property
    def message(self) -> FakeMessage:
        """The one message that answers (a new one, or the edited one for a button)."""
        shown = self.messages
        if self.kind in (6, 7) and len(shown) > 1:
            shown = shown[1:] if shown[0].id == self.interaction.message_id else shown
        if not shown:
            raise AssertionError(f"interaction answered without a message (type {self.kind})")
        return shown[-1]

    @property
    def text(self) -> str:
        return self.message.text

    @property
    def ephemeral(self) -> bool:
        return self.message.ephemeral


class DiscordDriver:
    """Plays members on the fake Discord; `sent` is what the bot sent."""

    def __init__(self, fake: FakeDiscord, adapter: DiscordAdapter, app: App) -> None:
        self.fake = fake
        self.adapter = adapter
        self.app = app

    @property
    def dispatcher(self) -> Dispatcher:
        return self.adapter.dispatcher

    @property
    def sent(self) -> list[FakeMessage]:
        return self.fake.sent_by_bot()

    def outcomes(self, outcome: str, kind: str | None = None) -> int:
        """How many Discord events the dispatcher counted with `outcome` (ok, duplicate, …)."""
        total = 0
        for metric in self.dispatcher.metrics.registry.collect():
            for sample in metric.samples:
                labels = sample.labels
                if (sample.name == "studybot_events_total" and labels["platform"] == "discord"
                        and labels["outcome"] == outcome and kind in (None, labels["kind"])):
                    total += int(sample.value)
        return total

    async def settle(self) -> None:
        """Wait for after-commit work (sends the core does after a transaction)."""
        await self.dispatcher.drain()

    # --- slash commands ---------------------------------------------------------------------

    def _command_data(self, command: str, options: dict[str, Any]) -> dict[str, Any]:
        """The interaction `data` Discord would send for `/command` with `options`."""
        words = command.strip().lstrip("/").split()
        commands = self.fake.commands.get(GUILD_ID) or self.fake.commands.get(None) or []
        root = next((c for c in commands if c["name"] == words[0]), None)
        if root is None:
            raise AssertionError(f"/{words[0]} was not synced to the fake: {commands}")
        data: dict[str, Any] = {"id": root["id"], "name": root["name"], "type": 1}
        if "guild_id" in root:
            data["guild_id"] = root["guild_id"]
        node, holder = root, data
        registry = self.dispatcher.services.registry
        for depth in range(1, 4):
            subs = [o for o in node.get("options", []) if o["type"] in (1, 2)]
            if not subs:
                break
            if depth < len(words):
                word = words[depth]
            else:
                word = registry.commands[" ".join(words)].group_default
            sub = next((o for o in subs if o["name"] == word), None)
            if sub is None:
                raise AssertionError(f"no subcommand {word!r} under /{' '.join(words[:depth])}")
            entry: dict[str, Any] = {"type": sub["type"], "name": word, "options": []}
            holder.setdefault("options", []).append(entry)
            node, holder = sub, entry
        values, resolved = self._values(node, options)
        holder.setdefault("options", []).extend(values)
        if resolved:
            data["resolved"] = resolved
        return data

    def _values(
        self, node: dict[str, Any], options: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        declared = {o["name"]: o for o in node.get("options", [])}
        values: list[dict[str, Any]] = []
        resolved: dict[str, Any] = {}
        for name, value in options.items():
            if name not in declared:
                raise AssertionError(f"Discord would not offer option {name!r}: {list(declared)}")
            kind = declared[name]["type"]
            if kind == 11:
                # An attachment: Discord uploads the file first and sends its id, resolved.
                filename, data = value
                attachment = self.fake.attach(filename, data)
                resolved.setdefault("attachments", {})[attachment["id"]] = attachment
                value = attachment["id"]
            elif kind == 6:
                user = value if isinstance(value, FakeUser) else None
                assert user is not None, "pass a FakeUser for a user option"
                from tests.fakes.discord_rest import member_payload, user_payload

                resolved.setdefault("users", {})[str(user.id)] = user_payload(user)
                member = member_payload(user, with_user=False, permissions=True)
                resolved.setdefault("members", {})[str(user.id)] = member
                value = str(user.id)
            values.append({"type": kind, "name": name, "value": value})
        return values, resolved

    async def slash(
        self,
        command: str,
        *,
        user: FakeUser = ALICE,
        channel: int = STUDY_ID,
        **options: Any,
    ) -> Answer:
        """Run `/command` with `options` as `user` in `channel` (a channel or thread id).

        An attachment option takes `(filename, bytes)`: `slash("pack import", file=(n, b))`."""
        return await self.answer_of(
            await self.begin_slash(command, user=user, channel=channel, **options)
        )

    async def begin_slash(
        self, command: str, *, user: FakeUser = ALICE, channel: int = STUDY_ID, **options: Any
    ) -> FakeInteraction:
        """Only send the interaction (to watch a slow answer); then `answer_of` it."""
        return await self.fake.interact(2, self._command_data(command, options), user, channel)

    async def answer_of(self, interaction: FakeInteraction) -> Answer:
        return await self._answered(interaction)

    async def autocomplete(
        self, command: str, option: str, typed: str, *, user: FakeUser = ALICE
    ) -> list[str]:
        data = self._command_data(command, {option: typed})
        for entry in _leaf_options(data):
            if entry["name"] == option:
                entry["focused"] = True
        interaction = await self.fake.interact(4, data, user, STUDY_ID)
        await asyncio.wait_for(interaction.answered.wait(), WAIT)
        return [str(c["value"]) for c in interaction.choices or []]

    # --- components and forms ---------------------------------------------------------------

    async def press(self, message: FakeMessage | Answer, label: str, *,
                    user: FakeUser = ALICE) -> Answer:
        target = message.message if isinstance(message, Answer) else message
        button = target.button(label)
        data = {"custom_id": button["custom_id"], "component_type": 2}
        interaction = await self.fake.interact(3, data, user, target.channel_id, target.id)
        return await self._answered(interaction)

    async def choose(self, message: FakeMessage | Answer, *labels: str,
                     user: FakeUser = ALICE) -> Answer:
        target = message.message if isinstance(message, Answer) else message
        select = target.select()
        by_label = {o["label"]: o["value"] for o in select["options"]}
        values = [by_label[label] for label in labels]
        data = {"custom_id": select["custom_id"], "component_type": 3, "values": values}
        interaction = await self.fake.interact(3, data, user, target.channel_id, target.id)
        return await self._answered(interaction)

    async def submit_form(self, opened: Answer, values: dict[str, str], *,
                          user: FakeUser | None = None) -> Answer:
        """Fill in the modal that `opened` showed and submit it (as Discord sends it)."""
        modal = opened.modal
        assert modal is not None, "that interaction opened no form"
        inputs = [c for row in modal["components"] for c in _inputs(row)]
        known = {c["custom_id"] for c in inputs}
        unknown = set(values) - known
        assert not unknown, f"the form has no fields {unknown}; it has {known}"
        rows = [
            {"type": 1, "components": [
                {"type": 4, "custom_id": c["custom_id"], "value": values.get(c["custom_id"], "")}
            ]}
            for c in inputs
        ]
        data = {"custom_id": modal["custom_id"], "components": rows}
        origin = opened.interaction
        interaction = await self.fake.interact(
            5, data, user or origin.user, origin.channel_id, origin.message_id
        )
        return await self._answered(interaction)

    async def _answered(self, interaction: FakeInteraction) -> Answer:
        delivery = f"discord:interaction:{interaction.id}"
        await asyncio.wait_for(self.adapter.deliveries.wait(delivery), WAIT)
        return Answer(interaction, self.fake)

    # --- messages and reactions -------------------------------------------------------------

    async def say(self, channel: int, text: str, *, user: FakeUser = ALICE) -> FakeMessage:
        """`user` writes `text` in a channel or thread; returns once the bot has handled it."""
        message = await self.fake.user_says(user, channel, text)
        await self.delivered(f"discord:message:{message.id}")
        return message

    async def dm(self, text: str, *, user: FakeUser = ALICE) -> FakeMessage:
        """`user` writes to the bot in a direct message."""
        channel = self.fake.dm_channel(user)
        return await self.say(channel.id, text, user=user)

    async def react(self, message: FakeMessage, emoji: str, *,
                    user: FakeUser = ALICE) -> None:
        await self.fake.user_reacts(user, message, emoji)
        from bot.adapters.discord.render import emoji_name

        name = emoji_name(discord.PartialEmoji(name=emoji))
        await self.delivered(f"discord:reaction:{message.id}:{user.id}:{name}")

    async def delivered(self, delivery_id: str, times: int = 1) -> None:
        """Until the adapter has finished `delivery_id` (`times` times, for redeliveries)."""
        await asyncio.wait_for(self.adapter.deliveries.wait(delivery_id, times), WAIT)


def _leaf_options(data: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for entry in data.get("options", []):
        if entry.get("type") in (1, 2):
            yield from _leaf_options(entry)
        else:
            yield entry


def _inputs(row: dict[str, Any]) -> list[dict[str, Any]]:
    if row.get("type") == 18:
        return [row["component"]]
    return [c for c in row.get("components", []) if c.get("type") == 4]


def build_app(settings: Settings, clock: FakeClock, extra: list[Feature] | None = None) -> App:
    """The app as bot/app.py builds it, with test-only features added to the registry."""
    if not extra:
        return build(settings, clock)
    services = Services(
        store=Store(settings.db_url),
        clock=clock,
        registry=Registry([*all_features(), *extra]),
        packs=PackLibrary(bundled=load_bundled(settings.extra_pack_dirs)),
        settings=settings,
    )
    return App(services=services, dispatcher=Dispatcher(services), scheduler=Scheduler(services))


@asynccontextmanager
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """The fake, with discord.py pointed at it; the URLs are restored afterwards."""
    fake = await FakeDiscord().start()
    saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.ws_url)
    try:
        yield fake
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved
        await fake.close()


def discord_settings(db_url: str, fake: FakeDiscord, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "discord_token": TOKEN,
        "discord_api_base": fake.rest_base,
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def discord_bot(
    db_url: str,
    clock: FakeClock,
    *,
    features: list[Feature] | None = None,
    tuning: DiscordTuning = TEST_TUNING,
    fake: FakeDiscord | None = None,
    **overrides: Any,
) -> AsyncIterator[DiscordDriver]:
    """The whole bot connected to a fake Discord; fails the test on any fake failure."""
    async with _maybe_fake(fake) as server:
        settings = discord_settings(db_url, server, **overrides)
        app = build_app(settings, clock, features)
        await app.prepare()
        adapter = DiscordAdapter(app.dispatcher, settings, tuning=tuning)
        app.attach(adapter)
        await app.start(schedule=False)
        try:
            yield DiscordDriver(server, adapter, app)
        finally:
            await app.stop()
        unanswered = [i.id for i in server.interactions.values() if i.answered_at is None]
        assert not unanswered, f"interactions never answered: {unanswered}"
        assert not server.failures, server.failures


@asynccontextmanager
async def _maybe_fake(fake: FakeDiscord | None) -> AsyncIterator[FakeDiscord]:
    if fake is not None:
        yield fake
        return
    async with fake_discord() as server:
        yield server


__all__ = ["BOT", "Answer", "DiscordDriver", "discord_bot", "fake_discord"]
