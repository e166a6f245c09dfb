"""/pack on Discord: list, and an import pasted into the modal, through the fake Discord."""

from __future__ import annotations

from bot.clock import FakeClock
from tests.adapters.discord_driver import discord_bot
from tests.commands.packs_support import TEAM_V1
from tests.fakes.discord_rest import ALICE, CAROL


async def test_list_and_import_through_the_modal(sqlite_url: str, clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        listed = await driver.slash("pack list", user=ALICE)
        assert listed.ephemeral
        assert "`linear-algebra` v1: Linear algebra, 28 questions" in listed.text
        refused = await driver.slash("pack import", user=ALICE)
        assert refused.ephemeral and "Only workspace admins" in refused.text

        opened = await driver.slash("pack import", user=CAROL)
        assert opened.modal is not None and opened.modal["title"] == "Import a question pack"
        done = await driver.submit_form(opened, {"yaml": TEAM_V1}, user=CAROL)
        assert done.ephemeral
        assert "Imported **Team questions** (`team-pack` v1)" in done.text
        await driver.settle()

        broken = await driver.slash("pack import", user=CAROL)
        bad = await driver.submit_form(
            broken, {"yaml": TEAM_V1.replace("id: team-pack", "id: coding")}, user=CAROL
        )
        assert "pack id coding belongs to a bundled pack" in bad.text

        enabled = await driver.slash("pack enable", user=CAROL, pack="team-pack")
        assert "`team-pack` is now on" in enabled.text
        listed = await driver.slash("pack list", user=ALICE)
        assert "`team-pack` v1, imported: Team questions, 3 questions" in listed.text
        # the "pack" suggestions are the daily feature's; bundled packs are offered
        assert "linear-algebra" in await driver.autocomplete("pack enable", "pack", "linear")
