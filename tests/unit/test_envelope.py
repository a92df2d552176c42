import json

import pytest

from shared.events import CloudEvent, EnvelopeError, default_catalogue
from shared.events.catalogue import PayloadError


def test_round_trip_keeps_every_attribute():
    ev = CloudEvent(type="registry.child.registered.v1", source="/shouhu/registry",
                    subject="c1", data={"a": 1})
    back = CloudEvent.from_json(ev.to_json())
    assert back == ev
    doc = json.loads(ev.to_json())
    assert doc["specversion"] == "1.0" and doc["time"].endswith("Z")


@pytest.mark.parametrize("raw, reason", [
    (b"\xff\xfe", "not JSON"),
    (b"[]", "JSON object"),
    (b'{"id":"1","source":"s","type":"t"}', "specversion"),
    (b'{"id":"1","source":"s","type":"t","specversion":"0.3"}', "0.3"),
    (b'{"id":"1","source":"s","type":"t","specversion":"1.0","time":"yesterday"}', "RFC 3339"),
])
def test_broken_envelopes_are_refused_with_a_reason(raw, reason):
    with pytest.raises(EnvelopeError, match=reason):
        CloudEvent.from_json(raw)


def test_catalogue_names_the_bad_field():
    cat = default_catalogue()
    with pytest.raises(PayloadError) as info:
        cat.validate("registry.child.registered.v1", {"child_id": "c1", "village_code": "12"})
    assert "village_code" in info.value.errors and "home" in info.value.errors


def test_every_event_type_is_versioned_and_keyed_by_an_opaque_id():
    for spec in default_catalogue():
        assert spec.type.rsplit(".", 1)[1].startswith("v")
        assert spec.key.endswith("_id"), f"{spec.type} is keyed by {spec.key}"
