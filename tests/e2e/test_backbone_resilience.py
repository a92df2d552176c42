"""The backbone under failure: broker outage, SIGTERM, a client we did not write."""

from __future__ import annotations

import itertools
import json

import requests
from sqlalchemy import create_engine, func, select

from services.gateway.adapters.tables import child_homes
from shared.auth import Role
from shared.testing.fixtures import eventually

_SERIAL = itertools.count(10_000)  # the registry refuses a second child of the same name


def _child(i: int) -> dict:
    return {"name": f"测试{i}", "gender": "male", "birth_date": "2014-03-02",
            "village_code": "500110120201",
            "home": {"lon": 106.64 + i * 1e-5, "lat": 28.95}}


def _gateway_children(stack) -> int:
    engine = create_engine(f"sqlite:///{stack.data_dir / 'gateway.db'}")
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(child_homes)).scalar() or 0
    finally:
        engine.dispose()


def test_children_written_while_the_broker_is_down_arrive_once(stack):
    auth = {"Authorization": f"Bearer {stack.token(Role.STATION_ADMIN)}"}
    before = _gateway_children(stack)
    stack.broker.stop()
    ids = []
    for i in range(200):
        r = requests.post(stack.url("registry") + "/children", json=_child(i), headers=auth,
                          timeout=10)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    stack.start_broker()
    eventually(lambda: _gateway_children(stack) >= before + 200, 120,
               message="all 200 children in the gateway read model")
    assert _gateway_children(stack) == before + 200


def _register_one(stack) -> str:
    auth = {"Authorization": f"Bearer {stack.token(Role.STATION_ADMIN)}"}
    r = requests.post(stack.url("registry") + "/children",
                      json=_child(next(_SERIAL)),
                      headers=auth, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _assert_structured_cloudevent(event: dict, child_id: str) -> None:
    assert event["specversion"] == "1.0"
    for attr in ("id", "source", "type", "subject", "time"):
        assert event[attr], attr
    assert event["type"] == "registry.child.registered.v1"
    assert event["subject"] == child_id  # an opaque id: no name, no coordinates
    assert "name" not in event["data"]


def test_librdkafka_client_reads_structured_cloudevents(stack):
    """confluent-kafka (librdkafka), a Kafka client this project did not write."""
    from confluent_kafka import Consumer, TopicPartition

    child_id = _register_one(stack)
    consumer = Consumer({"bootstrap.servers": stack.broker.bootstrap, "group.id": "outsider",
                         "enable.auto.commit": False})
    try:
        meta = consumer.list_topics("registry.children", timeout=10)
        consumer.assign([TopicPartition("registry.children", p, 0)
                         for p in meta.topics["registry.children"].partitions])

        def poll():
            msg = consumer.poll(1.0)
            if msg is None or msg.error():
                return None
            event = json.loads(msg.value())
            return event if event["data"]["child_id"] == child_id else None

        event = eventually(poll, 60, interval_s=0, message="the outside client sees the event")
        _assert_structured_cloudevent(event, child_id)
    finally:
        consumer.close()


def test_worker_stops_cleanly_on_sigterm(stack):
    proc = stack.procs["gateway-worker"]
    stack.stop_process("gateway-worker")
    assert proc.returncode == 0
    stack.start_process("gateway-worker", "worker")
