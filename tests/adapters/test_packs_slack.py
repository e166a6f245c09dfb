"""/pack on Slack: list, and an import pasted into the modal or uploaded in its file input
(downloaded from the fake Slack with the bot token)."""

from __future__ import annotations

import logging

import pytest

from bot.adapters.slack.mrkdwn import to_mrkdwn
from bot.clock import FakeClock
from bot.packs.loader import MAX_BYTES, load_text
from tests.adapters.slack_driver import ALICE, CAROL, slack_bot
from tests.commands.packs_support import BROKEN, TEAM_V1, stored
from tests.fakes.slack_api import FakeSlack


async def test_list_and_import_through_the_modal(sqlite_url: str, clock: FakeClock) -> None:
    async with slack_bot(sqlite_url, clock) as slack:
        (listed,) = await slack.slash("pack list", user=ALICE)
        assert listed.kind == "ephemeral" and listed.user == ALICE.id
        assert "linear-algebra" in listed.readable and "28 questions" in listed.readable
        (refused,) = await slack.slash("pack import", user=ALICE)
        assert "Only workspace admins" in refused.readable

        (opened,) = await slack.slash("pack import", user=CAROL)
        assert opened.kind == "view" and opened.view is not None
        assert opened.view["title"]["text"] == "Import a question pack"
        done = await slack.submit_form({"yaml": TEAM_V1}, user=CAROL)
        assert any("Imported" in s.readable and "team-pack" in s.readable for s in done), done

        (enabled,) = await slack.slash("pack enable", user=CAROL, pack="team-pack")
        assert "is now on" in enabled.readable
        (listed,) = await slack.slash("pack list", user=ALICE)
        assert "team-pack" in listed.readable and "Team questions" in listed.readable


async def test_a_pack_file_uploaded_in_the_form(sqlite_url: str, clock: FakeClock) -> None:
    async with slack_bot(sqlite_url, clock) as slack:
        (opened,) = await slack.slash("pack import", user=CAROL)
        assert opened.view is not None
        blocks = {b["block_id"]: b for b in opened.view["blocks"]}
        assert blocks["yaml"]["optional"] is True  # pasting or uploading: either will do
        upload = blocks["file"]["element"]
        assert upload["type"] == "file_input" and upload["max_files"] == 1
        assert upload["filetypes"] == ["yaml", "yml", "txt"]

        file = slack.fake.member_file(CAROL.id, "team.yaml", TEAM_V1.encode())
        done = await slack.submit_form({}, user=CAROL, files={"file": file})
        assert [s.kind for s in done] == ["ephemeral"] and done[0].user == CAROL.id
        assert "Imported" in done[0].readable and "team-pack" in done[0].readable
        assert len(slack.fake.calls_to("download")) == 1
        (listed,) = await slack.slash("pack list", user=ALICE)
        assert "team-pack" in listed.readable and "Team questions" in listed.readable
        assert await stored(slack.app.store) == [("team-pack", 1, 3)]


async def test_a_broken_pack_file_is_explained_and_nothing_is_imported(
    sqlite_url: str, clock: FakeClock
) -> None:
    async with slack_bot(sqlite_url, clock) as slack:
        await slack.slash("pack import", user=CAROL)
        file = slack.fake.member_file(CAROL.id, "mine.yml", BROKEN.encode())
        (bad,) = await slack.submit_form({}, user=CAROL, files={"file": file})
        assert bad.kind == "ephemeral" and bad.user == CAROL.id
        assert "I did not import mine.yml: it has 2 problems, and nothing was stored." \
            in bad.readable
        for problem in load_text(BROKEN, "mine.yml").errors:
            assert to_mrkdwn(f"• {problem}") in bad.readable
        assert await stored(slack.app.store) == []
        (listed,) = await slack.slash("pack list", user=CAROL)
        assert "team-pack" not in listed.readable


async def test_an_oversized_file_is_refused_without_downloading(
    sqlite_url: str, clock: FakeClock
) -> None:
    huge = TEAM_V1.encode() + b"#" * MAX_BYTES
    async with slack_bot(sqlite_url, clock) as slack:
        await slack.slash("pack import", user=CAROL)
        file = slack.fake.member_file(CAROL.id, "big.yaml", huge)
        (big,) = await slack.submit_form({}, user=CAROL, files={"file": file})
        assert big.kind == "ephemeral" and big.user == CAROL.id
        assert f"is {len(huge):,} bytes; a pack file can be at most 1 MB" in big.readable
        assert slack.fake.calls_to("download") == []

        # a size reported too small is caught while reading: no more than the limit is read
        await slack.slash("pack import", user=CAROL)
        liar = slack.fake.member_file(CAROL.id, "small.yaml", huge, size=100)
        (caught,) = await slack.submit_form({}, user=CAROL, files={"file": liar})
        assert "`small.yaml` is larger than announced" in caught.readable

        # pasting and uploading at once is ambiguous
        await slack.slash("pack import", user=CAROL)
        both = slack.fake.member_file(CAROL.id, "team.yaml", TEAM_V1.encode())
        (refused,) = await slack.submit_form({"yaml": TEAM_V1}, user=CAROL, files={"file": both})
        assert "not both" in refused.readable
        assert await stored(slack.app.store) == []


async def test_an_install_without_files_read_gets_the_paste_form(
    sqlite_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """An app installed before `files:read` was added: Slack refuses file inputs to it, so the
    form comes without one (and the start-up log says to reinstall), and pasting still works."""
    def older_install(fake: FakeSlack) -> None:
        fake.scopes = [s for s in fake.scopes if s != "files:read"]

    caplog.set_level(logging.WARNING, logger="bot.adapters.slack.manifest")
    async with slack_bot(sqlite_url, clock, setup=older_install) as slack:
        assert any("lacks the scopes files:read" in r.getMessage() for r in caplog.records)
        (opened,) = await slack.slash("pack import", user=CAROL)
        assert opened.kind == "view" and opened.view is not None
        blocks = {b["block_id"]: b for b in opened.view["blocks"]}
        assert "file" not in blocks and blocks["yaml"]["optional"] is False
        done = await slack.submit_form({"yaml": TEAM_V1}, user=CAROL)
        assert any("Imported" in s.readable for s in done), done
