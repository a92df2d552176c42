"""Events the gateway publishes (patrol plans)."""

from __future__ import annotations

from shared.events.catalogue import EventSpec

EVENTS: list[EventSpec] = []
