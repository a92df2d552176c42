"""The hazards worker with the real broker: registry homes in, hazard events out."""

from __future__ import annotations

import dataclasses
import json
import threading
import uuid

import pytest
from haz_helpers import auth, pond, settings_for
from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import select

from services.hazards.adapters.tables import homes
from services.hazards.bootstrap import bootstrap
from services.hazards.entrypoints.api import create_app
from shared.events.envelope import CloudEvent
from shared.testing.fixtures import eventually
from shared.worker import build_consumer, build_relay


@pytest.fixture
def worker(database_url, broker, topic_prefix):  # type: ignore[no-untyped-def]
    base = settings_for(database_url)
    common = dataclasses.replace(base.common, bootstrap_servers=broker.bootstrap,
                                 topic_prefix=topic_prefix)
    hz = bootstrap(dataclasses.replace(base, common=common))
    relay = build_relay(common, hz.engine, hz.catalogue)
    consumer = build_consumer(common, hz.engine, hz.catalogue, hz.handlers())
    stop = threading.Event()
    consumer.stop = stop
    ready = threading.Event()
    threads = [threading.Thread(target=relay.run, args=(stop,)),
               threading.Thread(target=consumer.run, args=(ready,))]
    for t in threads:
        t.start()
    ready.wait(30)
    yield hz
    stop.set()
    for t in threads:
        t.join(timeout=20)
    relay.leadership.release()
    hz.engine.dispose()


def _home_rows(hz):  # type: ignore[no-untyped-def]
    with hz.engine.connect() as conn:
        return conn.execute(select(homes)).all()


def test_homes_from_registry_and_hazard_events_to_the_broker(worker, broker, topic_prefix):
    child_id = str(uuid.uuid4())
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap)
    data = {"child_id": child_id, "village_code": "500110120201",
            "home": {"lon": 106.651, "lat": 28.951}, "age_band": "3-5", "risk_grade": "high",
            "categories": ["left_behind"], "living_alone": False}
    for event_type, payload in (("registry.child.registered.v1", data),
                                ("registry.child.updated.v1",
                                 {**data, "home": {"lon": 106.652, "lat": 28.952}})):
        event = CloudEvent(type=event_type, source="/test", subject=child_id, data=payload)
        producer.send(topic_prefix + "registry.children", key=child_id.encode(),
                      value=event.to_json()).get(timeout=10)
    rows = eventually(lambda: [r for r in _home_rows(worker)
                               if r.location == (106.652, 28.952)], 40,
                      message="home location stored")
    assert rows[0].child_id == child_id
    archived = CloudEvent(type="registry.child.archived.v1", source="/test", subject=child_id,
                          data={"child_id": child_id, "village_code": "500110120201"})
    producer.send(topic_prefix + "registry.children", key=child_id.encode(),
                  value=archived.to_json()).get(timeout=10)
    eventually(lambda: not _home_rows(worker), 30, message="archived home removed")
    for home, there in (({"lon": 106.651, "lat": 28.951}, True), (None, False)):
        update = CloudEvent(type="registry.child.updated.v1", source="/test", subject=child_id,
                            data={**data, "home": home})  # None: a ledger without coordinates
        producer.send(topic_prefix + "registry.children", key=child_id.encode(),
                      value=update.to_json()).get(timeout=10)
        eventually(lambda there=there: bool(_home_rows(worker)) is there, 30,
                   message=f"home {'stored' if there else 'removed'}")
    producer.close()

    client = create_app(worker).test_client()
    hazard_id = client.post("/hazards", json={"kind": "pond", "geometry": pond()},
                            headers=auth()).json["id"]
    reader = KafkaConsumer(topic_prefix + "hazards.hazards", bootstrap_servers=broker.bootstrap,
                           auto_offset_reset="earliest", consumer_timeout_ms=1000)
    seen: list[dict] = []

    def types() -> set[str]:
        seen.extend(json.loads(m.value) for m in reader)
        return {e["type"] for e in seen if e["subject"] == hazard_id}

    assert eventually(lambda: types() >= {"hazards.hazard.created.v1",
                                          "hazards.zone.changed.v1"}, 40)
    reader.close()
