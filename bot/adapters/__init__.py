"""Platform adapters: translate payloads to neutral events and neutral replies to API calls.

An adapter holds a reference to the dispatcher (composition, never inheritance) and implements
the chat port for its platform. Adapters never touch the store.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.ids import Platform
from bot.core.ports import ChatPort


class Adapter(Protocol):
    """Lifecycle of one platform connection."""

    platform: Platform
    port: ChatPort

    async def start(self) -> None:
        """Connect; return once connected (the connection runs in background tasks)."""
        ...

    async def stop(self) -> None:
        """Disconnect and release everything."""
        ...

    @property
    def connected(self) -> bool: ...
