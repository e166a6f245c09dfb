"""Who a Slack member is: display name and admin status from users.info, cached briefly.

`UserRef.is_admin` is what Slack says (workspace admin or owner). The cache keeps a burst of
button presses from calling users.info each time; a short lifetime means a revoked admin loses
admin commands within minutes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.client import slack_error
from bot.adapters.slack.inbound import Who
from bot.core.ids import Platform, UserRef, WorkspaceRef

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Known:
    name: str
    is_admin: bool
    until: datetime


class UserDirectory:
    """Turns the payload's user id into a `UserRef` with name and admin flag."""

    def __init__(
        self, client: AsyncWebClient, now: Callable[[], datetime], ttl: timedelta
    ) -> None:
        self.client = client
        self.now = now
        self.ttl = ttl
        self.team_names: dict[str, str] = {}
        self._known: dict[tuple[str, str], _Known] = {}

    def workspace(self, team_id: str) -> WorkspaceRef:
        return WorkspaceRef(Platform.SLACK, team_id, self.team_names.get(team_id, ""))

    async def actor(self, who: Who) -> UserRef:
        workspace = self.workspace(who.team_id)
        known = await self._lookup(who)
        if known is None:
            return UserRef(workspace, who.user_id, who.name)
        return UserRef(workspace, who.user_id, known.name or who.name, is_admin=known.is_admin)

    def forget(self, team_id: str, user_id: str) -> None:
        self._known.pop((team_id, user_id), None)

    async def _lookup(self, who: Who) -> _Known | None:
        key = (who.team_id, who.user_id)
        now = self.now()
        cached = self._known.get(key)
        if cached is not None and cached.until > now:
            return cached
        try:
            response = await self.client.users_info(user=who.user_id)
        except SlackApiError as exc:
            # Not fatal: the member still gets an answer, just without admin rights.
            reason = slack_error(exc) or f"HTTP {exc.response.status_code}"
            log.warning("users.info failed for %s: %s", who.user_id, reason)
            return None
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("users.info failed for %s: %r", who.user_id, exc)
            return None
        user: dict[str, Any] = response.get("user") or {}
        profile = user.get("profile") or {}
        name = (
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or who.name
        )
        is_admin = any(user.get(flag) for flag in ("is_admin", "is_owner", "is_primary_owner"))
        known = _Known(str(name), is_admin, now + self.ttl)
        self._known[key] = known
        return known
