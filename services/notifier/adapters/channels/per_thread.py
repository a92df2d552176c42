"""One client resource per sender thread, kept between messages.

An SMTP connection is not safe to share between threads, but opening one per message
(TCP, TLS handshake, EHLO, login) cost more than the message itself
(docs/performance.md, ADR 0303); so each sender thread keeps its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerThread(Generic[T]):
    def __init__(self, make: Callable[[], T], close: Callable[[T], None]):
        self._make = make
        self._close = close
        self._local = threading.local()
        self._open: list[T] = []  # every thread's, so that ``close`` can end them all
        self._lock = threading.Lock()

    def held(self) -> bool:
        """Whether this thread already has one (which the far end may have dropped)."""
        return getattr(self._local, "item", None) is not None

    def get(self) -> T:
        item: T | None = getattr(self._local, "item", None)
        if item is None:
            item = self._local.item = self._make()
            with self._lock:
                self._open.append(item)
        return item

    def discard(self) -> None:
        """Close this thread's one (broken, or in an unknown state); ``get`` opens anew."""
        item = getattr(self._local, "item", None)
        self._local.item = None
        if item is not None:
            with self._lock:
                if item in self._open:  # not if ``close`` took it already
                    self._open.remove(item)
            self._close(item)

    def close(self) -> None:
        """Close every thread's one (the worker is stopping)."""
        with self._lock:
            items, self._open = self._open, []
        for item in items:
            self._close(item)
