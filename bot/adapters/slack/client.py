"""The Web API client: base URL from settings, and retry handlers with real counts.

slack_sdk's defaults are weak: only a connection-error handler that retries once; its rate-limit
handler retries once; its server-error handler retries only 500 and 503 and is opt-in. StudyBot
retries 429 (honouring Retry-After), 500/502/503/504 and dropped connections several times.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import Jitter
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

DEFAULT_API_URL = "https://slack.com/api/"
SERVER_ERRORS = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class SlackTuning:
    """Retry counts, back-off and pacing; the defaults are for production, tests shrink waits."""

    rate_limit_retries: int = 5
    server_error_retries: int = 3
    connection_retries: int = 3
    backoff_seconds: float = 0.5
    retry_jitter_seconds: float = 1.0
    max_retry_after_seconds: float = 120.0
    # chat.postMessage: about 1 per second per channel; a workspace-wide pace on top of it.
    channel_interval_seconds: float = 1.0
    global_interval_seconds: float = 0.05
    request_timeout_seconds: int = 30
    user_cache_seconds: int = 120
    ack_drain_seconds: float = 10.0


class ServerErrorRetry(AsyncServerErrorRetryHandler):
    """Retries 500, 502, 503 and 504 (the library's own handler skips 502 and 504)."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code in SERVER_ERRORS


class RateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """Waits Retry-After seconds (plus a little jitter so instances do not retry in step)."""

    def __init__(
        self,
        max_retry_count: int,
        jitter: float,
        max_wait: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.jitter = jitter
        self.max_wait = max_wait
        self.sleep = sleep

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("rate limited without a response")
        state.next_attempt_requested = True
        wait = 1.0
        for name, values in response.headers.items():
            if name.lower() == "retry-after" and values:
                try:
                    wait = float(values[0])
                except ValueError:
                    wait = 1.0
        wait = min(max(wait, 0.0), self.max_wait) + self.jitter * random.random()
        await self.sleep(wait)
        state.increment_current_attempt()


def slack_error(exc: SlackApiError) -> str | None:
    """The `error` code of a failed call; None when Slack answered with no JSON (a 5xx page)."""
    data = exc.response.data
    return str(data.get("error")) if isinstance(data, dict) and data.get("error") else None


def retry_handlers(tuning: SlackTuning) -> list[AsyncRetryHandler]:
    backoff = BackoffRetryIntervalCalculator(
        backoff_factor=tuning.backoff_seconds,
        jitter=_Jitter(tuning.retry_jitter_seconds),
    )
    return [
        AsyncConnectionErrorRetryHandler(
            max_retry_count=tuning.connection_retries, interval_calculator=backoff
        ),
        RateLimitRetry(
            tuning.rate_limit_retries, tuning.retry_jitter_seconds, tuning.max_retry_after_seconds
        ),
        ServerErrorRetry(max_retry_count=tuning.server_error_retries, interval_calculator=backoff),
    ]


def make_client(token: str | None, api_url: str | None, tuning: SlackTuning) -> AsyncWebClient:
    """The app's one client; bolt copies its base_url and retry handlers per request."""
    base = api_url or DEFAULT_API_URL
    if not base.endswith("/"):
        base += "/"
    return AsyncWebClient(
        token=token,
        base_url=base,
        timeout=tuning.request_timeout_seconds,
        retry_handlers=retry_handlers(tuning),
    )


class _Jitter(Jitter):
    """Adds up to `scale` seconds at random (the library's RandomJitter always adds up to 1 s)."""

    def __init__(self, scale: float) -> None:
        self.scale = scale

    def recalculate(self, duration: float) -> float:
        return duration + self.scale * random.random()
