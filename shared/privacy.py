"""Masking of personal data for roles that may not see it, and redaction of logs.

Views show an ID number, a phone number or a precise home only to roles that need it
(docs/security.md); everyone else gets the masked form made here. ``install_redaction``
makes every log record in the process pass through ``redact`` so an ID number or a
phone number that slips into a message or a traceback never reaches a log file.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# 18-digit resident ID (last may be X) or the old 15-digit one; mainland mobile numbers;
# landlines with an area code. Bounded by non-digits so order ids and timestamps survive.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
# Not inside a longer token (hex ids, UUIDs like ``b1391234-5678-4817-…``): a phone
# number stands apart from letters, digits and hyphens.
_MOBILE = re.compile(r"(?<![0-9A-Za-z-])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}"
                     r"(?![0-9A-Za-z-])")
_LANDLINE = re.compile(r"(?<![0-9A-Za-z-])0\d{2,3}-\d{7,8}(?![0-9A-Za-z-])")
REDACTED_ID = "[ID-NUMBER]"
REDACTED_PHONE = "[PHONE]"


def mask_id_number(value: str | None) -> str | None:
    """``500110201605011234`` → ``500110************``: the region code only.

    Birth date, sequence and check character are hidden together: a birth date (or an
    age) sent beside the mask leaves about a thousand candidates, never one number.
    """
    if not value:
        return value
    keep = 6 if len(value) > 8 else 0
    return value[:keep] + "*" * (len(value) - keep)


def mask_phone(value: str | None) -> str | None:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return value
    digits = re.sub(r"\D", "", value)
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(value: str | None) -> str | None:
    """``王小明`` → ``王**``: the family name is enough to talk about a child."""
    if not value:
        return value
    return value[0] + "*" * max(len(value) - 1, 1)


def coarse_location(lon: float, lat: float, decimals: int = 2) -> tuple[float, float]:
    """Round WGS 84 degrees (EPSG:4326) to ``decimals`` places: 2 ≈ 1 km, enough for
    planning, too coarse to find a house."""
    return round(lon, decimals), round(lat, decimals)


def redact(text: str) -> str:
    """Replace ID numbers and phone numbers in free text by placeholders."""
    text = _ID_NUMBER.sub(REDACTED_ID, text)
    text = _MOBILE.sub(REDACTED_PHONE, text)
    return _LANDLINE.sub(REDACTED_PHONE, text)


class RedactingFilter(logging.Filter):
    """A logging filter (for handlers you own) that redacts the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


def _redact_record(record: logging.LogRecord) -> None:
    if getattr(record, "_shouhu_redacted", False):
        return
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a malformed %-format: keep the raw template only
        message = str(record.msg)
    record.msg, record.args = redact(message), None
    if record.exc_info:  # another handler may already have cached the plain traceback
        record.exc_text = redact(record.exc_text
                                 or logging.Formatter().formatException(record.exc_info))
    record._shouhu_redacted = True


_installed = False


def install_redaction() -> None:
    """Redact every log record this process creates, whatever logger or handler
    (gunicorn's included). Idempotent."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _redact_record(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
