"""/pack on Discord: list, and an import pasted into the modal or uploaded with the command
(the `file` attachment option), through the fake Discord and its CDN."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.packs.loader import MAX_BYTES, load_text
from tests.adapters.discord_driver import discord_bot
from tests.commands.packs_support import BROKEN, TEAM_V1, stored
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


async def test_a_pack_file_uploaded_with_the_command(sqlite_url: str, clock: FakeClock) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        synced = next(c for c in driver.fake.commands[None] if c["name"] == "pack")
        command = next(o for o in synced["options"] if o["name"] == "import")
        file_option = next(o for o in command["options"] if o["name"] == "file")
        assert file_option["type"] == 11 and not file_option.get("required")

        done = await driver.slash("pack import", user=CAROL, file=("team.yaml", TEAM_V1.encode()))
        assert done.modal is None and done.ephemeral
        assert "Imported **Team questions** (`team-pack` v1)" in done.text
        assert len(driver.fake.requests("GET", "^/attachments/")) == 1  # downloaded once
        await driver.settle()
        listed = await driver.slash("pack list", user=ALICE)
        assert "`team-pack` v1, imported: Team questions, 3 questions" in listed.text
        assert await stored(driver.app.store) == [("team-pack", 1, 3)]


async def test_a_broken_pack_file_is_explained_and_nothing_is_imported(
    sqlite_url: str, clock: FakeClock
) -> None:
    async with discord_bot(sqlite_url, clock) as driver:
        bad = await driver.slash("pack import", user=CAROL, file=("mine.yml", BROKEN.encode()))
        assert bad.ephemeral and bad.modal is None
        lines = bad.text.splitlines()
        assert lines[0] == "I did not import mine.yml: it has 2 problems, and nothing was stored."
        # the loader's own messages, located in the member's file
        assert lines[1:] == [f"• {p}" for p in load_text(BROKEN, "mine.yml").errors]
        assert lines[1].startswith("• mine.yml:")
        assert await stored(driver.app.store) == []
        listed = await driver.slash("pack list", user=CAROL)
        assert "team-pack" not in listed.text


async def test_an_oversized_or_foreign_file_is_refused_without_downloading(
    sqlite_url: str, clock: FakeClock
) -> None:
    huge = TEAM_V1.encode() + b"#" * MAX_BYTES
    async with discord_bot(sqlite_url, clock) as driver:
        big = await driver.slash("pack import", user=CAROL, file=("big.yaml", huge))
        assert big.ephemeral and big.modal is None
        assert big.text == (
            f"`big.yaml` is {len(huge):,} bytes; a pack file can be at most 1 MB (1,000,000 "
            "bytes). Split it into smaller packs; nothing was imported."
        )
        photo = await driver.slash("pack import", user=CAROL, file=("cat.png", b"\x89PNG"))
        assert photo.ephemeral
        assert "only import a pack from a text file (.yaml, .yml, .txt); `cat.png`" in photo.text
        assert driver.fake.requests("GET", "^/attachments/") == []
        assert await stored(driver.app.store) == []
        # a member who may not import is told so, whatever the file
        refused = await driver.slash("pack import", user=ALICE, file=("t.yaml", TEAM_V1.encode()))
        assert "Only workspace admins" in refused.text
        assert await stored(driver.app.store) == []
