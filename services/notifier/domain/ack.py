"""Acknowledgement links: ``/ack/<delivery_id>.<mac>``, signed so nobody can forge one
for a delivery they did not receive, single-use by a stored record of spent links."""

from __future__ import annotations

import base64
import hashlib
import hmac

from services.notifier.domain.exceptions import AckRefused


def _mac(delivery_id: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), b"ack:" + delivery_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def make_token(delivery_id: str, secret: str) -> str:
    return f"{delivery_id}.{_mac(delivery_id, secret)}"


def read_token(token: str, secret: str) -> str:
    """The delivery id a genuine token names; AckRefused otherwise."""
    delivery_id, _, mac = token.partition(".")
    # bytes, not str: compare_digest refuses non-ASCII strings, and tokens come from URLs
    if not delivery_id or not hmac.compare_digest(mac.encode(),
                                                  _mac(delivery_id, secret).encode()):
        raise AckRefused("this acknowledgement link is not valid")
    return delivery_id
