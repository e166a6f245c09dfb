"""Settings: YAML plus environment, validated at start; clear one-line errors, exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.core.errors import ConfigError
from bot.store.url import async_url

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_run_the_console_on_sqlite() -> None:
    settings = load_settings(environ={})
    assert not settings.discord_enabled and not settings.slack_enabled
    assert settings.db_url.drivername == "sqlite+aiosqlite"


@pytest.mark.parametrize(
    ("plain", "driver"),
    [
        ("sqlite:///data/bot.db", "sqlite+aiosqlite"),
        ("postgresql://bot@db.internal/study", "postgresql+asyncpg"),
        ("postgres://bot:pw@db/study", "postgresql+asyncpg"),
    ],
)
def test_plain_database_urls_pick_the_async_driver(plain: str, driver: str) -> None:
    assert async_url(plain).drivername == driver


@pytest.mark.parametrize(
    ("plain", "message"),
    [
        ("mysql://x@y/z", "supports sqlite:/// and postgresql://"),
        ("not a url", "is not a database URL"),
        ("sqlite://", "must name an SQLite file"),
    ],
)
def test_bad_database_urls_are_explained(plain: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        async_url(plain)


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    file = tmp_path / "studybot.yaml"
    file.write_text("log_level: DEBUG\nslack_mode: http\n")
    settings = load_settings(file, environ={"STUDYBOT_LOG_LEVEL": "ERROR"})
    assert (settings.log_level, settings.slack_mode) == ("ERROR", "http")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("log_level: [", "is not valid YAML"),
        ("- a\n- b\n", "must be a mapping"),
        ("colour: blue\n", "invalid setting `colour`"),
        ("slack_mode: carrier-pigeon\n", "invalid setting `slack_mode`"),
        ("discord_token: abc\n", "holds secrets"),
    ],
)
def test_bad_config_files_are_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    file = tmp_path / "studybot.yaml"
    file.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_settings(file, environ={})


def test_token_combinations_are_checked() -> None:
    settings = load_settings(environ={"SLACK_BOT_TOKEN": "xoxb-1-2-abc"})
    assert settings.slack_enabled
    assert any("SLACK_APP_TOKEN" in p for p in settings.problems())
    with pytest.raises(ConfigError, match="xoxb-"):
        load_settings(environ={"SLACK_BOT_TOKEN": "xapp-wrong"})


def _cli(
    *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        env={**base, **(env or {})}, cwd=ROOT, timeout=60, check=False,
    )


def test_config_check_masks_secrets(tmp_path: Path) -> None:
    token = "xoxb-1234-5678-verysecretvalue"
    result = _cli("config", "check", env={"SLACK_BOT_TOKEN": token,
                                          "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert token not in result.stdout
    assert "set (xoxb-…" in result.stdout
    assert "problem: SLACK_BOT_TOKEN is set but Socket Mode needs SLACK_APP_TOKEN" in result.stdout
    assert result.returncode == 2


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "mysql://x@y/z"}, "supports sqlite:/// and postgresql://"),
        ({"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}, "cannot reach the database"),
        ({"STUDYBOT_LOG_LEVEL": "LOUD"}, "invalid setting `log_level`"),
    ],
)
def test_run_fails_with_one_line_and_exit_code_2(env: dict[str, str], message: str) -> None:
    result = _cli("run", "--console", env=env, stdin="/help\n")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_console_script_plays_end_to_end(tmp_path: Path) -> None:
    script = "/help\n/me timezone zone:Europe/Berlin\n!as alice\n/me\n!help\n"
    result = _cli("run", "--now", "2026-12-01T08:00", stdin=script,
                  env={"DATABASE_URL": f"sqlite:///{tmp_path}/bot.db"})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"database: {tmp_path}/bot.db" in out
    assert "[only you] Your timezone is now Europe/Berlin." in out
    assert "[only alice] Timezone: UTC (channel default)" in out
    assert "[console] !as NAME" in out
