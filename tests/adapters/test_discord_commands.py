"""Slash commands on Discord: generated from the declarations, answered within 3 seconds."""

from __future__ import annotations

import asyncio

from bot.adapters.discord.adapter import DiscordTuning
from bot.clock import FakeClock
from bot.core.context import Context
from bot.core.ui import Message, Reply
from commands.spec import CommandSpec, Feature, Option, OptionType
from tests.adapters.discord_driver import TEST_TUNING, DiscordDriver, discord_bot, fake_discord
from tests.fakes.discord_rest import ALICE, APP_ID, BOB, CAROL, GUILD_ID, STUDY_ID

RELEASE: dict[str, asyncio.Event] = {}


def has(found: dict[str, object], **expected: object) -> bool:
    return {k: found.get(k) for k in expected} == expected


async def reset_club(ctx: Context) -> Reply:
    return Reply.private_text(f"Club reset by {ctx.event.actor.name}.")


async def slow_report(ctx: Context) -> Reply:
    await RELEASE["slow"].wait()
    return Reply(Message(title="Report", text="All done."), private=not ctx.args.get("public"))


async def pick(ctx: Context) -> Reply:
    return Reply.private_text(f"size={ctx.args['size']!r} ratio={ctx.args.get('ratio')!r} "
                              f"who={ctx.args.get('who')!r} loud={ctx.args.get('loud')!r}")


CLUB = Feature(
    name="Club (test)",
    commands=[
        CommandSpec("club reset", "Reset the club (admins).", reset_club, admin=True),
        CommandSpec("club report", "A slow report.", slow_report,
                    options=(Option("public", "Show to all", type=OptionType.BOOLEAN),)),
        CommandSpec("club loud", "A slow public report.", slow_report, public=True,
                    options=(Option("public", "Show to all", type=OptionType.BOOLEAN),)),
        CommandSpec("club pick", "Typed options.", pick, options=(
            Option("size", "How many", type=OptionType.INTEGER, required=True,
                   min_value=1, max_value=5),
            Option("ratio", "A ratio", type=OptionType.NUMBER, min_value=0, max_value=1),
            Option("who", "A member", type=OptionType.USER),
            Option("loud", "Yes or no", type=OptionType.BOOLEAN),
        )),
        CommandSpec("vault", "Admins only, no subcommands.", reset_club, admin=True),
    ],
)


async def test_help_is_a_private_embed_listing_every_command(sqlite_url: str,
                                                             clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        answer = await driver.slash("help")
        assert answer.kind == 4 and answer.ephemeral
        assert answer.message.embeds[0]["title"] == "StudyBot commands"
        for name, spec in driver.dispatcher.services.registry.commands.items():
            assert (f"/{name}`" in answer.text) != spec.admin  # Alice is no admin
        assert answer.message.allowed_mentions == {"parse": [], "users": []}


async def test_timezone_is_stored_and_shown_by_me(sqlite_url: str, clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        answer = await driver.slash("me timezone", zone="Europe/Berlin", user=ALICE)
        assert answer.ephemeral and answer.text == "Your timezone is now Europe/Berlin."
        me = await driver.slash("me", user=ALICE)  # /me is offered as /me show
        assert "Timezone: Europe/Berlin" in me.text and me.message.embeds[0]["title"] == "Alice"
        other = await driver.slash("me", user=BOB)
        assert "Timezone: UTC (channel default)" in other.text


async def test_bad_option_values_get_a_polite_private_answer(sqlite_url: str,
                                                             clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        answer = await driver.slash("me timezone", zone="Mars/Base")
        assert answer.ephemeral and "is not a timezone I know" in answer.text
        # Discord enforces choices; a stale client could still send another value.
        answer = await driver.slash("me leaderboard", show="maybe")
        assert answer.ephemeral and "must be one of on, off" in answer.text


async def test_autocomplete_comes_from_the_declared_source(sqlite_url: str,
                                                           clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        found = await driver.autocomplete("me timezone", "zone", "Europe/Be")
        assert "Europe/Berlin" in found and len(found) <= 25


async def test_commands_are_generated_from_the_declarations(sqlite_url: str,
                                                            clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock, features=[CLUB]) as driver:
        synced = {c["name"]: c for c in driver.fake.commands[None]}
        me = synced["me"]
        assert [o["name"] for o in me["options"]] == ["show", "timezone", "leaderboard"]
        zone = me["options"][1]["options"][0]
        assert has(zone, name="zone", type=3, required=True, autocomplete=True)
        show = me["options"][2]["options"][0]
        assert show["choices"] == [{"name": "on", "value": "on"}, {"name": "off", "value": "off"}]
        pick_options = {o["name"]: o for o in next(
            o for o in synced["club"]["options"] if o["name"] == "pick")["options"]}
        assert has(pick_options["size"], type=4, min_value=1, max_value=5, required=True)
        assert pick_options["ratio"]["type"] == 10 and pick_options["ratio"]["max_value"] == 1
        assert pick_options["who"]["type"] == 6 and pick_options["loud"]["type"] == 5
        # Admin-only defaults: a whole admin command, not a mixed group.
        assert synced["vault"]["default_member_permissions"] == 1 << 5  # Manage Server
        assert synced["club"]["default_member_permissions"] is None
        assert all(c["contexts"] == [0] for c in synced.values())


async def test_typed_options_reach_the_handler(sqlite_url: str, clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock, features=[CLUB]) as driver:
        answer = await driver.slash("club pick", size=3, ratio=0.5, who=BOB, loud=True)
        assert answer.text == f"size=3 ratio=0.5 who='{BOB.id}' loud=True"


async def test_admin_commands_check_the_members_permissions(sqlite_url: str,
                                                            clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock, features=[CLUB]) as driver:
        refused = await driver.slash("club reset", user=ALICE)
        assert refused.ephemeral and "Only workspace admins" in refused.text
        done = await driver.slash("club reset", user=CAROL)
        assert done.text == "Club reset by Carol."


async def _slow(driver, command: str, **options: object):  # type: ignore[no-untyped-def]
    RELEASE["slow"] = asyncio.Event()
    interaction = await driver.begin_slash(command, **options)
    await asyncio.wait_for(interaction.answered.wait(), 5)
    assert interaction.response_type == 5, "a slow handler is deferred first"
    RELEASE["slow"].set()
    return interaction, await driver.answer_of(interaction)


async def test_a_slow_command_is_deferred_then_followed_up(sqlite_url: str,
                                                           clock: FakeClock) -> None:
    tuning = DiscordTuning(**{**TEST_TUNING.__dict__, "defer_after": 0.1})
    async with discord_bot(sqlite_url, clock, features=[CLUB], tuning=tuning) as driver:
        interaction, answer = await _slow(driver, "club report")
        loading = driver.fake.messages[interaction.original_id]
        assert loading.ephemeral and not loading.loading  # the thinking message became it
        assert answer.text.startswith("Report") and answer.ephemeral
        # Deferred privately, answered publicly: the thinking message gives way.
        interaction, answer = await _slow(driver, "club report", public=True)
        assert driver.fake.messages[interaction.original_id].deleted
        assert not answer.ephemeral and "All done." in answer.text
        # A public command defers publicly.
        interaction, answer = await _slow(driver, "club loud", public=True)
        assert not driver.fake.messages[interaction.original_id].ephemeral
        assert not answer.ephemeral and "All done." in answer.text


async def test_a_redelivered_interaction_is_handled_once(sqlite_url: str,
                                                         clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        answer = await driver.slash("me timezone", zone="Asia/Kolkata")
        handled = driver.outcomes("ok")
        await driver.fake.redeliver_interaction(answer.interaction)
        # The adapter tries to answer again; Discord (the fake) says "already acknowledged".
        calls = await asyncio.wait_for(driver.fake.wait_for_calls(
            "POST", f"/interactions/{answer.interaction.id}/", 2), 5)
        assert calls[1].status == 400
        assert driver.outcomes("duplicate") == 1 and driver.outcomes("ok") == handled


async def test_an_unknown_command_gets_an_apology(sqlite_url: str, clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        data = {"id": "1", "name": "ghost", "type": 1}
        interaction = await driver.fake.interact(2, data, ALICE, STUDY_ID)
        await asyncio.wait_for(interaction.answered.wait(), 5)
        message = driver.fake.messages[interaction.original_id]
        assert message.ephemeral and "changed since Discord last heard" in message.text


def roots(driver: DiscordDriver) -> set[str]:
    return {c.path[0] for c in driver.dispatcher.services.registry.commands.values()}


async def test_commands_sync_only_when_the_declared_set_changes(sqlite_url: str,
                                                                clock: FakeClock) -> None:
    async with fake_discord() as fake:
        path = f"/applications/{APP_ID}/commands"
        async with discord_bot(sqlite_url, clock, fake=fake) as driver:
            first = roots(driver)
            assert driver.adapter.synced == len(first)  # /me and its subcommands: one entry
        assert len(fake.requests("PUT", path)) == 1
        async with discord_bot(sqlite_url, clock, fake=fake) as driver:
            assert driver.adapter.synced is None
        assert len(fake.requests("PUT", path)) == 1
        async with discord_bot(sqlite_url, clock, fake=fake, features=[CLUB]) as driver:
            assert driver.adapter.synced == len(first) + 2  # club, vault
        assert len(fake.requests("PUT", path)) == 2
        # Development: one guild, with the global commands copied there (instant on Discord).
        async with discord_bot(sqlite_url, clock, fake=fake, discord_dev_guild=GUILD_ID):
            pass
        guild_puts = fake.requests("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
        assert len(guild_puts) == 1
        assert {c["name"] for c in guild_puts[0].body} == first
