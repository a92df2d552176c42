"""JSON over HTTP, shared by the webhook, WeCom, DingTalk and SMS clients.

Each sender thread keeps its own ``requests`` session, so connections to a receiver
stay open (HTTP keep-alive) between messages instead of a TCP/TLS handshake each."""

from __future__ import annotations

from typing import Any

import requests

from services.notifier.adapters.channels.per_thread import PerThread
from services.notifier.domain.exceptions import ChannelError

RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


class HttpChannel:
    """Base of the HTTP channels: a keep-alive session per sender thread."""

    def __init__(self, timeout_s: float = 10.0):
        self.timeout_s = timeout_s
        self.sessions: PerThread[requests.Session] = PerThread(requests.Session,
                                                               requests.Session.close)

    def post(self, url: str, **kwargs: Any) -> dict[str, Any]:
        """Send and decode a JSON answer; map transport and HTTP failures to ChannelError.

        Messages name the status or error class only: URLs may hold robot keys."""
        try:
            resp = self.sessions.get().post(url, timeout=self.timeout_s, **kwargs)
        except requests.RequestException as exc:
            raise ChannelError(f"transport: {type(exc).__name__}", retryable=True) from exc
        if resp.status_code >= 300:
            raise ChannelError(f"HTTP {resp.status_code}",
                               retryable=resp.status_code in RETRYABLE_STATUS)
        if not resp.content:
            return {}
        try:
            body = resp.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def close(self) -> None:
        self.sessions.close()


def check_errcode(body: dict[str, Any], retryable_codes: set[int]) -> None:
    """WeCom and DingTalk robots answer HTTP 200 with ``errcode`` ≠ 0 on failure."""
    code = int(body.get("errcode", 0) or 0)
    if code != 0:
        raise ChannelError(f"errcode {code}", retryable=code in retryable_codes)
