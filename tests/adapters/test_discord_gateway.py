"""The gateway side: thread messages, DMs, reactions, RESUME, intents, 4014, shards."""

from __future__ import annotations

import ast
import logging
from functools import cache
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.clock import FakeClock
from bot.core.context import Context
from bot.core.errors import ConfigError
from bot.core.events import MessagePosted, ReactionAdded
from bot.core.ui import Message, Reply
from commands.spec import Feature, ListenerSpec
from tests.adapters.discord_driver import discord_bot, fake_discord
from tests.fakes.discord_gateway import MESSAGE_CONTENT
from tests.fakes.discord_rest import (
    ALICE,
    BOB,
    BOT,
    GUILD_ID,
    OTHER_GUILD_ID,
    STUDY_ID,
    FakeChannel,
    FakeDiscord,
    FakeInteraction,
    FakeMessage,
    channel_payload,
    member_payload,
    user_payload,
)

SEEN: list[MessagePosted | ReactionAdded] = []


async def listen(ctx: Context) -> Reply | None:
    event = ctx.event
    assert isinstance(event, MessagePosted | ReactionAdded)
    SEEN.append(event)
    if isinstance(event, MessagePosted) and event.text.startswith("echo "):
        return Reply.public(Message(text=event.text.removeprefix("echo ")))
    if isinstance(event, MessagePosted) and event.text.startswith("secret"):
        return Reply.private_text("Only you see this.")
    return None


EARS = Feature(name="Ears (test)", listeners=[ListenerSpec("ears", listen)])


@pytest.fixture(autouse=True)
def _forget() -> None:
    SEEN.clear()


async def open_thread(driver: Any) -> int:
    port = driver.adapter.discord_port
    from tests.adapters.test_discord_port import STUDY

    post = await port.post(STUDY, Message(text="Question"))
    thread = await port.open_thread(post, "Answers")
    return int(thread.id)


async def test_thread_messages_dms_and_reactions_become_events(sqlite_url: str,
                                                               clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock, features=[EARS],
                           discord_message_content=True) as driver:
        thread_id = await open_thread(driver)
        said = await driver.say(thread_id, "echo Regularisation shrinks weights.", user=ALICE)
        event = SEEN[-1]
        assert isinstance(event, MessagePosted) and not event.is_direct
        assert event.channel is not None and event.channel.id == str(STUDY_ID)
        assert event.message is not None and event.message.thread is not None
        assert event.message.thread.id == str(thread_id) and event.message.id == str(said.id)
        assert event.actor.id == str(ALICE.id) and event.actor.name == "Alice"
        echoed = driver.sent[-1]
        assert echoed.channel_id == thread_id
        assert echoed.content == "Regularisation shrinks weights."

        await driver.dm("secret plan", user=BOB)
        event = SEEN[-1]
        assert isinstance(event, MessagePosted) and event.is_direct
        assert event.actor.workspace.id == "dm"
        assert driver.sent[-1].content == "Only you see this."
        assert driver.sent[-1].channel_id == driver.fake.dm_channel(BOB).id

        await driver.react(said, "✅", user=BOB)
        reaction = SEEN[-1]
        assert isinstance(reaction, ReactionAdded) and reaction.emoji == "white_check_mark"
        assert reaction.message is not None and reaction.message.thread is not None

        # Channel chatter, the bot's own messages and its own reactions are not events.
        count = len(SEEN)
        await driver.say(STUDY_ID, "just chatting", user=ALICE)
        await driver.adapter.port.react(reaction.message, "fire")
        await driver.delivered(f"discord:reaction:{said.id}:{BOT.id}:fire")
        assert len(SEEN) == count


async def test_a_redelivered_message_counts_once(sqlite_url: str, clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock, features=[EARS],
                           discord_message_content=True) as driver:
        said = await driver.dm("hello", user=ALICE)
        calls = len(driver.fake.calls)
        await driver.fake.redeliver_message(said)
        await driver.delivered(f"discord:message:{said.id}", times=2)
        await driver.say(driver.fake.dm_channel(ALICE).id, "second", user=ALICE)
        assert [e.text for e in SEEN if isinstance(e, MessagePosted)] == ["hello", "second"]
        assert driver.outcomes("duplicate", "MessagePosted") == 1
        assert len(driver.fake.calls) == calls  # nothing sent for any of them


async def test_resume_replays_the_events_missed_while_disconnected(
    sqlite_url: str, clock: FakeClock
) -> None:
    async with discord_bot(sqlite_url, clock, features=[EARS],
                           discord_message_content=True) as driver:
        gateway = driver.fake.gateway
        await gateway.drop(code=4000)
        missed = await driver.fake.user_says(BOB, driver.fake.dm_channel(BOB).id, "while away")
        await driver.delivered(f"discord:message:{missed.id}")
        assert gateway.resumes and gateway.resumes[-1]["session_id"] == "session-1"
        assert gateway.paths[-1] == "/resume"  # discord.py used resume_gateway_url
        assert len(gateway.identifies) == 1 and gateway.replayed >= 1
        assert [e.text for e in SEEN] == ["while away"]
        answer = await driver.slash("help")
        assert "StudyBot commands" in answer.text


async def test_without_the_content_intent_thread_text_is_not_read(
    sqlite_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, "bot.adapters.discord.adapter"):
        async with discord_bot(sqlite_url, clock, features=[EARS]) as driver:
            thread_id = await open_thread(driver)
            await driver.say(thread_id, "an answer nobody can read", user=ALICE)
            await driver.dm("DMs still arrive", user=ALICE)
            assert [e.text for e in SEEN] == ["DMs still arrive"]
            intents = driver.fake.gateway.identifies[0]["intents"]
            assert not intents & MESSAGE_CONTENT
    assert "message content intent is off" in caplog.text


async def test_a_refused_content_intent_says_what_to_enable(
    sqlite_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    async with fake_discord() as fake:
        fake.gateway.refuse_intents = MESSAGE_CONTENT
        with pytest.raises(ConfigError, match="MESSAGE CONTENT INTENT"):
            async with discord_bot(sqlite_url, clock, fake=fake, discord_message_content=True):
                pass
        assert fake.gateway.closed_with == [4014]
    assert "Privileged Gateway Intents -> MESSAGE CONTENT INTENT" in caplog.text


async def test_shards_split_the_guilds(sqlite_url: str, clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock, discord_shard_count=2,
                           discord_shard_ids=[0, 1]) as driver:
        shards = sorted(tuple(i["shard"]) for i in driver.fake.gateway.identifies)
        assert shards == [(0, 2), (1, 2)]
        client = driver.adapter.client
        assert {g.id: g.shard_id for g in client.guilds} == {GUILD_ID: 0, OTHER_GUILD_ID: 1}
        assert not driver.fake.requests("GET", "/gateway/bot$")  # fixed count: no lookup
        answer = await driver.slash("help")
        assert answer.kind == 4


async def test_one_process_of_a_split_deployment(sqlite_url: str, clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock, discord_shard_count=2,
                           discord_shard_ids=[1]) as driver:
        assert [g.id for g in driver.adapter.client.guilds] == [OTHER_GUILD_ID]
        # REST reaches any channel, cached or not.
        from tests.adapters.test_discord_port import STUDY

        ref = await driver.adapter.port.post(STUDY, Message(text="from shard 1"))
        assert driver.fake.messages[int(ref.id)].channel_id == STUDY_ID


TYPES = Path(discord.__file__).parent / "types"


@cache
def _module(name: str) -> tuple[dict[str, ast.ClassDef], dict[str, str]]:
    """Classes of discord/types/<name>.py and where its imported names come from.

    Read as source: those modules import each other in a circle and cannot all be imported."""
    tree = ast.parse((TYPES / f"{name}.py").read_text(encoding="utf-8"))
    classes = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    imported = {
        alias.asname or alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        for alias in node.names
    }
    return classes, imported


def required_keys(module: str, name: str) -> set[str]:
    """The keys a TypedDict `module.name` requires, bases included (NotRequired, total=False)."""
    classes, imported = _module(module)
    if name not in classes:
        return required_keys(imported[name], name) if name in imported else set()
    node = classes[name]
    keys: set[str] = set()
    for base in node.bases:
        if isinstance(base, ast.Name) and base.id not in ("TypedDict", "Generic"):
            keys |= required_keys(module, base.id)
    total = not any(k.arg == "total" and isinstance(k.value, ast.Constant) and
                    k.value.value is False for k in node.keywords)
    for item in node.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            text = ast.unparse(item.annotation)
            optional = text.startswith("NotRequired") or (
                not total and not text.startswith("Required"))
            (keys.discard if optional else keys.add)(item.target.id)
    return keys


def missing_keys(payload: dict[str, Any], module: str, name: str) -> list[str]:
    return sorted(required_keys(module, name) - set(payload))


async def test_the_fake_sends_complete_payloads() -> None:
    fake = FakeDiscord()
    thread = FakeChannel(5, 11, "t", GUILD_ID, STUDY_ID, BOT.id)
    dm = FakeChannel(6, 1, "", None, recipient=ALICE)
    message = FakeMessage(7, STUDY_ID, GUILD_ID, ALICE, content="hi")
    fake.messages[7] = message
    interaction = FakeInteraction(8, "t", 3, {"custom_id": "x", "component_type": 2}, ALICE,
                                  GUILD_ID, STUDY_ID, 7, 0.0)
    ready, guilds = fake._ready_payloads(0, 1, "s")
    checks = [
        (user_payload(ALICE), "user", "User"),
        (member_payload(ALICE), "member", "MemberWithUser"),
        (channel_payload(fake.channels[STUDY_ID]), "channel", "TextChannel"),
        (channel_payload(thread), "channel", "ThreadChannel"),
        (channel_payload(thread), "threads", "Thread"),
        (channel_payload(dm), "channel", "DMChannel"),
        (fake.message_payload(message), "message", "Message"),
        (fake.interaction_payload(interaction), "interactions", "MessageComponentInteraction"),
        (fake.attach("pack.yaml", b"pack: {}\n"), "message", "Attachment"),
        (ready, "gateway", "ReadyEvent"),
        (guilds[0], "guild", "Guild"),
    ]
    assert required_keys("guild", "Guild") >= {"id", "roles", "owner_id", "features"}
    problems = {name: missing_keys(p, module, name) for p, module, name in checks}
    assert all(not keys for keys in problems.values()), problems


async def test_the_fake_refuses_unknown_routes() -> None:
    async with fake_discord() as fake:
        import aiohttp

        async with aiohttp.ClientSession() as session:
            async with session.get(fake.rest_base + "/guilds/1/audit-logs") as response:
                assert response.status == 501
                assert response.headers["Content-Type"] == "application/json"
        assert fake.failures == ["unknown route GET /api/v10/guilds/1/audit-logs"]
        fake.failures.clear()
