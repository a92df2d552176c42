"""Producing test events and reading the notifier's tables."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kafka import KafkaProducer
from sqlalchemy import Engine, select

from services.notifier.adapters.tables import alerts, deliveries, outbox
from shared.auth import Principal, Role, TokenKeys
from shared.auth.tokens import public_keys_env
from shared.events.envelope import CloudEvent

WEBHOOK_SECRET = "test-webhook-secret"
DINGTALK_SECRET = "SECtest-dingtalk"


def case_opened(case_id: str, village: str = "500110120000") -> CloudEvent:
    return CloudEvent(type="registry.case.opened.v1", source="/test", subject=case_id, data={
        "case_id": case_id, "child_id": f"child-{case_id}", "village_code": village,
        "situation": "living_alone", "severity": "urgent", "step": "report",
        "mandatory_report": True, "opened_at": datetime.now(UTC).isoformat()})


def finding(finding_id: str, village: str = "500110120000") -> CloudEvent:
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


GATEWAY_KEYS = TokenKeys({"k1": "integration-test-key-of-32-bytes-or-more"}, "k1")


def ack_token(mail: Any) -> str:
    found = re.search(r"/ack/([\w.\-=]+)", mail.get_content())
    assert found, "no acknowledgement link in the message"
    return found.group(1)


def bearer(role: Role, user: str = "u") -> dict[str, str]:
    """A token as the gateway signs it (the notifier holds the public key only)."""
    token = GATEWAY_KEYS.issue(Principal(user, role, "500110120"))
    return {"Authorization": f"Bearer {token}"}


# -- the notifier's configuration ------------------------------------------------------
RULES = """\
version: 1
timezone: Asia/Shanghai
retry:
  default: {max_attempts: 30, base: 1s, cap: 10s}
rules:
  - name: mandatory-report
    event: registry.case.opened.v1
    when: {mandatory_report: true}
    urgent: true
    notify:
      - {role: police_station, level: township}
      - {role: child_director, level: village}
    channels: [email, webhook, inbox]
    ack_within: ACK
    escalate: [{role: child_supervisor, level: township}]
  - name: children-at-water
    event: hazards.finding.reported.v1
    when: {kind: children_at_water}
    urgent: true
    notify: [{role: patrol_lead, level: village}]
    channels: [wecom, dingtalk, inbox]
"""


def directory(hooks: str, villages: int = 1) -> str:
    """Police desk, supervisor, the station's desk, and per village a child director and
    a patrol lead."""
    lines = ["people:",
             f"  - {{person_id: police, role: police_station, scope_code: '500110120',"
             f" contacts: {{email: police@test.example, webhook: '{hooks}/hook/police'}}}}",
             "  - {person_id: supervisor, role: child_supervisor, scope_code: '500110120',"
             " user_id: sup, contacts: {email: supervisor@test.example}}",
             f"  - {{person_id: station, role: station, scope_code: '500110120',"
             f" contacts: {{dingtalk: '{hooks}/dingtalk/station'}}}}"]
    for v in range(villages):
        code = f"500110120{v:03d}"
        lines += [f"  - {{person_id: director-{v}, role: child_director, scope_code: '{code}',"
                  f" user_id: dir-{v}, contacts: {{email: director-{v}@test.example}}}}",
                  f"  - {{person_id: patrol-{v}, role: patrol_lead, scope_code: '{code}',"
                  f" contacts: {{wecom: '{hooks}/wecom/{v}', dingtalk: '{hooks}/dingtalk/{v}'}}}}"]
    return "\n".join(lines) + "\n"


def notifier_env(tmp: Path, database_url: str, bootstrap: str, prefix: str, smtp_port: int,
                 hooks: str, cafile: Path, ack: str = "3s", villages: int = 1) -> dict[str, str]:
    (tmp / "rules.yaml").write_text(RULES.replace("ACK", ack))
    (tmp / "directory.yaml").write_text(directory(hooks, villages))
    return {
        "SHOUHU_AUTH_PUBLIC_KEYS": public_keys_env(f"k1:{GATEWAY_KEYS.keys['k1']}"),
        "SHOUHU_NOTIFIER_DATABASE_URL": database_url,
        "SHOUHU_KAFKA_BOOTSTRAP": bootstrap, "SHOUHU_TOPIC_PREFIX": prefix,
        "SHOUHU_NOTIFIER_RULES": str(tmp / "rules.yaml"),
        "SHOUHU_NOTIFIER_DIRECTORY": str(tmp / "directory.yaml"),
        "SHOUHU_NOTIFIER_SMTP_HOST": "127.0.0.1", "SHOUHU_NOTIFIER_SMTP_PORT": str(smtp_port),
        "SHOUHU_NOTIFIER_SMTP_CAFILE": str(cafile),
        "SHOUHU_NOTIFIER_SMTP_STARTTLS": "require",
        "SHOUHU_NOTIFIER_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SHOUHU_NOTIFIER_DINGTALK_SECRET": DINGTALK_SECRET,
        "SHOUHU_NOTIFIER_SENDING_LEASE_S": "5", "SHOUHU_NOTIFIER_SMTP_TIMEOUT_S": "3",
        "SHOUHU_NOTIFIER_TICK_S": "0.2",
    }
