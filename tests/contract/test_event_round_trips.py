"""Every event type, producer to consumer: the schema's own example survives the wire,
and every field a consumer reads is one the producer's schema declares.

Examples are built from the schemas themselves (every field, optional ones too), so an
event type added to the catalogue is covered without writing a fixture. Consumers run
their real handler tables on a migrated SQLite database, with data that records which
fields they read: a consumer reading a field the producer never sends fails here, not in
production on the first such event.
"""

from __future__ import annotations

import importlib
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from marshmallow import Schema, fields, validate

from shared.crypto import new_key
from shared.events import default_catalogue
from shared.events.asyncapi import asyncapi_document
from shared.events.envelope import CloudEvent
from shared.events.fields import GeoJSONGeometry

CATALOGUE = default_catalogue()
SPECS = list(CATALOGUE)
VILLAGE = "500110120201"


def _value(name: str, field: fields.Field) -> Any:  # noqa: PLR0911 - one branch a field kind
    """A valid value for ``field``: its first choice, in range, or shaped by its name."""
    for v in field.validators:
        if isinstance(v, validate.OneOf):
            return list(v.choices)[0]
    if isinstance(field, fields.Nested):
        nested = field.schema
        one = example(nested)
        return [one] if field.many else one
    if isinstance(field, fields.List):
        return [_value(name, field.inner)]
    if isinstance(field, GeoJSONGeometry):
        return {"type": "Point", "coordinates": [106.5, 28.9]}
    if isinstance(field, fields.AwareDateTime | fields.DateTime):
        return datetime(2026, 7, 1, 8, 30, tzinfo=UTC).isoformat()
    if isinstance(field, fields.Date):
        return date(2026, 7, 1).isoformat()
    if isinstance(field, fields.Boolean):
        return True
    if isinstance(field, fields.Integer):
        return _in_range(field, 1)
    if isinstance(field, fields.Float):
        return _in_range(field, 1.5)
    if isinstance(field, fields.Dict):
        return {}
    if name.endswith("village_code") or name == "village":
        return VILLAGE
    if name.endswith("_id") or name == "id":
        return str(uuid.uuid4())
    return f"{name} example"


def _in_range(field: fields.Field, default: float) -> Any:
    for v in field.validators:
        if isinstance(v, validate.Range) and v.min is not None and default < v.min:
            return v.min
    return default


def example(schema: Schema) -> dict[str, Any]:
    return {f.data_key or name: _value(name, f) for name, f in schema.fields.items()
            if not f.dump_only}


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.type)
def test_event_survives_the_wire(spec):
    """Schema → CloudEvent JSON bytes → parsed → schema: the same data."""
    data = CATALOGUE.validate(spec.type, example(spec.schema()))
    sent = CloudEvent(spec.type, f"/shouhu/{spec.owner}", str(data[spec.key]), data)
    received = CloudEvent.from_json(sent.to_json())
    assert received.type == spec.type and received.subject == str(data[spec.key])
    assert CATALOGUE.validate(spec.type, received.data) == data


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.type)
def test_asyncapi_lists_every_field(spec):
    """Subscribing systems read the AsyncAPI, not our code: each field is in it."""
    doc = asyncapi_document(CATALOGUE)
    message = doc["components"]["messages"][spec.type.replace(".", "_")]
    payload = message["payload"]["properties"]["data"]
    ref = payload["$ref"].rsplit("/", 1)[1]
    documented = set(doc["components"]["schemas"][ref]["properties"])
    assert documented == {f.data_key or n for n, f in spec.schema().fields.items()}


class Recording(dict):  # type: ignore[type-arg]
    """Event data that remembers every field read with ``[]``, nested ones as
    ``outer.inner``. A ``.get`` with a fallback tolerates a missing field by design (the
    notifier's generic rules look for ``case_id`` on every event), so it is not recorded."""

    def __init__(self, data: dict[str, Any], seen: set[str], prefix: str = ""):
        super().__init__({k: Recording(v, seen, f"{prefix}{k}.") if isinstance(v, dict) else v
                          for k, v in data.items()})
        self._seen, self._prefix = seen, prefix

    def __getitem__(self, key: str) -> Any:
        self._seen.add(self._prefix + key)
        return super().__getitem__(key)


def _undeclared(read: set[str], schema: Schema, prefix: str = "") -> set[str]:
    """The fields in ``read`` that ``schema`` does not declare; inside a free-form dict
    (a GeoJSON geometry) every key counts as declared."""
    under = {k for k in read if k.startswith(prefix)}
    out = set(under)
    for name, f in schema.fields.items():
        key = prefix + (f.data_key or name)
        inner = {k for k in under if k.startswith(key + ".")}
        out -= inner | {key}
        if isinstance(f, fields.Nested) and not f.many:
            out |= _undeclared(inner, f.schema, key + ".")
        elif not isinstance(f, fields.Dict):
            out |= inner
    return out


@pytest.fixture(scope="module")
def consumers(tmp_path_factory):
    """{service: (engine, handler table)}, each built by the service's own bootstrap."""
    data = tmp_path_factory.mktemp("consumers")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHOUHU_DATA_DIR", str(data))
        mp.setenv("SHOUHU_FIELD_KEYS", f"f1:{new_key()}")
        mp.setenv("SHOUHU_AUTH_KEYS", f"k1:{new_key()}")
        mp.setenv("SHOUHU_KAFKA_BOOTSTRAP", "127.0.0.1:1")  # never contacted
        for svc in ("registry", "hazards", "notifier", "gateway"):
            mp.setenv(f"SHOUHU_{svc.upper()}_DATABASE_URL", f"sqlite:///{data / svc}.db")
        from shared.crypto import default_keys

        default_keys.cache_clear()
        gateway = importlib.import_module("services.gateway.bootstrap").bootstrap()
        hazards = importlib.import_module("services.hazards.bootstrap").bootstrap()
        registry = importlib.import_module("services.registry.bootstrap").bootstrap()
        notifier = importlib.import_module("services.notifier.bootstrap").bootstrap()
        yield {svc: (app.engine, app.handlers()) for svc, app in (
            ("gateway", gateway), ("hazards", hazards), ("notifier", notifier),
            ("registry", registry))}
        default_keys.cache_clear()


@pytest.mark.parametrize("service", ["gateway", "hazards", "notifier", "registry"])
def test_consumers_read_only_declared_fields(consumers, service):
    """Each event type the service consumes, through its real handler."""
    engine, handlers = consumers[service]
    problems = []
    for event_type, handle in sorted(handlers.items()):
        spec = CATALOGUE.spec(event_type)
        seen: set[str] = set()
        data = CATALOGUE.validate(event_type, example(spec.schema()))
        event = CloudEvent(event_type, f"/shouhu/{spec.owner}", str(data[spec.key]),
                           Recording(data, seen))
        with engine.begin() as conn:
            handle(conn, event)
        undeclared = _undeclared(seen, spec.schema())
        if undeclared:
            problems.append(f"{event_type}: reads {sorted(undeclared)}")
    assert handlers and not problems, "\n".join(problems)
