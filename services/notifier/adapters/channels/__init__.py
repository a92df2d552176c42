"""Channel clients: each speaks one real protocol and raises ChannelError on failure."""

from __future__ import annotations

from typing import Protocol

from services.notifier.domain.message import Message


class Channel(Protocol):
    def send(self, message: Message, address: str) -> str:
        """Deliver ``message`` to ``address``; return the provider's reference."""

    def close(self) -> None:
        """Close the connections kept between messages (the worker is stopping)."""
