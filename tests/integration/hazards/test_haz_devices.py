"""Camera webhooks signed per device, heartbeats, and the silence scan (once per silence)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

from haz_helpers import DEVICE_SECRET, VILLAGE, auth, outbox_events, pond

from services.hazards.domain.devices import sign
from services.hazards.service_layer import devices


def _register(client) -> str:  # type: ignore[no-untyped-def]
    hazard_id = client.post("/hazards", json={"kind": "pond", "geometry": pond(),
                                              "village_code": VILLAGE}, headers=auth()).json["id"]
    resp = client.post("/devices", headers=auth(), json={
        "device_id": "cam-1", "location": {"lon": 106.6505, "lat": 28.9495}, "interval_s": 60})
    assert resp.status_code == 201, resp.json
    assert resp.json["hazard_id"] == hazard_id  # nearest hazard
    return hazard_id


def _signed_post(client, path: str, body: dict, secret: str = DEVICE_SECRET,
                 signature: str | None = None):  # type: ignore[no-untyped-def]
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    sig = signature if signature is not None else sign(secret, raw)
    if sig:
        headers["X-Shouhu-Signature"] = sig
    return client.post(path, data=raw, headers=headers)


def test_alarm_becomes_urgent_finding_once(client, hazards):
    hazard_id = _register(client)
    body = {"alarm_id": "a-1", "sent_at": datetime.now(UTC).isoformat(),
            "type": "person_in_water"}
    first = _signed_post(client, "/devices/cam-1/alarms", body)
    assert first.status_code == 201 and first.json["status"] == "created", first.json
    again = _signed_post(client, "/devices/cam-1/alarms", body)
    assert again.json["status"] == "duplicate"
    findings = outbox_events(hazards, "hazards.finding.reported.v1")
    assert len(findings) == 1
    data = findings[0]["data"]
    assert (data["kind"], data["severity"], data["hazard_id"], data["village_code"]) == (
        "camera_alarm", "urgent", hazard_id, VILLAGE)


def test_unsigned_wrongly_signed_unknown_and_stale_calls_are_refused(client, hazards):
    _register(client)
    body = {"alarm_id": "a-2", "sent_at": datetime.now(UTC).isoformat()}
    assert _signed_post(client, "/devices/cam-1/alarms", body, signature="").status_code == 401
    wrong = _signed_post(client, "/devices/cam-1/alarms", body, secret="guess")
    assert wrong.status_code == 401 and "does not match" in wrong.json["message"]
    unknown = _signed_post(client, "/devices/cam-9/alarms", body)
    assert unknown.status_code == 401 and "unknown device" in unknown.json["message"]
    stale = {**body, "sent_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat()}
    assert _signed_post(client, "/devices/cam-1/alarms", stale).status_code == 401
    assert outbox_events(hazards, "hazards.finding.reported.v1") == []
    doc = client.get("/openapi.json").json
    spec = doc["paths"]["/devices/{device_id}/alarms"]["post"]
    assert "X-Shouhu-Signature" in json.dumps(spec) and "Alarm" in json.dumps(spec)
    assert {"alarm_id", "sent_at", "type", "location"} <= set(
        doc["components"]["schemas"]["AlarmIn"]["properties"])


def test_silence_reported_once_per_silence_even_with_concurrent_scans(client, hazards):
    _register(client)
    hb = _signed_post(client, "/devices/cam-1/heartbeats",
                      {"sent_at": datetime.now(UTC).isoformat()})
    assert hb.status_code == 204, hb.json
    later = datetime.now(UTC) + timedelta(seconds=121)
    reported: list[list[str]] = []

    def scan() -> None:
        reported.append(devices.scan_silent(hazards.uow(), later, 2.0))

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sum(reported, [])) == ["cam-1"]
    assert devices.scan_silent(hazards.uow(), later + timedelta(hours=1), 2.0) == []
    silent = outbox_events(hazards, "hazards.device.silent.v1")
    assert len(silent) == 1 and silent[0]["data"]["interval_s"] == 60
    _signed_post(client, "/devices/cam-1/heartbeats", {"sent_at": datetime.now(UTC).isoformat()})
    assert devices.scan_silent(hazards.uow(), later + timedelta(hours=1), 2.0) == ["cam-1"]
    assert len(outbox_events(hazards, "hazards.device.silent.v1")) == 2
