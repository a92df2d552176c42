"""Business dates are the township's (Asia/Shanghai) whatever offset a time arrives
with, and "today" is the township's today. The clock is set to 23:30 and 00:30 Beijing
time: at 00:30 it is already the next day in the township, still the previous in UTC."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from reg_helpers import child_body, events
from sqlalchemy import update

from services.registry.adapters.tables import children
from services.registry.service_layer import visits
from shared import clock

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def at(monkeypatch):  # type: ignore[no-untyped-def]
    def set_clock(instant: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: instant)

    return set_clock


@pytest.mark.parametrize("sent", ["2026-07-01T00:30:00+08:00", "2026-06-30T16:30:00Z"])
def test_a_visit_at_half_past_midnight_is_on_that_beijing_day(client, auth, registry, at,
                                                              sent):
    at(datetime(2026, 7, 1, 0, 40, tzinfo=BEIJING))
    child = client.post("/children", json=child_body(), headers=auth()).json
    visit = client.post(f"/children/{child['id']}/visits", json={"visited_at": sent},
                        headers=auth())
    assert visit.status_code == 201, visit.json
    interval = {"high": 7, "medium": 30, "low": 90}[child["risk_grade"]]
    assert visit.json["next_due"] == (date(2026, 7, 1) + timedelta(days=interval)).isoformat()
    [recorded] = events(registry, "registry.visit.recorded.v1")
    assert datetime.fromisoformat(recorded["visited_at"]) == datetime(2026, 7, 1, 0, 30,
                                                                      tzinfo=BEIJING)
    [listed] = client.get(f"/children/{child['id']}/visits", headers=auth()).json
    assert listed["visited_at"] == "2026-06-30T16:30:00+00:00"  # the instant, with an offset
    assert client.get(f"/children/{child['id']}", headers=auth()).json["last_visited_at"] \
        == "2026-07-01"


def test_overdue_today_is_the_township_today(client, auth, registry, at):
    at(datetime(2026, 6, 30, 12, 0, tzinfo=BEIJING))
    child = client.post("/children", json=child_body(), headers=auth()).json
    with registry.engine.begin() as conn:
        conn.execute(update(children).values(next_visit_due=date(2026, 6, 30)))
    at(datetime(2026, 6, 30, 23, 30, tzinfo=BEIJING))  # the due day, late evening
    assert visits.scan_overdue(registry.uow()) == 0
    at(datetime(2026, 7, 1, 0, 30, tzinfo=BEIJING))  # the township's next day; UTC's 30th
    assert visits.scan_overdue(registry.uow()) == 1
    [overdue] = events(registry, "registry.visit.overdue.v1")
    assert overdue["child_id"] == child["id"] and overdue["due_date"] == "2026-06-30"
