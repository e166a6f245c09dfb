"""The fake Socket Mode websocket: pushes envelopes to the connected app and collects acks.

Slack's Socket Mode protocol: on connect the server sends `{"type": "hello"}`; each delivery is
an envelope `{"envelope_id", "type": "slash_commands"|"interactive"|"events_api", "payload",
"accepts_response_payload", "retry_attempt", "retry_reason"}`; the app answers
`{"envelope_id": ..., "payload"?: ...}` within 3 seconds. Ack latency is measured per envelope.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from itertools import count
from typing import Any

from aiohttp import WSMsgType, web

ACK_DEADLINE = 3.0
WAIT = 5.0  # how long a test waits for the app before failing


@dataclass
class Ack:
    """The app's answer to one envelope and how long it took."""

    envelope_id: str
    latency: float
    payload: dict[str, Any] | None


class SocketModeLink:
    """The `/link` websocket the fake's apps.connections.open points at."""

    def __init__(self) -> None:
        self._ids = count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._pushed: dict[str, float] = {}
        self._waiting: dict[str, asyncio.Future[Ack]] = {}
        self.acks: dict[str, Ack] = {}
        self.envelopes: list[dict[str, Any]] = []
        self.connections = 0
        self.stray: list[str] = []
        self._connected = asyncio.Event()
        self._new_connection = asyncio.Event()

    async def handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
            "connection_info": {"app_id": "A0STUDY"},
        }))
        self._sockets.append(ws)
        self.connections += 1
        self._connected.set()
        self._new_connection.set()
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_text(msg.data)
        finally:
            self._sockets.remove(ws)
        return ws

    async def wait_connected(self) -> None:
        await asyncio.wait_for(self._connected.wait(), WAIT)

    async def wait_for_connections(self, count: int) -> None:
        """Wait until the app has opened `count` connections in all (reconnects included)."""
        while self.connections < count:
            self._new_connection.clear()
            await asyncio.wait_for(self._new_connection.wait(), WAIT)

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does every few hours."""
        await self._sockets[-1].send_str(json.dumps({"type": "disconnect", "reason": reason}))

    async def push(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> str:
        """Send one envelope to the connected app; returns its envelope id."""
        if not self._sockets:
            raise AssertionError("no Socket Mode connection to push to")
        envelope_id = f"env-{next(self._ids):04d}"
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        self.envelopes.append(envelope)
        self._pushed[envelope_id] = time.monotonic()
        self._waiting[envelope_id] = asyncio.get_running_loop().create_future()
        await self._sockets[-1].send_str(json.dumps(envelope))  # the newest connection
        return envelope_id

    async def ack_of(self, envelope_id: str) -> Ack:
        ack = await asyncio.wait_for(asyncio.shield(self._waiting[envelope_id]), WAIT)
        assert ack.latency < ACK_DEADLINE, f"ack of {envelope_id} took {ack.latency:.2f} s"
        return ack

    @property
    def max_latency(self) -> float:
        return max((a.latency for a in self.acks.values()), default=0.0)

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()

    def _on_text(self, data: str) -> None:
        message = json.loads(data)
        envelope_id = message.get("envelope_id")
        if envelope_id not in self._pushed:
            self.stray.append(data)
            return
        ack = Ack(envelope_id, time.monotonic() - self._pushed[envelope_id], message.get("payload"))
        self.acks[envelope_id] = ack
        waiter = self._waiting.get(envelope_id)
        if waiter is not None and not waiter.done():
            waiter.set_result(ack)
