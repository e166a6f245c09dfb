"""The Discord chat port: every verb through the real discord.py client, against the fake."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.adapters.discord.inbound import DM_WORKSPACE
from bot.adapters.discord.outbound import DiscordPort
from bot.clock import FakeClock
from bot.core.ids import ChannelRef, MessageRef, Platform, UserRef, WorkspaceRef
from bot.core.ports import ChannelGone
from bot.core.ui import Button, Field, Image, Message
from tests.adapters.discord_driver import DiscordDriver, discord_bot
from tests.fakes.discord_rest import ALICE, BOB, BOT, CLOCK_START, GUILD_ID, STUDY_ID

GUILD = WorkspaceRef(Platform.DISCORD, str(GUILD_ID), "Study Group")
STUDY = ChannelRef(GUILD, str(STUDY_ID), "study")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def member(user: object) -> UserRef:
    return UserRef(GUILD, str(user.id), user.username)  # type: ignore[attr-defined]


def port_of(driver: DiscordDriver) -> DiscordPort:
    return driver.adapter.discord_port


async def test_post_with_embed_image_buttons_and_a_ping(sqlite_url: str,
                                                        clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        alice = member(ALICE)
        message = Message(
            title="Daily question",
            text="Explain **dropout**, @everyone. <@&123> <@" + str(BOB.id) + ">",
            fields=[Field("Topic", "deep learning")],
            image=Image("loss curve.png", PNG, "A falling loss curve"),
            buttons=[Button("Answer", "daily.answer:1")],
            mentions=[alice],
            marker="daily:study:2026-12-01",
        )
        ref = await port_of(driver).post(STUDY, message)
        sent = driver.fake.messages[int(ref.id)]
        assert ref == MessageRef(STUDY, str(sent.id)) and sent.author == BOT
        embed = sent.embeds[0]
        assert embed["title"] == "Daily question" and embed["image"]["url"] == (
            "attachment://loss_curve.png")
        assert sent.attachments[0]["filename"] == "loss_curve.png"
        assert sent.files["loss_curve.png"] == PNG
        assert sent.content == f"<@{ALICE.id}>"  # pings only the listed member
        assert sent.allowed_mentions == {"parse": [], "users": [ALICE.id]}
        assert sent.buttons == ["Answer"]
        assert sent.nonce == "daily:study:2026-12-01"
        assert driver.dispatcher.metrics.posts.labels("discord")._value.get() == 1


async def test_member_text_cannot_ping_anyone(sqlite_url: str, clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        text = f"@everyone @here <@&{GUILD_ID}> <@{BOB.id}> said hi"
        ref = await port_of(driver).post(STUDY, Message(text=text))
        sent = driver.fake.messages[int(ref.id)]
        assert sent.content == text
        mentions = sent.allowed_mentions or {}
        assert mentions.get("parse") == [] and not mentions.get("users")
        assert not mentions.get("roles")


async def test_threads_dms_private_spaces_and_private_messages(sqlite_url: str,
                                                               clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        port = port_of(driver)
        post = await port.post(STUDY, Message(text="Question"))
        thread = await port.open_thread(post, "Answers: question 1 " + "x" * 200)
        assert thread.channel == STUDY and thread.id == post.id  # Discord: same id
        fake_thread = driver.fake.channels[int(thread.id)]
        assert fake_thread.type == 11 and len(fake_thread.name) == 100
        assert await port.open_thread(post, "again") == thread  # already there: same thread
        reply = await port.post(STUDY, Message(text="In the thread"), thread=thread)
        assert reply.thread == thread
        assert driver.fake.messages[int(reply.id)].channel_id == int(thread.id)

        dm = await port.send_dm(member(ALICE), Message(text="Your pair is Bob."))
        assert dm.channel.workspace == DM_WORKSPACE
        assert driver.fake.channels[int(dm.channel.id)].recipient == ALICE

        space = await port.open_private_space(STUDY, [member(ALICE), member(BOB)], "Pair 1")
        private = driver.fake.channels[int(space.id)]
        assert private.type == 12 and private.parent_id == STUDY_ID
        assert private.members == {BOT.id, ALICE.id, BOB.id}
        await port.post(STUDY, Message(text="Welcome, you two."), thread=space)  # type: ignore[arg-type]

        await port.send_private(STUDY, member(BOB), Message(text="Only for Bob"))
        bob_dm = driver.fake.dm_channel(BOB)
        assert [m.content for m in driver.fake.messages.values()
                if m.channel_id == bob_dm.id] == ["Only for Bob"]


async def test_update_delete_and_react(sqlite_url: str, clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        port = port_of(driver)
        ref = await port.post(STUDY, Message(text="Votes: 0", buttons=[Button("Vote", "v:1")]))
        await port.update(ref, Message(title="Closed", text="Votes: 3"))
        sent = driver.fake.messages[int(ref.id)]
        assert sent.content == "" and sent.embeds[0]["description"] == "Votes: 3"
        assert sent.components == [] and sent.edits == 1
        await port.react(ref, "white_check_mark")
        await port.react(ref, "🔥")
        assert sent.reactions == ["✅", "🔥"]
        with pytest.raises(ValueError, match="unknown emoji"):
            await port.react(ref, "no_such_emoji")
        await port.delete(ref)
        assert sent.deleted
        await port.delete(ref)  # gone already: fine


async def test_find_post_after_the_nonce_expired(sqlite_url: str, clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        port = port_of(driver)
        since = CLOCK_START - timedelta(hours=1)
        plain = await port.post(STUDY, Message(text="Daily", marker="daily:1"))
        long_marker = "daily:" + "9" * 40
        embedded = await port.post(STUDY, Message(title="Quiz", marker=long_marker))
        await driver.say(STUDY_ID, "a member message", user=ALICE)
        # History answers carry no nonces: the invisible marker finds the post.
        assert await port.find_post(STUDY, "daily:1", since) == plain
        assert await port.find_post(STUDY, long_marker, since) == embedded
        assert await port.find_post(STUDY, "daily:2", since) is None
        later = driver.fake.time_of(int(embedded.id)) + timedelta(seconds=1)
        assert await port.find_post(STUDY, "daily:1", later) is None
        history = driver.fake.requests("GET", f"/channels/{STUDY_ID}/messages")
        assert history[0].query["limit"] == "50" and "after" in history[0].query
        sent = driver.fake.messages[int(embedded.id)]
        assert len(sent.nonce or "") == 25 and sent.nonce != long_marker[:25]
        assert sent.content == "" and "Quiz" in sent.text


async def test_rate_limits_and_unavailable_are_retried(sqlite_url: str, clock: FakeClock,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        port = port_of(driver)
        route = f"/channels/{STUDY_ID}/messages$"
        driver.fake.inject("POST", route, 429)  # discord.py sleeps retry_after and retries
        driver.fake.inject("POST", route, 503, times=2)  # our pacer backs off and retries
        with caplog.at_level(logging.WARNING, "bot.adapters.discord.pacing"):
            ref = await port.post(STUDY, Message(text="Posted at last", marker="m1"))
        calls = driver.fake.requests("POST", route)
        assert [c.status for c in calls] == [429, 503, 503, 200]
        assert {c.body["nonce"] for c in calls} == {"m1"}  # a retry is the same post
        assert driver.fake.messages[int(ref.id)].content.startswith("Posted at last")
        assert port.pacer.retries == 2 and "503 Service Unavailable" in caplog.text


async def test_a_lost_channel_is_reported_as_gone(sqlite_url: str, clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        lost = ChannelRef(GUILD, "1999999999999999999")
        with pytest.raises(ChannelGone):
            await port_of(driver).post(lost, Message(text="hello?"))
