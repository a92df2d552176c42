"""Producing test events and reading the notifier's tables."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaProducer
from sqlalchemy import Engine, select

from services.notifier.adapters.tables import alerts, deliveries, outbox
from shared.auth import Principal, Role, TokenKeys
from shared.events.envelope import CloudEvent


def case_opened(case_id: str, village: str = "500110108000") -> CloudEvent:
    return CloudEvent(type="registry.case.opened.v1", source="/test", subject=case_id, data={
        "case_id": case_id, "child_id": f"child-{case_id}", "village_code": village,
        "situation": "living_alone", "severity": "urgent", "step": "report",
        "mandatory_report": True, "opened_at": datetime.now(UTC).isoformat()})


def finding(finding_id: str, village: str = "500110108000") -> CloudEvent:
    return CloudEvent(type="hazards.finding.reported.v1", source="/test", subject="pt-1", data={
        "finding_id": finding_id, "point_id": "pt-1", "hazard_id": "hz-1",
        "village_code": village, "kind": "children_at_water", "action": "stopped",
        "severity": "urgent", "reported_at": datetime.now(UTC).isoformat()})


def produce(bootstrap: str, prefix: str, events: list[CloudEvent]) -> None:
    topics = {"registry": "registry.cases", "hazards": "hazards.patrols"}
    p = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for e in events:
        p.send(prefix + topics[e.type.split(".")[0]], key=e.subject.encode(),
               value=e.to_json())
    p.flush()
    p.close()


def rows(engine: Engine, table: Any, *where: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(table).where(*where)))


def delivery_rows(engine: Engine, **eq: str) -> list[Any]:
    return rows(engine, deliveries, *(deliveries.c[k] == v for k, v in eq.items()))


def alert_of(engine: Engine, case_id: str) -> Any:
    [row] = rows(engine, alerts, alerts.c.case_id == case_id)
    return row


def published(engine: Engine) -> list[str]:
    return [r.type for r in rows(engine, outbox)]


def ack_token(mail: Any) -> str:
    found = re.search(r"/ack/([\w.\-=]+)", mail.get_content())
    assert found, "no acknowledgement link in the message"
    return found.group(1)


def bearer(keys: TokenKeys, role: Role, user: str = "u") -> dict[str, str]:
    token = keys.issue(Principal(user, role, "500110108"))
    return {"Authorization": f"Bearer {token}"}
