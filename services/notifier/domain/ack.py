"""Acknowledgement links: ``/ack/<delivery_id>.<expires>.<mac>``, signed so nobody can
forge one for a delivery they did not receive, expiring (``expires``, epoch seconds,
under the signature) and single-use by a stored record of spent links.

Opening a link only shows a confirmation page; the button on it (a POST) acknowledges.
Mail scanners and link previews fetch links with GET or HEAD, and must not stop an
urgent escalation by doing so."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from services.notifier.domain.exceptions import AckRefused

LINK_TTL_S = 72 * 3600  # three days: beyond any escalation chain, short if a mail leaks


def _mac(delivery_id: str, expires: int, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"ack:{delivery_id}:{expires}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def make_token(delivery_id: str, secret: str, now: datetime, ttl_s: int = LINK_TTL_S) -> str:
    expires = int(now.timestamp()) + ttl_s
    return f"{delivery_id}.{expires}.{_mac(delivery_id, expires, secret)}"


def read_token(token: str, secret: str, now: datetime) -> str:
    """The delivery id a genuine, unexpired token names; AckRefused otherwise."""
    head, _, mac = token.rpartition(".")
    delivery_id, _, expires = head.rpartition(".")
    if not delivery_id or not expires.isdigit():
        raise AckRefused("this acknowledgement link is not valid")
    # bytes, not str: compare_digest refuses non-ASCII strings, and tokens come from URLs
    if not hmac.compare_digest(mac.encode(), _mac(delivery_id, int(expires), secret).encode()):
        raise AckRefused("this acknowledgement link is not valid")
    if int(expires) < now.timestamp():
        raise AckRefused("this acknowledgement link has expired; acknowledge in the inbox")
    return delivery_id
