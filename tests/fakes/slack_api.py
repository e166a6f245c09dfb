"""A fake Slack on 127.0.0.1: the Web API, upload URLs, response_urls and the Socket Mode link.

The real slack_sdk / slack_bolt talk to it through `base_url` and the `ws://` URL it hands out
from `apps.connections.open`. It keeps state like Slack does (channels, messages, threads,
ephemerals, views, files, reactions), checks what Slack checks (tokens, membership, trigger ids
used once within 3 seconds, Block Kit limits), records every call, can fail the next calls of
a method (429 with Retry-After, 5xx, dropped connections), and answers an unknown method with
HTTP 501 and records it so the test fails. Files members give in a modal's file input are
served at their `url_private_download`, with the bot token only (without it, Slack's sign-in
page, which the test then fails on).
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from bot.adapters.slack.manifest import bot_scopes
from tests.fakes.slack_socket import SocketModeLink

TEAM_ID = "T0STUDY"
TEAM_NAME = "Study Group"
BOT_USER = "U0BOT"
BOT_ID = "B0BOT"
APP_ID = "A0STUDY"
BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-fake-app-token"
SIGNING_SECRET = "fake-signing-secret"
TRIGGER_SECONDS = 3.0

_PING = re.compile(r"<!(channel|here|everyone|subteam\^)")
_JSON_KEYS = {"blocks", "view", "metadata", "files", "attachments"}
_BLOCK_TYPES = {"section", "header", "actions", "context", "divider", "image", "input"}


@dataclass
class Call:
    """One request the bot made: Web API method (or `upload`, `response_url`) and its args."""

    method: str
    args: dict[str, Any]
    status: int = 200
    error: str | None = None


@dataclass
class Sent:
    """Something the bot made visible; tests read these like a transcript."""

    kind: str  # message, ephemeral, update, delete, file, reaction, view, home
    channel: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    user: str | None = None  # who sees it (ephemeral, view, home)
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    view: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    via: str = "api"  # api or response_url
    response_url: str | None = None

    @property
    def readable(self) -> str:
        """Blocks flattened to lines: headers, text, fields, [buttons], {select: options}."""
        blocks = self.blocks or ((self.view or {}).get("blocks") or [])
        lines = [line for block in blocks for line in _block_lines(block)]
        if not lines and self.text:
            lines = [self.text]
        return "\n".join(lines)

    def button(self, label: str) -> dict[str, Any]:
        for element in self.elements():
            if element["type"] == "button" and element["text"]["text"] == label:
                return element
        raise AssertionError(f"no button {label!r} in {self.readable!r}")

    def select(self) -> dict[str, Any]:
        for element in self.elements():
            if element["type"] in ("static_select", "multi_static_select"):
                return element
        raise AssertionError(f"no select in {self.readable!r}")

    def elements(self) -> list[dict[str, Any]]:
        blocks = self.blocks or ((self.view or {}).get("blocks") or [])
        return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


@dataclass
class _Failure:
    status: int
    retry_after: int | None = None
    drop: bool = False


class FakeSlack:
    """The fake Slack server. `now` supplies message timestamps (the test's clock)."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._seq = count(1)
        self.socket = SocketModeLink()
        self.calls: list[Call] = []
        self.unknown: list[Call] = []
        self.pings: list[str] = []
        self.sent: list[Sent] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.member_files: dict[str, dict[str, Any]] = {}
        self.bad_downloads: list[Call] = []
        self.triggers: dict[str, dict[str, Any]] = {}
        self.response_urls: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, deque[_Failure]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None
        self.trigger_seconds = TRIGGER_SECONDS
        self.port = 0
        # The scopes the installed app was granted; Slack reports them on every Web API call
        # (`x-oauth-scopes`). An app installed before a scope was added lacks it.
        self.scopes: list[str] = bot_scopes()
        app = web.Application(client_max_size=20 * 1024 * 1024, middlewares=[self._scopes])
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/link", self.socket.handler)
        app.router.add_get("/files-pri/{key}/download/{name}", self._file_download)
        app.router.add_route("*", "/{tail:.*}", self._unknown_route)
        self._app = app
        self.add_user(BOT_USER, "studybot", bot=True)

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        runner = web.AppRunner(self._app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        await self.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    # --- world set-up -----------------------------------------------------------------------

    def add_user(
        self, user_id: str, name: str, *, admin: bool = False, owner: bool = False,
        bot: bool = False,
    ) -> dict[str, Any]:
        user = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name,
            "real_name": name.title(),
            "is_admin": admin,
            "is_owner": owner,
            "is_primary_owner": False,
            "is_bot": bot,
            "deleted": False,
            "profile": {"display_name": name, "real_name": name.title()},
        }
        self.users[user_id] = user
        return user

    def add_channel(
        self, channel_id: str, name: str, members: list[str], *, private: bool = False
    ) -> dict[str, Any]:
        channel = {
            "id": channel_id,
            "name": name,
            "is_channel": not private,
            "is_group": private,
            "is_im": False,
            "is_mpim": False,
            "members": set(members),
        }
        self.channels[channel_id] = channel
        return channel

    def dm_channel(self, user_id: str) -> str:
        return self._conversation([user_id])

    def channel_type(self, channel_id: str) -> str:
        channel = self.channels[channel_id]
        if channel["is_im"]:
            return "im"
        if channel["is_mpim"]:
            return "mpim"
        return "group" if channel["is_group"] else "channel"

    def new_ts(self) -> str:
        return f"{int(self._now().timestamp())}.{next(self._seq):06d}"

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._seq):06d}"

    def member_post(
        self, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """A member writes in a channel (the driver then delivers the matching event)."""
        message = {"type": "message", "ts": self.new_ts(), "user": user, "text": text}
        if thread_ts:
            message["thread_ts"] = thread_ts
        self.messages[channel].append(message)
        return message

    def issue_trigger(self, user: str) -> str:
        trigger = f"{next(self._seq)}.{TEAM_ID}.trigger"
        self.triggers[trigger] = {"user": user, "at": time.monotonic(), "used": False}
        return trigger

    def issue_response_url(
        self, channel: str | None, user: str, message_ts: str | None = None,
        ephemeral: bool = False,
    ) -> str:
        key = self.new_id("R")
        self.response_urls[key] = {
            "channel": channel, "user": user, "message_ts": message_ts,
            "ephemeral": ephemeral, "uses": 0,
        }
        return f"{self.base}/response/{key}"

    def member_file(
        self, user: str, name: str, data: bytes, *, size: int | None = None
    ) -> dict[str, Any]:
        """A member uploads a file in a modal's file input: the file object Slack puts in the
        view_submission state. `size` is what Slack reports (by default the real size)."""
        file_id = self.new_id("F")
        slug = re.sub(r"[^a-z0-9._-]+", "_", name.lower())
        base = f"{self.base}/files-pri/{TEAM_ID}-{file_id}"
        suffix = name.rpartition(".")[2].lower() if "." in name else "text"
        file = {
            "id": file_id,
            "created": int(self._now().timestamp()),
            "timestamp": int(self._now().timestamp()),
            "name": name,
            "title": name,
            "mimetype": "text/plain",
            "filetype": suffix,
            "pretty_type": suffix.upper(),
            "user": user,
            "user_team": TEAM_ID,
            "editable": False,
            "size": len(data) if size is None else size,
            "mode": "hosted",
            "is_external": False,
            "is_public": False,
            "url_private": f"{base}/{slug}",
            "url_private_download": f"{base}/download/{slug}",
            "permalink": f"https://studygroup.slack.com/files/{user}/{file_id}/{slug}",
        }
        self.member_files[file_id] = {**file, "data": data}
        return file

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        for message in self.messages.get(channel, []):
            if message["ts"] == ts:
                return message
        return None

    # --- faults ---------------------------------------------------------------------------

    def fail_next(
        self, method: str, status: int, *, times: int = 1, retry_after: int | None = None
    ) -> None:
        """The next `times` calls of `method` answer `status` (429 carries Retry-After)."""
        for _ in range(times):
            self._failures[method].append(_Failure(status, retry_after))

    def drop_next(self, method: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` lose their connection without an answer."""
        for _ in range(times):
            self._failures[method].append(_Failure(0, drop=True))

    # --- records ----------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def called_methods(self) -> set[str]:
        return {c.method for c in self.calls if c.method not in ("upload", "response_url")}

    # --- HTTP handlers --------------------------------------------------------------------

    async def _unknown_route(self, request: web.Request) -> web.Response:
        call = Call(f"{request.method} {request.path}", {}, 501, "unknown_route")
        self.calls.append(call)
        self.unknown.append(call)
        return web.json_response({"ok": False, "error": "unknown_route"}, status=501)

    @web.middleware
    async def _scopes(self, request: web.Request, handler: Any) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request)
        if request.path.startswith("/api/"):
            response.headers["x-oauth-scopes"] = ",".join(self.scopes)
        return response

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args = await _read_args(request)
        call = Call(method, args)
        self.calls.append(call)
        failures = self._failures.get(method)
        if failures:
            failure = failures.popleft()
            call.status = failure.status
            if failure.drop:
                call.error = "dropped"
                assert request.transport is not None
                request.transport.abort()
                return web.Response(status=500)
            call.error = "injected"
            if failure.status == 429:
                headers = {"Retry-After": str(failure.retry_after or 0)}
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers=headers
                )
            return web.Response(status=failure.status, text="upstream trouble")
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        if handler is None:
            call.status, call.error = 501, "unknown_method"
            self.unknown.append(call)
            return web.json_response({"ok": False, "error": "unknown_method"}, status=501)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != expected:
            call.error = "invalid_auth"
            return web.json_response({"ok": False, "error": "invalid_auth"})
        result: dict[str, Any] = handler(args)
        if not result.get("ok", True):
            call.error = result.get("error")
            return web.json_response(result)
        return web.json_response({"ok": True, **result})

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        data = await request.read()
        self.calls.append(Call("upload", {"file_id": file_id, "length": len(data)}))
        file = self.files.get(file_id)
        if file is None or int(file["length"]) != len(data):
            return web.Response(status=400, text="bad upload", content_type="text/plain")
        file["data"] = data
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _file_download(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        call = Call("download", {"key": key})
        self.calls.append(call)
        file = self.member_files.get(key.removeprefix(f"{TEAM_ID}-"))
        if file is None:
            call.status, call.error = 404, "file_not_found"
            return web.Response(status=404, text="Not Found", content_type="text/plain")
        if request.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
            # Slack answers an unauthenticated download with its sign-in page, status 200.
            call.error = "not_authed"
            self.bad_downloads.append(call)
            return web.Response(text="<!DOCTYPE html><title>Sign in | Slack</title>",
                                content_type="text/html")
        return web.Response(body=file["data"], content_type="text/plain")

    async def _response_url(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        body = await request.json()
        self.calls.append(Call("response_url", {"key": key, **body}))
        origin = self.response_urls.get(key)
        if origin is None or origin["uses"] >= 5:
            return web.Response(status=404, text="used_url", content_type="text/plain")
        origin["uses"] += 1
        blocks = body.get("blocks") or []
        errors = _check_blocks(blocks, 50) + self._check_text(body.get("text", ""), blocks)
        if errors:
            return web.Response(status=400, text="invalid_blocks", content_type="text/plain")
        url = f"{self.base}/response/{key}"
        if body.get("replace_original") and origin["message_ts"]:
            stored = self.message(origin["channel"], origin["message_ts"])
            if stored is not None:
                stored.update(text=body.get("text", ""), blocks=blocks)
            self.sent.append(Sent(
                "update", origin["channel"], origin["message_ts"], user=origin["user"],
                text=body.get("text", ""), blocks=blocks, via="response_url", response_url=url,
            ))
            return web.Response(text="ok", content_type="text/plain")
        if body.get("response_type") == "in_channel":
            message = self._store_bot_message(origin["channel"], body, None)
            self.sent.append(Sent("message", origin["channel"], message["ts"],
                                  text=message["text"], blocks=blocks, via="response_url"))
            return web.Response(text="ok", content_type="text/plain")
        ts = self.new_ts()
        self.ephemerals.append({"channel": origin["channel"], "user": origin["user"], "ts": ts})
        self.sent.append(Sent(
            "ephemeral", origin["channel"], ts, user=origin["user"], text=body.get("text", ""),
            blocks=blocks, via="response_url", response_url=url,
        ))
        return web.Response(text="ok", content_type="text/plain")

    # --- Web API methods (m_<method with _ for .>) ----------------------------------------

    def m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://studygroup.slack.com/",
            "team": TEAM_NAME,
            "user": "studybot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def m_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"ws://127.0.0.1:{self.port}/link?ticket={next(self._seq)}"}

    def m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"user": user}

    def m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        problem = self._writable(channel)
        if problem:
            return problem
        blocks = args.get("blocks") or []
        text = str(args.get("text") or "")
        if not text and not blocks:
            return {"ok": False, "error": "no_text"}
        errors = _check_blocks(blocks, 50) + self._check_text(text, blocks)
        if errors:
            return {"ok": False, "error": "invalid_blocks", "errors": errors}
        thread_ts = args.get("thread_ts")
        if thread_ts and self.message(channel, str(thread_ts)) is None:
            return {"ok": False, "error": "thread_not_found"}
        message = self._store_bot_message(channel, args, thread_ts)
        self.sent.append(Sent(
            "message", channel, message["ts"], thread_ts=thread_ts, text=text, blocks=blocks,
            metadata=args.get("metadata"),
        ))
        return {"channel": channel, "ts": message["ts"], "message": _public(message)}

    def m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, user = str(args.get("channel", "")), str(args.get("user", ""))
        problem = self._writable(channel)
        if problem:
            return problem
        if user not in self.channels[channel]["members"]:
            return {"ok": False, "error": "user_not_in_channel"}
        blocks = args.get("blocks") or []
        errors = _check_blocks(blocks, 50) + self._check_text(str(args.get("text", "")), blocks)
        if errors:
            return {"ok": False, "error": "invalid_blocks", "errors": errors}
        ts = self.new_ts()
        self.ephemerals.append({"channel": channel, "user": user, "ts": ts})
        self.sent.append(Sent(
            "ephemeral", channel, ts, thread_ts=args.get("thread_ts"), user=user,
            text=str(args.get("text", "")), blocks=blocks,
        ))
        return {"message_ts": ts}

    def m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        message = self.message(channel, ts)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if message.get("user") != BOT_USER:
            return {"ok": False, "error": "cant_update_message"}
        blocks = args.get("blocks") or []
        errors = _check_blocks(blocks, 50) + self._check_text(str(args.get("text", "")), blocks)
        if errors:
            return {"ok": False, "error": "invalid_blocks", "errors": errors}
        message.update(text=str(args.get("text", "")), blocks=blocks, edited={"user": BOT_USER})
        if args.get("metadata"):
            message["metadata"] = args["metadata"]
        self.sent.append(Sent(
            "update", channel, ts, thread_ts=message.get("thread_ts"), text=message["text"],
            blocks=blocks, metadata=args.get("metadata"),
        ))
        return {"channel": channel, "ts": ts}

    def m_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        message = self.message(channel, ts)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if message.get("user") != BOT_USER:
            return {"ok": False, "error": "cant_delete_message"}
        self.messages[channel].remove(message)
        self.sent.append(Sent("delete", channel, ts))
        return {"channel": channel, "ts": ts}

    def m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users or any(u not in self.users for u in users):
            return {"ok": False, "error": "user_not_found"}
        return {"channel": {"id": self._conversation(users)}}

    def m_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        if BOT_USER not in self.channels[channel]["members"]:
            return {"ok": False, "error": "not_in_channel"}
        oldest = float(args.get("oldest") or 0)
        limit = min(int(args.get("limit") or 100), 15)  # the non-Marketplace cap
        metadata = _truthy(args.get("include_all_metadata"))
        found = []
        for message in reversed(self.messages[channel]):
            if message.get("thread_ts") not in (None, message["ts"]):
                continue  # replies stay in their thread
            if float(message["ts"]) < oldest:
                continue
            shown = _public(message)
            if not metadata:
                shown.pop("metadata", None)
            found.append(shown)
        return {"messages": found[:limit], "has_more": len(found) > limit}

    def m_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """A thread: its parent first, then the replies from `oldest` on (oldest first)."""
        channel, root = str(args.get("channel", "")), str(args.get("ts", ""))
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        if BOT_USER not in self.channels[channel]["members"]:
            return {"ok": False, "error": "not_in_channel"}
        parent = self.message(channel, root)
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        oldest = float(args.get("oldest") or 0)
        limit = min(int(args.get("limit") or 100), 15)  # the non-Marketplace cap
        metadata = _truthy(args.get("include_all_metadata"))
        found = [parent] + [
            m for m in self.messages[channel]
            if m.get("thread_ts") == root and m["ts"] != root and float(m["ts"]) >= oldest
        ]
        shown = []
        for message in found[:limit]:
            public = _public(message)
            if not metadata:
                public.pop("metadata", None)
            shown.append(public)
        return {"messages": shown, "has_more": len(found) > limit}

    def m_reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("timestamp", ""))
        message = self.message(channel, ts)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        name = str(args.get("name", ""))
        reactions = message.setdefault("reactions", {})
        if BOT_USER in reactions.get(name, []):
            return {"ok": False, "error": "already_reacted"}
        reactions.setdefault(name, []).append(BOT_USER)
        self.sent.append(Sent("reaction", channel, ts, text=name))
        return {}

    def m_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger = self.triggers.get(str(args.get("trigger_id", "")))
        if trigger is None:
            return {"ok": False, "error": "invalid_trigger_id"}
        if trigger["used"] or time.monotonic() - trigger["at"] > self.trigger_seconds:
            return {"ok": False, "error": "expired_trigger_id"}
        trigger["used"] = True
        view = dict(args.get("view") or {})
        uploads = [b for b in view.get("blocks", []) if b.get("element", {}).get("type")
                   == "file_input"]
        if uploads and "files:read" not in self.scopes:
            return {"ok": False, "error": "missing_scope", "needed": "files:read"}
        errors = _check_view(view, "modal")
        if errors:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {
                "messages": errors}}
        view.update(id=self.new_id("V"), hash=self.new_id("h"), team_id=TEAM_ID,
                    state={"values": {}})
        self.views[view["id"]] = {**view, "user": trigger["user"]}
        self.sent.append(Sent("view", user=trigger["user"], view=view))
        return {"view": view}

    def m_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user_id", ""))
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        view = dict(args.get("view") or {})
        errors = _check_view(view, "home") + self._check_text("", view.get("blocks") or [])
        if errors:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {
                "messages": errors}}
        view.update(id=self.new_id("V"), hash=self.new_id("h"), team_id=TEAM_ID)
        self.home[user] = view
        self.sent.append(Sent("home", user=user, view=view, blocks=view.get("blocks") or []))
        return {"view": view}

    def m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("filename") or not args.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self.new_id("F")
        self.files[file_id] = {
            "id": file_id, "name": args["filename"], "length": int(args["length"]),
            "alt_txt": args.get("alt_txt"), "data": None,
        }
        return {"upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        items = args.get("files") or []
        done = []
        for item in items:
            file = self.files.get(item.get("id"))
            if file is None or file["data"] is None:
                return {"ok": False, "error": "file_not_found"}
            file["title"] = item.get("title")
            done.append({"id": file["id"], "name": file["name"], "title": file["title"]})
        channel = args.get("channel_id")
        if channel:
            problem = self._writable(str(channel))
            if problem:
                return problem
            thread_ts = args.get("thread_ts")
            message: dict[str, Any] = {
                "type": "message", "ts": self.new_ts(), "user": BOT_USER, "bot_id": BOT_ID,
                "text": str(args.get("initial_comment") or ""), "files": done,
            }
            if thread_ts:
                message["thread_ts"] = thread_ts
            self.messages[str(channel)].append(message)
            self.sent.append(Sent(
                "file", str(channel), message["ts"], thread_ts=thread_ts,
                text=" ".join(f"{f['name']} ({self.files[f['id']]['alt_txt']})" for f in done),
            ))
        return {"files": done}

    # --- helpers ------------------------------------------------------------------------------

    def _writable(self, channel: str) -> dict[str, Any] | None:
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        if BOT_USER not in self.channels[channel]["members"]:
            return {"ok": False, "error": "not_in_channel"}
        return None

    def _conversation(self, users: list[str]) -> str:
        members = {*users, BOT_USER}
        for channel in self.channels.values():
            if (channel["is_im"] or channel["is_mpim"]) and channel["members"] == members:
                return str(channel["id"])
        is_im = len(users) == 1
        channel_id = self.new_id("D" if is_im else "G")
        self.channels[channel_id] = {
            "id": channel_id, "name": "", "is_channel": False, "is_group": False,
            "is_im": is_im, "is_mpim": not is_im, "members": members,
        }
        return channel_id

    def _store_bot_message(
        self, channel: str, args: dict[str, Any], thread_ts: Any
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message", "ts": self.new_ts(), "user": BOT_USER, "bot_id": BOT_ID,
            "app_id": APP_ID, "text": str(args.get("text") or ""),
            "blocks": args.get("blocks") or [],
        }
        if thread_ts:
            message["thread_ts"] = str(thread_ts)
        if args.get("metadata"):
            message["metadata"] = args["metadata"]
        self.messages[channel].append(message)
        return message

    def _check_text(self, text: str, blocks: list[dict[str, Any]]) -> list[str]:
        """No special pings anywhere in what the bot sends (they would notify everyone)."""
        found = [m.group(0) for m in _PING.finditer(text + json.dumps(blocks))]
        self.pings += found
        return [f"ping markup {p}" for p in found]


async def _read_args(request: web.Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            args.update(await request.json())
        else:
            raw = await request.text()
            args.update(dict(parse_qsl(raw, keep_blank_values=True)))
    args.pop("token", None)
    for key in _JSON_KEYS:
        if isinstance(args.get(key), str) and args[key][:1] in ("[", "{"):
            args[key] = json.loads(args[key])
    return args


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


def _public(message: dict[str, Any]) -> dict[str, Any]:
    shown = dict(message)
    if "reactions" in shown:
        shown["reactions"] = [
            {"name": k, "users": v, "count": len(v)} for k, v in shown["reactions"].items()
        ]
    return shown


def _text_len(obj: dict[str, Any] | None) -> int:
    return len((obj or {}).get("text", ""))


def _check_blocks(blocks: list[dict[str, Any]], limit: int) -> list[str]:
    """The Block Kit rules a real Slack enforces (the subset the bot uses)."""
    errors = []
    if len(blocks) > limit:
        errors.append(f"{len(blocks)} blocks (max {limit})")
    action_ids: set[str] = set()
    for i, block in enumerate(blocks):
        kind = block.get("type")
        if kind not in _BLOCK_TYPES:
            errors.append(f"block {i}: unknown type {kind}")
        elif kind == "header":
            if block["text"]["type"] != "plain_text" or not 0 < _text_len(block["text"]) <= 150:
                errors.append(f"block {i}: header text")
        elif kind == "section":
            if "text" in block and not 0 < _text_len(block["text"]) <= 3000:
                errors.append(f"block {i}: section text length {_text_len(block['text'])}")
            fields = block.get("fields") or []
            if len(fields) > 10 or any(not 0 < _text_len(f) <= 2000 for f in fields):
                errors.append(f"block {i}: fields")
            if "text" not in block and not fields:
                errors.append(f"block {i}: empty section")
        elif kind == "context":
            if not 0 < len(block.get("elements") or []) <= 10:
                errors.append(f"block {i}: context elements")
        elif kind == "actions":
            elements = block.get("elements") or []
            if not 0 < len(elements) <= 25:
                errors.append(f"block {i}: {len(elements)} actions")
            for element in elements:
                errors += _check_element(i, element, action_ids)
    return errors


def _check_element(i: int, element: dict[str, Any], action_ids: set[str]) -> list[str]:
    errors = []
    action_id = str(element.get("action_id", ""))
    if not action_id or len(action_id) > 255 or action_id in action_ids:
        errors.append(f"block {i}: action_id {action_id!r} missing, long or repeated")
    action_ids.add(action_id)
    if element["type"] == "button":
        if not 0 < _text_len(element.get("text")) <= 75:
            errors.append(f"block {i}: button text")
        if element.get("style") not in (None, "primary", "danger"):
            errors.append(f"block {i}: button style {element.get('style')}")
    elif element["type"] in ("static_select", "multi_static_select"):
        options = element.get("options") or []
        if not 0 < len(options) <= 100:
            errors.append(f"block {i}: {len(options)} options")
        for option in options:
            if not 0 < _text_len(option.get("text")) <= 75 or len(option.get("value", "")) > 150:
                errors.append(f"block {i}: option {option}")
    else:
        errors.append(f"block {i}: unknown element {element['type']}")
    return errors


def _check_view(view: dict[str, Any], kind: str) -> list[str]:
    errors = []
    if view.get("type") != kind:
        errors.append(f"view type {view.get('type')} (expected {kind})")
    blocks = view.get("blocks") or []
    if kind == "modal":
        for key in ("title", "submit", "close"):
            if key in view and not 0 < _text_len(view[key]) <= 24:
                errors.append(f"{key} must be 1-24 characters")
        if len(str(view.get("private_metadata", ""))) > 3000:
            errors.append("private_metadata over 3000 characters")
        for block in blocks:
            if block.get("type") == "input":
                element = block.get("element") or {}
                kind = element.get("type")
                if kind not in ("plain_text_input", "file_input") or not element.get("action_id"):
                    errors.append(f"input {block.get('block_id')}: element")
                if kind == "file_input" and not 1 <= int(element.get("max_files", 10)) <= 10:
                    errors.append(f"input {block.get('block_id')}: max_files 1-10")
                if not all(isinstance(t, str) for t in element.get("filetypes", [])):
                    errors.append(f"input {block.get('block_id')}: filetypes")
                if "hint" in block and not 0 < _text_len(block["hint"]) <= 2000:
                    errors.append(f"input {block.get('block_id')}: hint")
                if int(element.get("max_length", 0)) > 3000:
                    errors.append(f"input {block.get('block_id')}: max_length over 3000")
                if not 0 < _text_len(block.get("label")) <= 2000:
                    errors.append(f"input {block.get('block_id')}: label")
        non_input = [b for b in blocks if b.get("type") != "input"]
        errors += _check_blocks(non_input, 100)
    else:
        errors += _check_blocks(blocks, 100)
    return errors


def _block_lines(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind in ("header", "section") and block.get("text"):
        lines = [block["text"]["text"]]
    else:
        lines = []
    if kind == "section":
        lines += [f["text"].replace("\n", ": ", 1) for f in block.get("fields") or []]
    elif kind == "context":
        lines += [e.get("text", "") for e in block.get("elements") or []]
    elif kind == "actions":
        parts = []
        for element in block.get("elements") or []:
            if element["type"] == "button":
                parts.append(f"[{element['text']['text']}]")
            else:
                options = " | ".join(o["text"]["text"] for o in element.get("options") or [])
                parts.append(f"{{{element['placeholder']['text']}: {options}}}")
        lines.append(" ".join(parts))
    elif kind == "input":
        lines.append(f"<input {block['block_id']}: {block['label']['text']}>")
    elif kind == "image":
        lines.append(f"(image {block.get('alt_text', '')})")
    return lines
