"""JSON over HTTP, shared by the webhook, WeCom, DingTalk and SMS clients.

urllib3 directly, not ``requests``: its pool manager is safe to share between sender
threads and keeps connections to each receiver open between messages (HTTP
keep-alive), at half the CPU per call (docs/performance.md). No automatic retries or
redirects: the dispatcher's retry policy decides, and a receiver that redirects a
webhook is misconfigured.
"""

from __future__ import annotations

import json
from typing import Any

import urllib3

from services.notifier.domain.exceptions import ChannelError

RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
CONNECTIONS_PER_HOST = 10  # kept open; more senders than this open extra ones


class HttpChannel:
    """Base of the HTTP channels."""

    def __init__(self, timeout_s: float = 10.0):
        self.pool = urllib3.PoolManager(maxsize=CONNECTIONS_PER_HOST, retries=False,
                                        timeout=timeout_s)

    def post(self, url: str, **kwargs: Any) -> dict[str, Any]:
        """Send and decode a JSON answer; map transport and HTTP failures to ChannelError.

        Messages name the status or error class only: URLs may hold robot keys."""
        try:
            resp = self.pool.request("POST", url, **kwargs)
        except urllib3.exceptions.HTTPError as exc:
            raise ChannelError(f"transport: {type(exc).__name__}", retryable=True) from exc
        if resp.status >= 300:
            raise ChannelError(f"HTTP {resp.status}", retryable=resp.status in RETRYABLE_STATUS)
        try:
            body = json.loads(resp.data) if resp.data else {}
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def close(self) -> None:
        self.pool.clear()


def check_errcode(body: dict[str, Any], retryable_codes: set[int]) -> None:
    """WeCom and DingTalk robots answer HTTP 200 with ``errcode`` ≠ 0 on failure."""
    code = int(body.get("errcode", 0) or 0)
    if code != 0:
        raise ChannelError(f"errcode {code}", retryable=code in retryable_codes)
