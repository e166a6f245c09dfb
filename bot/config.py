"""Settings, read once at start from an optional YAML file and the environment.

Secrets (tokens, signing secret) and DATABASE_URL come from the environment; everything else
may also sit in the YAML file (`--config`, STUDYBOT_CONFIG or ./studybot.yaml). The environment
wins. Which platforms run follows from which tokens are set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.engine import URL

from bot.core.errors import ConfigError
from bot.store.url import DEFAULT_URL, async_url, describe

SECRETS = ("discord_token", "slack_bot_token", "slack_app_token", "slack_signing_secret")
ENV = {
    "DATABASE_URL": "database_url",
    "DISCORD_TOKEN": "discord_token",
    "DISCORD_API_BASE": "discord_api_base",
    "DISCORD_MESSAGE_CONTENT": "discord_message_content",
    "DISCORD_SHARD_IDS": "discord_shard_ids",
    "DISCORD_SHARD_COUNT": "discord_shard_count",
    "DISCORD_DEV_GUILD": "discord_dev_guild",
    "SLACK_BOT_TOKEN": "slack_bot_token",
    "SLACK_APP_TOKEN": "slack_app_token",
    "SLACK_SIGNING_SECRET": "slack_signing_secret",
    "SLACK_MODE": "slack_mode",
    "SLACK_API_URL": "slack_api_url",
    "STUDYBOT_WEB_PORT": "web_port",
    "STUDYBOT_WEB_HOST": "web_host",
    "STUDYBOT_LOG_JSON": "log_json",
    "STUDYBOT_LOG_LEVEL": "log_level",
    "STUDYBOT_PACKS_DIRS": "extra_pack_dirs",
}


class Settings(BaseModel):
    """Validated settings; unknown keys in the YAML file are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    database_url: str = DEFAULT_URL
    discord_token: str | None = None
    discord_api_base: str | None = None
    discord_message_content: bool = False
    discord_shard_ids: list[int] | None = None
    discord_shard_count: int | None = Field(default=None, ge=1)
    discord_dev_guild: int | None = None
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_mode: Literal["socket", "http"] = "socket"
    slack_api_url: str | None = None
    web_port: int | None = Field(default=None, ge=0, le=65535)
    web_host: str = "127.0.0.1"
    log_json: bool = False
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    extra_pack_dirs: list[str] = Field(default_factory=list)
    console_images_dir: str = "console-images"

    @field_validator("discord_shard_ids", "extra_pack_dirs", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: str | None) -> str | None:
        if value and not value.startswith("xoxb-"):
            raise ValueError("SLACK_BOT_TOKEN should start with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: str | None) -> str | None:
        if value and not value.startswith("xapp-"):
            raise ValueError("SLACK_APP_TOKEN should start with xapp-")
        return value

    @property
    def db_url(self) -> URL:
        return async_url(self.database_url)

    @property
    def discord_enabled(self) -> bool:
        return bool(self.discord_token)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    def problems(self) -> list[str]:
        """What is inconsistent even though each value is valid on its own."""
        found = []
        if self.slack_enabled and self.slack_mode == "socket" and not self.slack_app_token:
            found.append("SLACK_BOT_TOKEN is set but Socket Mode needs SLACK_APP_TOKEN too")
        if self.slack_enabled and self.slack_mode == "http" and not self.slack_signing_secret:
            found.append("SLACK_MODE=http needs SLACK_SIGNING_SECRET")
        if (self.slack_app_token or self.slack_signing_secret) and not self.slack_bot_token:
            found.append("Slack app token or signing secret set without SLACK_BOT_TOKEN")
        if self.discord_shard_ids and not self.discord_shard_count:
            found.append("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT")
        if self.discord_shard_ids and self.discord_shard_count:
            bad = [i for i in self.discord_shard_ids if i >= self.discord_shard_count]
            if bad:
                found.append(f"shard ids {bad} are not below DISCORD_SHARD_COUNT")
        try:
            async_url(self.database_url)
        except ConfigError as exc:
            found.append(str(exc))
        return found

    def report(self) -> list[tuple[str, str]]:
        """(name, shown value) pairs for `studybot config check`, secrets masked."""
        rows = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in SECRETS:
                shown = "(not set)" if not value else f"set ({value[:5]}…, {len(value)} chars)"
            elif name == "database_url":
                try:
                    shown = describe(async_url(value))
                except ConfigError:
                    shown = value
            else:
                shown = "(not set)" if value is None else str(value)
            rows.append((name, shown))
        return rows


def load_settings(
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read the YAML file (if any) and the environment; raise ConfigError with one clear line."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    file = Path(path) if path else None
    if file is None and env.get("STUDYBOT_CONFIG"):
        file = Path(env["STUDYBOT_CONFIG"])
    if file is None and Path("studybot.yaml").exists():
        file = Path("studybot.yaml")
    if file is not None:
        values.update(_read_yaml(file))
    for var, key in ENV.items():
        if env.get(var):
            values[key] = env[var]
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "config"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"invalid setting `{where}`: {first['msg']}{more}") from exc
    return settings


def _read_yaml(file: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {file}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {file} is not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"config file {file}{at} is not valid YAML") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {file} must be a mapping of setting: value")
    secrets = sorted(k for k in data if k in SECRETS)
    if secrets:
        raise ConfigError(
            f"config file {file} holds secrets ({', '.join(secrets)}); put them in the "
            "environment instead"
        )
    return data
