"""The fake Discord gateway: HELLO, IDENTIFY, READY, heartbeats, RESUME with replay, 4014.

It speaks the real protocol to the real discord.py client over a websocket (plain text frames,
which discord.py reads without inflating). Every dispatched event is kept in its session's
log with its sequence number, so a client that lost the connection and RESUMEs gets exactly
the events it missed, as Discord does.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

HELLO, HEARTBEAT, IDENTIFY, RESUME, INVALID_SESSION, HEARTBEAT_ACK = 10, 1, 2, 6, 9, 11
DISPATCH = 0
HEARTBEAT_INTERVAL_MS = 41250

# Intent bits (Discord's numbering).
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
DIRECT_MESSAGES = 1 << 12
DIRECT_MESSAGE_REACTIONS = 1 << 13
MESSAGE_CONTENT = 1 << 15
PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

ReadyBuilder = Callable[[int, int, str], tuple[dict[str, Any], list[dict[str, Any]]]]


@dataclass
class Session:
    """One gateway session (one shard); survives reconnects until invalidated."""

    session_id: str
    shard: tuple[int, int]
    intents: int
    seq: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None

    def wants(self, intent: int | None) -> bool:
        return intent is None or bool(self.intents & intent)


class FakeGateway:
    """Sessions by id; `dispatch` sends an event to the shard that owns it."""

    def __init__(self, ready: ReadyBuilder, fail: Callable[[str], None]) -> None:
        self._ready = ready
        self._fail = fail
        self.sessions: dict[str, Session] = {}
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.refuse_intents = 0  # intents that the "developer portal" has not enabled
        self.closed_with: list[int] = []
        self.replayed = 0
        self.ready_sent = asyncio.Event()
        self.resumed = asyncio.Event()
        self._count = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self.paths.append(request.path)
        session: Session | None = None
        hello = {"op": HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}
        await ws.send_str(json.dumps(hello))
        try:
            async for frame in ws:
                if frame.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(frame.data)
                op, data = payload.get("op"), payload.get("d")
                if op == HEARTBEAT:
                    await ws.send_str(json.dumps({"op": HEARTBEAT_ACK}))
                elif op == IDENTIFY:
                    session = await self._identify(ws, data)
                    if session is None:
                        break
                elif op == RESUME:
                    session = await self._resume(ws, data)
                elif op in (3, 8):  # presence update, member request: accepted, unused
                    continue
                else:
                    self._fail(f"gateway: unexpected op {op}: {payload}")
        finally:
            if session is not None and session.ws is ws:
                session.ws = None
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        self.identifies.append(data)
        intents = int(data.get("intents", 0))
        if intents & self.refuse_intents:
            self.closed_with.append(4014)
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard = tuple(data.get("shard") or (0, 1))
        self._count += 1
        session = Session(f"session-{self._count}", (int(shard[0]), int(shard[1])), intents)
        self.sessions[session.session_id] = session
        session.ws = ws
        ready, guilds = self._ready(session.shard[0], session.shard[1], session.session_id)
        await self._send(session, "READY", ready)
        for guild in guilds:
            await self._send(session, "GUILD_CREATE", guild)
        self.ready_sent.set()
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        self.resumes.append(data)
        session = self.sessions.get(str(data.get("session_id")))
        if session is None:
            await ws.send_str(json.dumps({"op": INVALID_SESSION, "d": False}))
            return None
        session.ws = ws
        last = int(data.get("seq") or 0)
        for frame in session.log:
            if frame["s"] > last:
                self.replayed += 1
                await ws.send_str(json.dumps(frame))
        await self._send(session, "RESUMED", {"_trace": ["fake-gateway"]})
        self.resumed.set()
        return session

    async def _send(self, session: Session, event: str, data: Any) -> None:
        session.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.log.append(frame)
        if session.ws is not None and not session.ws.closed:
            await session.ws.send_str(json.dumps(frame))
        # else: kept in the log; a RESUME replays it

    def session_for(self, guild_id: int | None) -> Session | None:
        """The newest session of the shard that owns `guild_id` (DMs: shard 0)."""
        found = None
        for session in self.sessions.values():
            shard_id, count = session.shard
            owner = 0 if guild_id is None else (guild_id >> 22) % count
            if owner == shard_id:
                found = session
        return found

    async def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        guild_id: int | None,
        intent: int | None = None,
        shape: Callable[[Session, dict[str, Any]], dict[str, Any]] | None = None,
    ) -> bool:
        """Send `event` to its shard if that session asked for `intent`; False if not sent."""
        session = self.session_for(guild_id)
        if session is None or not session.wants(intent):
            return False
        await self._send(session, event, shape(session, data) if shape else data)
        return True

    async def drop(self, code: int = 4000) -> None:
        """Close every open connection as a server would; discord.py then RESUMEs."""
        self.resumed.clear()
        for session in self.sessions.values():
            if session.ws is not None and not session.ws.closed:
                ws, session.ws = session.ws, None
                self.closed_with.append(code)
                await ws.close(code=code, message=b"fake server restart")

    async def close(self) -> None:
        for session in self.sessions.values():
            if session.ws is not None and not session.ws.closed:
                await session.ws.close(code=1001)
