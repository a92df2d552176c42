"""A small sliding-window rate limiter for views (login, search, export).

Counts live in the process: with N gunicorn workers a caller gets at most N times the
limit, which is enough to stop password guessing and scraping (account lockout in the
gateway's user store is the cross-process defence for logins).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from shared.auth.flask import refuse

F = TypeVar("F", bound=Callable[..., Any])
# Per signed-in person and minute. A search page holds at most 50 children, so paging a
# whole township (``shouhu up`` reads ~6,000 children) fits; exports are rarer and heavier.
SEARCHES_PER_MINUTE = 300
EXPORTS_PER_MINUTE = 10


class RateLimiter:
    """At most ``limit`` hits per ``window_s`` seconds for each key."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Count one hit; 0 if allowed, else the seconds until the next one is."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return hits[0] + self.window_s - now
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle callers so memory stays bounded
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now
                              - self.window_s}
            return 0.0


def caller_key() -> str:
    """The signed-in user if any, else the client address."""
    principal = g.get("principal")
    return f"user:{principal.user_id}" if principal else f"addr:{request.remote_addr}"


def rate_limit(limit: int, window_s: float = 60.0, key: Callable[[], str] = caller_key,
               what: str = "requests") -> Callable[[F], F]:
    """Refuse with 429 (and ``Retry-After``) past ``limit`` calls per window per caller."""
    limiter = RateLimiter(limit, window_s)

    def deco(fn: F) -> F:
        @wraps(fn)  # keeps the route rule (@allow/@public) of the view
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            wait = limiter.hit(f"{fn.__qualname__}|{key()}")
            if wait:
                g.retry_after = math.ceil(wait)
                refuse(429, f"too many {what}: at most {limit} every {window_s:g} s; "
                            f"retry in {math.ceil(wait)} s")
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]  # the view's own signature

    return deco
