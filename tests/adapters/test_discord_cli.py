"""`studybot discord invite-url` and `studybot discord sync` (against the fake)."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import discord
import pytest

from bot.adapters.discord.cli import PERMISSIONS, client_id_from_token
from bot.cli import main
from bot.clock import FakeClock
from tests.adapters.discord_driver import TOKEN, discord_bot, fake_discord
from tests.fakes.discord_rest import APP_ID, GUILD_ID

NEEDED = {
    "view_channel", "send_messages", "send_messages_in_threads", "create_public_threads",
    "create_private_threads", "embed_links", "attach_files", "add_reactions",
    "read_message_history",
}


def test_invite_url_asks_for_exactly_what_the_bot_uses(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["discord", "invite-url", "--client-id", "123456789012345678"]) == 0
    url = urlparse(capsys.readouterr().out.strip())
    query = parse_qs(url.query)
    assert url.netloc == "discord.com" and query["client_id"] == ["123456789012345678"]
    assert query["scope"] == ["bot applications.commands"]
    granted = discord.Permissions(int(query["permissions"][0]))
    assert NEEDED == set(PERMISSIONS)
    assert granted == discord.Permissions(**dict.fromkeys(NEEDED, True))
    assert not granted.manage_threads and not granted.administrator
    assert not granted.mention_everyone and not granted.manage_messages


def test_invite_url_reads_the_client_id_from_the_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    head = base64.b64encode(b"987654321098765432").decode().rstrip("=")
    monkeypatch.setenv("DISCORD_TOKEN", f"{head}.Gabcde.{'x' * 38}")
    assert main(["discord", "invite-url"]) == 0
    assert "client_id=987654321098765432" in capsys.readouterr().out
    assert client_id_from_token("not a token") is None


def test_invite_url_without_an_id_explains(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["discord", "invite-url"]) == 2
    assert "--client-id" in capsys.readouterr().err


async def test_sync_registers_the_commands_and_the_bot_then_skips_it(
    sqlite_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    async with fake_discord() as fake:
        monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
        monkeypatch.setenv("DISCORD_API_BASE", fake.rest_base)
        monkeypatch.setenv("DATABASE_URL", sqlite_url)
        # The command runs its own event loop, as from a shell.
        assert await asyncio.to_thread(main, ["discord", "sync"]) == 0
        assert "globally" in capsys.readouterr().out
        puts = fake.requests("PUT", f"/applications/{APP_ID}/commands$")
        assert len(puts) == 1 and {c["name"] for c in puts[0].body} >= {"help", "me"}
        async with discord_bot(sqlite_url, clock, fake=fake) as driver:
            assert driver.adapter.synced is None  # the hash matches: no second sync
        assert len(fake.requests("PUT", f"/applications/{APP_ID}/commands$")) == 1

        monkeypatch.setenv("DISCORD_DEV_GUILD", str(GUILD_ID))
        assert await asyncio.to_thread(main, ["discord", "sync"]) == 0
        assert f"to guild {GUILD_ID}" in capsys.readouterr().out
        assert fake.requests("PUT", f"/guilds/{GUILD_ID}/commands$")
