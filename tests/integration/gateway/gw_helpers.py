"""Building a gateway on a test database, and invented events to feed it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from services.gateway.bootstrap import Gateway, bootstrap
from services.gateway.config import Settings
from shared.auth import Principal, Role, TokenKeys
from shared.config import CommonSettings, Region
from shared.events import CloudEvent, default_catalogue
from shared.messaging.consumer import ConsumerConfig, EventConsumer

KEYS = TokenKeys({"k1": "test-secret-for-the-gateway-tests"}, "k1", ttl_s=3600)
TOWNSHIP = "500110120"
LON0, LAT0 = 106.65, 28.95


def settings(database_url: str, prefix: str = "", bootstrap_servers: str = "") -> Settings:
    common = CommonSettings("gateway", bootstrap_servers or "127.0.0.1:1", prefix, database_url,
                            Region(105.5, 28.5, 107.5, 30.5), 1, 1, 7)
    return Settings(common=common, port=0, keys=KEYS, tiles="none", tianditu_key="",
                    hazards_url="http://127.0.0.1:1", registry_url="http://127.0.0.1:1",
                    notifier_url="http://127.0.0.1:1",
                    max_distance_m=500.0, default_buffer_m=100.0, cell_m=250.0,
                    min_cell_count=5, displacement_key=b"k" * 32)


def gateway(database_url: str, **kw: Any) -> Gateway:
    return bootstrap(settings(database_url, **kw))


def token(role: Role = Role.STATION_ADMIN, villages: frozenset[str] = frozenset(),
          user_id: str = "u1") -> dict[str, str]:
    return {"Authorization": "Bearer " + KEYS.issue(Principal(user_id, role, TOWNSHIP,
                                                              villages))}


def event(type_: str, data: dict[str, Any]) -> CloudEvent:
    cat = default_catalogue()
    data = cat.validate(type_, data)
    key = data[cat.spec(type_).key]
    return CloudEvent(type=type_, source="test", subject=key, data=data)


def township_events(seed: int = 5, children: int = 40) -> list[CloudEvent]:
    """A small invented township: ponds, a road, patrol points, children, visits."""
    rng = random.Random(seed)
    now = datetime(2026, 7, 20, 15, 0, tzinfo=UTC)
    evs = []
    for i in range(6):
        x, y = LON0 + i * 0.002, LAT0 + (i % 2) * 0.002
        kind = "pond" if i < 5 else "road_crossing"
        ring = [[x, y], [x + 0.0008, y], [x + 0.0008, y + 0.0006], [x, y + 0.0006], [x, y]]
        geom = ({"type": "Polygon", "coordinates": [ring]}
                if kind == "pond" else {"type": "Point", "coordinates": [x, y]})
        evs.append(event("hazards.hazard.created.v1", {
            "hazard_id": f"hz-{i}", "kind": kind, "name": f"测试塘{i}", "geometry": geom,
            "village_code": "500110120201",
            "protections": {"barrier": "missing" if i % 2 else "present",
                            "warning_sign": "damaged", "rescue_equipment": "present"}}))
        evs.append(event("hazards.patrol_point.changed.v1", {
            "point_id": f"pt-{i}", "hazard_id": f"hz-{i}", "location": {"lon": x, "lat": y},
            "reason": "swimming_spot", "schedule": "afternoons"}))
    for i in range(children):
        village = "500110120201" if i % 4 else "500110120202"
        evs.append(event("registry.child.registered.v1", {
            "child_id": f"child-{i:03d}", "village_code": village,
            "home": {"lon": LON0 + rng.uniform(-0.001, 0.011),
                     "lat": LAT0 + rng.uniform(-0.001, 0.003)},
            "age_band": rng.choice(["3-5", "6-11", "12-15"]),
            "risk_grade": rng.choice(["high", "medium", "low"])}))
    evs.append(event("hazards.zone.changed.v1", {
        "hazard_id": "hz-0", "kind": "pond", "buffer_m": 200.0,
        "zone": {"type": "Polygon", "coordinates": [[[LON0 - 0.002, LAT0 - 0.002],
                                                     [LON0 + 0.003, LAT0 - 0.002],
                                                     [LON0 + 0.003, LAT0 + 0.003],
                                                     [LON0 - 0.002, LAT0 + 0.003],
                                                     [LON0 - 0.002, LAT0 - 0.002]]]}}))
    evs.append(event("registry.child.risk_changed.v1", {
        "child_id": "child-001", "village_code": "500110120201", "previous_grade": "low",
        "risk_grade": "high", "reasons": ["living_alone"], "visit_interval_days": 7}))
    evs.append(event("registry.child.archived.v1", {"child_id": "child-002",
                                                     "village_code": "500110120201"}))
    evs.append(event("registry.visit.recorded.v1", {
        "visit_id": "v1", "child_id": "child-003", "village_code": "500110120201",
        "visited_at": (now - timedelta(days=20)).isoformat(), "visitor_id": "d1",
        "next_due": (now - timedelta(days=13)).date().isoformat()}))
    evs.append(event("registry.visit.overdue.v1", {
        "child_id": "child-005", "village_code": "500110120201", "due_date": "2026-07-01",
        "child_director_id": "d1", "risk_grade": "high"}))
    evs.append(event("hazards.patrol.checked_in.v1", {
        "checkin_id": "ci-1", "point_id": "pt-0", "hazard_id": "hz-0", "member_id": "m1",
        "checked_at": (now - timedelta(days=1)).isoformat(), "location": {"lon": LON0, "lat": LAT0},
        "duration_s": 300, "track_m": 850.0}))
    evs.append(event("hazards.finding.reported.v1", {
        "finding_id": "f-1", "point_id": "pt-0", "hazard_id": "hz-0",
        "village_code": "500110120201", "kind": "children_at_water", "action": "moved_away",
        "severity": "urgent", "reported_at": (now - timedelta(days=1)).isoformat()}))
    evs.append(event("hazards.hazard.retired.v1", {"hazard_id": "hz-4"}))
    return evs


def apply(gw: Gateway, events: list[CloudEvent]) -> None:
    """Apply events as the worker's consumer does (inbox row and handler in one
    transaction), without a broker."""
    consumer = EventConsumer(ConsumerConfig("127.0.0.1:1", "gateway", []), gw.engine,
                             gw.catalogue, gw.handlers())
    for ev in events:
        assert consumer.handle(ev.to_json()) == "applied"
