"""Events with the real broker: hazards in, grade changes out; overdue exactly once."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import date, timedelta

from kafka import KafkaConsumer, KafkaProducer
from reg_helpers import child_body, make_settings
from sqlalchemy import select, update

from services.registry.adapters.tables import children, outbox
from services.registry.bootstrap import bootstrap
from services.registry.entrypoints.api import create_app
from services.registry.service_layer import assessment, visits
from shared.events import CloudEvent
from shared.messaging.consumer import ConsumerConfig, EventConsumer
from shared.messaging.relay import OutboxRelay
from shared.testing.fixtures import eventually

POND = {"type": "Polygon", "coordinates": [[[106.6500, 28.9500], [106.6510, 28.9500],
                                            [106.6510, 28.9510], [106.6500, 28.9500]]]}


def _types(registry, event_type):
    with registry.engine.connect() as conn:
        return [json.loads(r.payload)["data"] for r in conn.execute(
            select(outbox.c.payload).where(outbox.c.type == event_type))]


def test_a_new_pond_regrades_nearby_children_and_the_change_reaches_kafka(
        database_url, broker, topic_prefix, auth):
    registry = bootstrap(make_settings(database_url, broker.bootstrap, topic_prefix))
    client = create_app(registry).test_client()
    near = client.post("/children", json=child_body(
        birth_date="2022-01-01", home={"lon": 106.6512, "lat": 28.9505}), headers=auth()).json
    far = client.post("/children", json=child_body(name="远", home={"lon": 106.70, "lat": 28.99}),
                      headers=auth()).json
    assert "water_within_near_m" not in near["risk_reasons"]

    producer = KafkaProducer(bootstrap_servers=broker.bootstrap)
    for event_type, data in [
        ("hazards.hazard.created.v1", {"hazard_id": "h-road", "kind": "road_sharp_bend",
                                       "geometry": {"type": "Point",
                                                    "coordinates": [106.65, 28.95]}}),
        ("hazards.hazard.created.v1", {"hazard_id": "h-pond", "kind": "pond",
                                       "geometry": POND}),
    ]:
        event = CloudEvent(type=event_type, source="/test/hazards", subject=data["hazard_id"],
                           data=data)
        producer.send(topic_prefix + "hazards.hazards", key=data["hazard_id"].encode(),
                      value=event.to_json()).get(timeout=30)
    cfg = ConsumerConfig(bootstrap=broker.bootstrap, group=f"reg-{uuid.uuid4().hex[:8]}",
                         topics=["hazards.hazards"], topic_prefix=topic_prefix, partitions=1)
    consumer = EventConsumer(cfg, registry.engine, registry.catalogue,
                             registry.handlers())
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        eventually(lambda: assessment.reassess_if_requested(registry.uow(), registry.policy),
                   60, message="hazard event consumed and reassessment served")
    finally:
        consumer.stop.set()
        thread.join(timeout=15)
    with registry.engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(select(children))}
    assert "water_within_near_m" in rows[near["id"]].risk_reasons
    assert rows[near["id"]].water_distance_m < 100
    assert rows[far["id"]].water_distance_m > 3000
    assert assessment.reassess_if_requested(registry.uow(), registry.policy) is None

    relay = OutboxRelay(registry.engine, broker.bootstrap, topic_prefix=topic_prefix,
                        topics=["registry.children", "registry.visits", "registry.cases"],
                        partitions=1)
    try:
        while relay.publish_batch():
            pass
    finally:
        relay.leadership.release()
    reader = KafkaConsumer(topic_prefix + "registry.children", bootstrap_servers=broker.bootstrap,
                           auto_offset_reset="earliest", consumer_timeout_ms=5000)
    seen = [json.loads(m.value) for m in reader if m.key.decode() == near["id"]]
    reader.close()
    assert [e["type"] for e in seen] == [
        "registry.child.registered.v1", "registry.child.risk_changed.v1",
        "registry.child.risk_changed.v1", "registry.child.updated.v1"]
    assert seen[2]["data"]["previous_grade"] == near["risk_grade"]
    assert "water_within_near_m" in seen[2]["data"]["reasons"]
    assert "测试" not in json.dumps(seen)  # no names on the wire
    registry.engine.dispose()


def test_overdue_is_published_once_per_child_and_due_date_under_concurrency(
        registry, client, auth):
    ids = [client.post("/children", json=child_body(name=f"儿童{i}"), headers=auth()).json["id"]
           for i in range(6)]
    past = date.today() - timedelta(days=3)
    with registry.engine.begin() as conn:
        conn.execute(update(children).values(next_visit_due=past))
    threads = [threading.Thread(target=visits.scan_overdue, args=(registry.uow(),))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert visits.scan_overdue(registry.uow()) == 0  # a re-run after a crash adds nothing
    overdue = _types(registry, "registry.visit.overdue.v1")
    assert sorted(e["child_id"] for e in overdue) == sorted(ids)
    assert {e["due_date"] for e in overdue} == {past.isoformat()}
    later = past + timedelta(days=1)
    with registry.engine.begin() as conn:
        conn.execute(update(children).where(children.c.id == ids[0]).values(
            next_visit_due=later))
    assert visits.scan_overdue(registry.uow()) == 1  # a new due date is a new notice


def test_children_who_turn_18_are_archived_once(registry, client, auth):
    child = client.post("/children", json=child_body(birth_date="2009-01-10"),
                        headers=auth()).json
    client.post("/children", json=child_body(name="小", birth_date="2015-01-10"), headers=auth())
    assert visits.archive_adults(registry.uow(), date(2027, 1, 9)) == 0
    assert visits.archive_adults(registry.uow(), date(2027, 1, 10)) == 1
    assert visits.archive_adults(registry.uow(), date(2027, 1, 11)) == 0
    [archived] = _types(registry, "registry.child.archived.v1")
    assert archived == {"child_id": child["id"], "village_code": child["village_code"]}
    assert client.get("/children", headers=auth()).json["total"] == 1


def test_a_child_whose_age_band_moves_is_published_again_once(registry, client, auth):
    """No one edits a child on their 12th birthday, yet the map weighs exposure by age
    band: the daily scan publishes the child again, with the new band, once."""
    turning = client.post("/children", json=child_body(birth_date="2015-03-01"),
                          headers=auth()).json
    client.post("/children", json=child_body(name="小", birth_date="2019-07-01"), headers=auth())

    def updated() -> list[dict]:
        return [e for e in _types(registry, "registry.child.updated.v1")
                if e["child_id"] == turning["id"]]

    def scan(day: date, since: date) -> None:
        with registry.uow() as uow:
            assessment.reassess_all(uow, registry.policy, day, bands_since=since)

    before = len(updated())
    scan(date(2027, 2, 28), date(2027, 2, 27))
    assert len(updated()) == before  # still 11
    scan(date(2027, 3, 1), date(2027, 2, 28))
    assert len(updated()) == before + 1 and updated()[-1]["age_band"] == "12-15"
    scan(date(2027, 3, 1), date(2027, 3, 1))  # another round the same day
    assert len(updated()) == before + 1
