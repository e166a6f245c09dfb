"""The Slack adapter's lifecycle: one AsyncApp, Socket Mode (default) or HTTP mode.

Socket Mode needs the app-level token (xapp-) and no public URL. HTTP mode needs the signing
secret; bolt verifies every request's signature and rejects timestamps older than 5 minutes;
the endpoint `/slack/events` is served by the bot's own web server (bot/web.py).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import cast

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.client import SlackTuning, make_client, slack_error
from bot.adapters.slack.listeners import Listeners
from bot.adapters.slack.manifest import granted_scopes
from bot.adapters.slack.outbound import SlackPort
from bot.adapters.slack.pacing import Pacer
from bot.adapters.slack.replies import Responder
from bot.adapters.slack.users import UserDirectory
from bot.config import Settings
from bot.core.dispatch import Dispatcher
from bot.core.errors import ConfigError
from bot.core.ids import Platform
from bot.core.ports import ChatPort
from bot.web import WebServer

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
_BAD_TOKEN = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "not_allowed_token_type"}
)
DEFAULT_HTTP_PORT = 3000


class SlackAdapter:
    """Connects StudyBot to one Slack workspace; `port` is its ChatPort."""

    platform = Platform.SLACK

    def __init__(
        self,
        dispatcher: Dispatcher,
        settings: Settings,
        *,
        tuning: SlackTuning | None = None,
        web: WebServer | None = None,
    ) -> None:
        if not settings.slack_bot_token:
            raise ConfigError("the Slack adapter needs SLACK_BOT_TOKEN")
        self.dispatcher = dispatcher
        self.settings = settings
        self.mode = settings.slack_mode
        self.tuning = tuning or SlackTuning()
        self.client = make_client(settings.slack_bot_token, settings.slack_api_url, self.tuning)
        pacer = Pacer(self.tuning.channel_interval_seconds, self.tuning.global_interval_seconds)
        self.slack_port = SlackPort(self.client, pacer, dispatcher.metrics)
        self.port: ChatPort = self.slack_port
        self.directory = UserDirectory(
            self.client,
            dispatcher.services.clock.now,
            timedelta(seconds=self.tuning.user_cache_seconds),
        )
        self.listeners = Listeners(
            dispatcher, self.directory, self.slack_port, Responder(self.slack_port)
        )
        self._authorized: AuthorizeResult | None = None

        async def authorize() -> AuthorizeResult:
            # The auth.test answer from start(): bolt would otherwise call auth.test on the
            # first request and drop that request if the call failed. (None before start(),
            # when nothing can arrive; bolt would then refuse the request.)
            return cast(AuthorizeResult, self._authorized)

        self.app = AsyncApp(
            name="studybot",
            # bolt copies this client's base_url, session and retry handlers per request and
            # gives each copy the token that `authorize` returns.
            client=make_client(None, settings.slack_api_url, self.tuning),
            authorize=authorize,
            signing_secret=settings.slack_signing_secret or "",
            # Socket Mode payloads are not signed; bolt skips the check for them anyway.
            request_verification_enabled=self.mode == "http",
            logger=logging.getLogger("bot.adapters.slack.bolt"),
        )
        self.listeners.register(self.app)
        self.web = web
        self._owns_web = web is None
        if self.mode == "http":
            if self.web is None:
                port = settings.web_port
                self.web = WebServer(settings.web_host, DEFAULT_HTTP_PORT if port is None else port)
            # A shared server gets the route now, before whoever owns it starts it.
            self.web.add_route("POST", EVENTS_PATH, self._http_events)
        self._socket: AsyncSocketModeHandler | None = None
        self._session: aiohttp.ClientSession | None = None
        self._running = False

    @property
    def connected(self) -> bool:
        if not self._running:
            return False
        if self.mode == "http":
            return self.web is not None and self.web.started
        session = self._socket.client.current_session if self._socket else None
        return session is not None and not session.closed

    async def start(self) -> None:
        # One connection pool for every Web API call; bolt's per-request clients share it.
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.tuning.request_timeout_seconds)
        )
        self.client.session = self._session
        self.app.client.session = self._session
        try:
            await self._connect()
        except BaseException:
            await self.stop()
            raise

    async def _connect(self) -> None:
        try:
            auth = await self.client.auth_test()
        except SlackApiError as exc:
            _refuse_bad_token("SLACK_BOT_TOKEN", exc)
            raise
        self.slack_port.bot_user_id = auth.get("user_id")
        self.slack_port.bot_id = auth.get("bot_id")
        self.slack_port.scopes = granted_scopes(auth.headers)
        team_id = str(auth.get("team_id", ""))
        self.directory.team_names[team_id] = str(auth.get("team", ""))
        self._authorized = AuthorizeResult(
            enterprise_id=auth.get("enterprise_id"),
            team_id=team_id,
            team=auth.get("team"),
            url=auth.get("url"),
            bot_user_id=auth.get("user_id"),
            bot_id=auth.get("bot_id"),
            bot_token=self.client.token,
        )
        self._running = True
        if self.mode == "socket":
            await self._start_socket()
        else:
            await self._start_http()
        log.info("Slack connected to %s (%s mode)", auth.get("team"), self.mode)

    async def stop(self) -> None:
        self._running = False
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self.web is not None and self._owns_web:
            await self.web.stop()
        try:
            await asyncio.wait_for(self.idle(), self.tuning.ack_drain_seconds)
        except TimeoutError:
            log.warning("Slack work still running at shutdown was abandoned")
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def idle(self) -> None:
        """Wait until every acked payload has been handled and its sends are done."""
        while True:
            await self.listeners.inflight.wait()
            await self.dispatcher.drain()
            if self.listeners.inflight.active == 0:
                return

    async def _start_socket(self) -> None:
        token = self.settings.slack_app_token
        if not token:
            raise ConfigError("Slack Socket Mode needs SLACK_APP_TOKEN (xapp-...)")
        # Ask for the URL here: the client would retry a bad app token forever in connect().
        try:
            opened = await self.client.apps_connections_open(app_token=token)
        except SlackApiError as exc:
            _refuse_bad_token("SLACK_APP_TOKEN", exc)
            raise
        handler = AsyncSocketModeHandler(
            self.app, app_token=token, web_client=self.client, logger=self.app.logger
        )
        handler.client.wss_uri = str(opened["url"])
        self._socket = handler
        await handler.connect_async()

    async def _start_http(self) -> None:
        if not self.settings.slack_signing_secret:
            raise ConfigError("Slack HTTP mode needs SLACK_SIGNING_SECRET")
        if self.web is not None and self._owns_web:
            await self.web.start()

    async def _http_events(self, request: web.Request) -> web.Response:
        if not self._running:
            return web.Response(status=503, text="stopping")
        bolt_request = await to_bolt_request(request)
        bolt_response = await self.app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)


def _refuse_bad_token(name: str, exc: SlackApiError) -> None:
    """A token Slack refuses is a configuration problem: one clear line, exit code 2."""
    error = slack_error(exc)
    if error in _BAD_TOKEN:
        raise ConfigError(
            f"Slack refused {name} ({error}); check the token and the app install"
        ) from exc
