"""Events the notifier publishes about deliveries."""

from __future__ import annotations

from shared.events.catalogue import EventSpec

EVENTS: list[EventSpec] = []
