"""Transactional outbox: an event is written in the same transaction as the change.

``record`` validates the data against the catalogue and inserts a row; the relay
(``shared.messaging.relay``) publishes it later. Callers pass the connection of
their open transaction, so either both the change and the event are stored or
neither is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert

from shared.events.catalogue import Catalogue
from shared.events.envelope import CloudEvent
from shared.messaging.tables import OUTBOX


def record(
    conn: Connection,
    catalogue: Catalogue,
    event_type: str,
    data: dict[str, Any],
    *,
    source: str,
) -> CloudEvent:
    spec = catalogue.spec(event_type)
    payload = catalogue.validate(event_type, data)
    subject = str(payload[spec.key])
    event = CloudEvent(type=event_type, source=source, subject=subject, data=payload)
    # parameters apart from the statement: SQLAlchemy compiles it once, not per event
    conn.execute(insert(OUTBOX), {
        "event_id": event.id, "topic": spec.topic, "key": subject, "type": event_type,
        "payload": event.to_json().decode(), "created_at": datetime.now(UTC),
    })
    return event


def record_many(
    conn: Connection,
    catalogue: Catalogue,
    event_type: str,
    datas: list[dict[str, Any]],
    *,
    source: str,
) -> list[CloudEvent]:
    """``record`` for a batch of one type: each payload validated, one multi-row insert.

    Bulk imports (tens of thousands of rows) would otherwise spend most of their
    time in single-row inserts.
    """
    if not datas:
        return []
    spec = catalogue.spec(event_type)
    now = datetime.now(UTC)
    events, rows = [], []
    for payload in catalogue.validate_many(event_type, datas):
        subject = str(payload[spec.key])
        event = CloudEvent(type=event_type, source=source, subject=subject, data=payload)
        events.append(event)
        rows.append({"event_id": event.id, "topic": spec.topic, "key": subject,
                     "type": event_type, "payload": event.to_json().decode(),
                     "created_at": now})
    conn.execute(insert(OUTBOX), rows)
    return events
