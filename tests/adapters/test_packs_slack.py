"""/pack on Slack: list, and an import pasted into the modal, through the fake Slack."""

from __future__ import annotations

from bot.clock import FakeClock
from tests.adapters.slack_driver import ALICE, CAROL, slack_bot
from tests.commands.packs_support import TEAM_V1


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
