"""The township's business dates: 00:30 in Beijing is already the next day there."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from shared import clock
from shared.config import ConfigError

BEIJING = timezone(timedelta(hours=8))


def test_business_dates_are_the_townships_whatever_the_offset():
    late = datetime(2026, 6, 30, 15, 30, tzinfo=UTC)  # 23:30 in Beijing
    after_midnight = datetime(2026, 6, 30, 16, 30, tzinfo=UTC)  # 00:30 on 1 July
    assert clock.business_date(late) == date(2026, 6, 30)
    assert clock.business_date(after_midnight) == date(2026, 7, 1)
    assert clock.business_date(after_midnight.astimezone(BEIJING)) == date(2026, 7, 1)
    assert clock.start_of(date(2026, 7, 1)) == datetime(2026, 6, 30, 16, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="needs an offset"):
        clock.business_date(datetime(2026, 7, 1, 0, 30))


def test_the_time_zone_is_a_setting(monkeypatch):
    monkeypatch.setenv("SHOUHU_TIMEZONE", "Asia/Urumqi")  # UTC+6
    assert clock.business_date(datetime(2026, 6, 30, 16, 30, tzinfo=UTC)) == date(2026, 6, 30)
    assert clock.typed_instant("2026-07-01T00:30") == datetime(2026, 6, 30, 18, 30, tzinfo=UTC)
    monkeypatch.setenv("SHOUHU_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="SHOUHU_TIMEZONE"):
        clock.township_zone()


def test_a_typed_time_keeps_its_offset_or_is_the_townships(monkeypatch):
    monkeypatch.delenv("SHOUHU_TIMEZONE", raising=False)
    assert clock.typed_instant("2026-07-01T00:30") == datetime(2026, 6, 30, 16, 30, tzinfo=UTC)
    assert clock.typed_instant("2026-07-01T00:30Z") == datetime(2026, 7, 1, 0, 30, tzinfo=UTC)


def test_today_follows_the_clock(monkeypatch):
    monkeypatch.delenv("SHOUHU_TIMEZONE", raising=False)
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 6, 30, 16, 30, tzinfo=UTC))
    assert clock.township_today() == date(2026, 7, 1)
