"""The read model keeps instants (any offset in, UTC out) and counts overdue visits by
the township's day, on both backends, at 23:30 and 00:30 Beijing time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from gw_helpers import apply, event, gateway

from services.gateway.planning.service_layer.dashboard import dashboard
from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from shared.auth import Principal, Role

BEIJING = timezone(timedelta(hours=8))
VILLAGE = "500110120201"


def visit(child: str, at: str, next_due: str):  # type: ignore[no-untyped-def]
    return event("registry.visit.recorded.v1", {
        "visit_id": f"v-{child}-{at}", "child_id": child, "village_code": VILLAGE,
        "visited_at": at, "visitor_id": "u1", "next_due": next_due})


@pytest.fixture
def gw(database_url):  # type: ignore[no-untyped-def]
    return gateway(database_url)


def test_a_later_visit_sent_in_beijing_time_is_not_taken_for_an_earlier_one(gw):
    apply(gw, [visit("c1", "2026-06-30T16:00:00Z", "2026-07-07"),  # 00:00 Beijing, 1 July
               visit("c1", "2026-07-01T00:30:00+08:00", "2026-07-08"),  # 30 min later
               visit("c1", "2026-06-30T23:50:00+08:00", "2026-07-06")])  # earlier: ignored
    with gw.engine.connect() as conn:
        [state] = ReadModelStore(conn).visits()
    assert state.last_visit_at == datetime(2026, 6, 30, 16, 30, tzinfo=UTC)
    assert state.last_visit_at.tzinfo is not None and str(state.next_due) == "2026-07-08"


@pytest.mark.parametrize(("local", "overdue"), [((6, 30, 23, 30), []),
                                                ((7, 1, 0, 30), [(VILLAGE, 1)])])
def test_overdue_visits_are_counted_by_the_township_day(gw, local, overdue):
    apply(gw, [visit("c2", "2026-06-23T10:00:00+08:00", "2026-06-30")])
    month, day, hour, minute = local
    now = datetime(2026, month, day, hour, minute, tzinfo=BEIJING)
    admin = Principal("u1", Role.STATION_ADMIN, "500110120", frozenset())
    with gw.engine.connect() as conn:
        rows = dashboard(ReadModelStore(conn), admin, now.astimezone(UTC))["overdue"]
    assert [(r["village_code"], r["overdue_visits"]) for r in rows] == overdue
