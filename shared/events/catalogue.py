"""The event catalogue: type → topic → key → schema → data classification.

It is the public contract other departments subscribe to (exported as AsyncAPI by
``shared.events.asyncapi``). Each owner's module (``registry``, ``hazards``, …)
declares its ``EVENTS``; this module gathers them and validates payloads.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from marshmallow import Schema, ValidationError


class Classification(StrEnum):
    """How sensitive an event's data is (see docs/security.md)."""

    PUBLIC = "public"  # may be shown to anyone, e.g. a hazard's outline
    INTERNAL = "internal"  # operational, no personal data
    PERSONAL = "personal"  # pseudonymous child data: ids, village, grade, age band
    SENSITIVE = "sensitive"  # a child's precise location or case facts


class UnknownEventType(KeyError):
    """No catalogue entry for this event type."""


class PayloadError(ValueError):
    """An event's data does not match its schema; ``errors`` maps field → messages."""

    def __init__(self, event_type: str, errors: dict[str, Any]):
        super().__init__(f"{event_type}: invalid data {errors}")
        self.event_type = event_type
        self.errors = errors


@dataclass(frozen=True)
class EventSpec:
    type: str  # e.g. "registry.child.registered.v1"
    topic: str  # one topic per aggregate and owner, e.g. "registry.children"
    key: str  # the data field whose value keys the message (an opaque aggregate id)
    schema: builtins.type[Schema]  # 'type' is also a field name here
    classification: Classification
    summary: str

    @property
    def owner(self) -> str:
        return self.type.split(".", 1)[0]


class Catalogue:
    def __init__(self, specs: Iterable[EventSpec]):
        self._by_type: dict[str, EventSpec] = {}
        for spec in specs:
            if spec.type in self._by_type:
                raise ValueError(f"event type {spec.type} declared twice")
            if not spec.type.rsplit(".", 1)[-1].startswith("v"):
                raise ValueError(f"event type {spec.type} lacks a version suffix")
            self._by_type[spec.type] = spec
        self._schemas = threading.local()  # event type → this thread's schema instance

    def __iter__(self):
        return iter(sorted(self._by_type.values(), key=lambda s: s.type))

    def spec(self, event_type: str) -> EventSpec:
        try:
            return self._by_type[event_type]
        except KeyError as exc:
            raise UnknownEventType(event_type) from exc

    def topics(self) -> list[str]:
        return sorted({s.topic for s in self._by_type.values()})

    def _schema(self, event_type: str) -> Schema:
        """This thread's instance of the type's schema: building one costs more than
        loading a payload (a consumer validates every event), and instances are not
        shared between threads."""
        made: dict[str, Schema] = self._schemas.__dict__
        if event_type not in made:
            made[event_type] = self.spec(event_type).schema()
        return made[event_type]

    def validate(self, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
        """Return ``data`` as the schema serialises it, or raise PayloadError."""
        schema = self._schema(event_type)
        try:
            loaded = schema.load(data)
        except ValidationError as exc:
            raise PayloadError(event_type, exc.normalized_messages()) from exc
        return schema.dump(loaded)

    def validate_many(self, event_type: str, datas: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``validate`` for a batch."""
        schema = self._schema(event_type)
        out = []
        for data in datas:
            try:
                out.append(schema.dump(schema.load(data)))
            except ValidationError as exc:
                raise PayloadError(event_type, exc.normalized_messages()) from exc
        return out


def default_catalogue() -> Catalogue:
    from shared.events import gateway, hazards, notifier, registry

    return Catalogue([*registry.EVENTS, *hazards.EVENTS, *notifier.EVENTS, *gateway.EVENTS])
