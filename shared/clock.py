"""Instants and the township's business dates, decided in one place.

Every stored or sent instant is UTC-aware (``shared.db.UTCDateTime`` stores them). A
business date — visited on, due on, overdue "today", a plan's first day — is the
township's calendar date in ``SHOUHU_TIMEZONE`` (default Asia/Shanghai): a visit at
00:30 Beijing time is on that Beijing day, though UTC still shows the day before.
Callers read the time through this module (``clock.now()``), so tests can set it.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.config import ConfigError

DEFAULT_TIMEZONE = "Asia/Shanghai"


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"SHOUHU_TIMEZONE={name!r} is not an IANA time zone "
                          "(e.g. Asia/Shanghai)") from exc


def township_zone() -> ZoneInfo:
    """The township's time zone (``SHOUHU_TIMEZONE``)."""
    return _zone(os.environ.get("SHOUHU_TIMEZONE") or DEFAULT_TIMEZONE)


def now() -> datetime:
    """The current instant, UTC-aware."""
    return datetime.now(UTC)


def business_date(instant: datetime) -> date:
    """The township's calendar date of an instant (which must carry an offset)."""
    if instant.tzinfo is None:
        raise ValueError(f"an instant needs an offset, got naive {instant.isoformat()}")
    return instant.astimezone(township_zone()).date()


def township_today() -> date:
    """Today in the township."""
    return business_date(now())


def start_of(day: date) -> datetime:
    """The instant the township's ``day`` begins, in UTC."""
    return datetime.combine(day, time.min, township_zone()).astimezone(UTC)


def typed_instant(text: str) -> datetime:
    """A time a person typed (command line, form); without an offset it is the
    township's wall time, never the machine's."""
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=township_zone())
