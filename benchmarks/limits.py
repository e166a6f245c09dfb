"""The test fakes with the platforms' rate limits switched on, for the fan-out measurement.

The fakes in tests/fakes answer 429 only when a test injects one. Here they enforce limits
the way the platforms describe them, and count every 429 they send:

- Discord: 50 requests per second per bot, all REST routes together (interaction callbacks
  and webhooks excepted, as on Discord); a token bucket of 50 refilled at 50/s. A refused
  request gets 429 with a JSON `retry_after`, `global: true` and the `Via` header.
- Slack: chat.postMessage about 1 per second per channel (a bucket of 1 refilled at 1/s) and
  a workspace-wide cap that Slack does not publish; the fake models it as WORKSPACE_POSTS per
  second. Other methods get their documented tier per minute (Tier 2: 20, Tier 3: 50,
  Tier 4: 100, with a burst of that size). A refused call gets 429 with Retry-After.

Import this module only after `benchmarks.common.fakes_available()` returned True.
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from typing import Any

from aiohttp import web

from tests.fakes.discord_rest import API, Call, FakeDiscord
from tests.fakes.slack_api import Call as SlackCall
from tests.fakes.slack_api import FakeSlack

DISCORD_PER_SECOND = 50.0
SLACK_CHANNEL_INTERVAL = 1.0
WORKSPACE_POSTS = 20.0  # modelled: Slack publishes no number for its workspace-wide cap
SLACK_TIERS = {  # requests per minute (docs.slack.dev, method pages)
    "users.info": 100.0,
    "chat.postEphemeral": 100.0,
    "chat.update": 50.0,
    "chat.delete": 50.0,
    "reactions.add": 50.0,
    "conversations.open": 50.0,
    "conversations.history": 50.0,
    "views.open": 100.0,
    "views.publish": 100.0,
}


class TokenBucket:
    """`rate` tokens per second, at most `burst` saved; `take` answers how long to wait."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self) -> float:
        """Take one token and return 0, or return the seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class LimitedDiscord(FakeDiscord):
    """The fake Discord with the global limit of 50 requests per second enforced."""

    def __init__(self, per_second: float = DISCORD_PER_SECOND) -> None:
        super().__init__()
        self.bucket = TokenBucket(per_second, per_second)
        self.limited = 0

    async def _serve(self, request: web.Request, handler: Any) -> web.StreamResponse:
        path = request.path
        exempt = (path.startswith(API + "/interactions/") or path.startswith(API + "/webhooks/")
                  or path.startswith(API + "/gateway"))
        if not exempt:
            wait = self.bucket.take()
            if wait > 0:
                self.limited += 1
                self.calls.append(Call(request.method, path, dict(request.query), None, {}, 429))
                body = {"message": "You are being rate limited.", "retry_after": round(wait, 3),
                        "global": True}
                return web.Response(status=429, body=json.dumps(body).encode(), headers={
                    "Content-Type": "application/json", "Via": "1.1 google",
                    "Retry-After": str(max(1, math.ceil(wait))), "X-RateLimit-Global": "true",
                    "X-RateLimit-Scope": "global",
                })
        return await super()._serve(request, handler)

    def rest_requests(self) -> int:
        """REST requests answered (429s included), gateway and interactions excepted."""
        return sum(1 for c in self.calls if not c.path.startswith(
            (API + "/interactions/", API + "/webhooks/", API + "/gateway")))


class LimitedSlack(FakeSlack):
    """The fake Slack with chat.postMessage's per-channel and workspace limits and tiers."""

    def __init__(self, *args: Any, workspace_posts: float = WORKSPACE_POSTS,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = TokenBucket(workspace_posts, workspace_posts)
        self.channels_limits: dict[str, TokenBucket] = defaultdict(
            lambda: TokenBucket(1 / SLACK_CHANNEL_INTERVAL, 1))
        self.tiers = {m: TokenBucket(per_minute / 60, per_minute)
                      for m, per_minute in SLACK_TIERS.items()}
        self.limited = 0

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        wait = self.tiers[method].take() if method in self.tiers else 0.0
        if wait == 0:
            try:
                return await super()._api(request)
            except RateLimited as limited:  # from m_chat_postMessage, after the body was read
                wait = limited.wait
                del self.calls[-1]
        self.limited += 1
        self.calls.append(SlackCall(method, {}, 429, "ratelimited"))
        return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                 headers={"Retry-After": str(max(1, math.ceil(wait)))})

    def m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        wait = self.channels_limits[channel].take()
        if wait == 0:
            wait = self.workspace.take()
            if wait > 0:  # give the channel its token back: this post did not happen
                self.channels_limits[channel].tokens += 1
        if wait > 0:
            raise RateLimited(wait)
        return super().m_chat_postMessage(args)


class RateLimited(Exception):
    """Raised inside a method handler; `_api` turns it into a 429 with Retry-After."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"rate limited for {wait:.2f} s")
        self.wait = wait
