"""Cameras and sensors at the water: signed calls and silence detection."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from services.hazards.domain.exceptions import DeviceRefused

SIGNATURE_PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    """The value of ``X-Shouhu-Signature`` for a body: HMAC-SHA256, hex."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str | None, body: bytes, signature: str | None) -> None:
    """Refuse unknown devices and missing or wrong signatures, in constant time."""
    if not secret:
        raise DeviceRefused("unknown device")
    if not signature:
        raise DeviceRefused("missing X-Shouhu-Signature header")
    # as bytes: compare_digest refuses a str with non-ASCII characters (a 500 before)
    if not hmac.compare_digest(sign(secret, body).encode(),
                               signature.strip().encode("utf-8", "replace")):
        raise DeviceRefused("signature does not match the body")


def check_fresh(sent_at: datetime, now: datetime, max_skew: timedelta) -> None:
    """Refuse replayed or badly clocked calls (the signature alone cannot date a body)."""
    if abs(now - sent_at) > max_skew:
        raise DeviceRefused(f"sent_at {sent_at.isoformat()} is more than "
                            f"{int(max_skew.total_seconds())} s away from the server clock")


def silent_since(last_seen: datetime, interval_s: int, factor: float) -> datetime:
    """The moment a device becomes silent: ``factor`` missed intervals after last seen."""
    return last_seen + timedelta(seconds=interval_s * factor)
