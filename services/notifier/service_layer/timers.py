"""Timers the worker drives from the database: escalations and the daily digest.

Both are stored state, not in-memory timers, so a restart loses none: an alert's
``deadline`` column is its escalation timer, and a digest is an alert whose event id
is derived from (person, day), so it is created once per day whatever restarts.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from services.notifier.domain.planning import plan_level
from services.notifier.domain.ports import UnitOfWork
from services.notifier.domain.rules import RuleSet
from services.notifier.service_layer.handlers import announce, resolver, store_deliveries

log = logging.getLogger(__name__)
_DIGEST = uuid.UUID("6b1f3c52-7f0e-4f0a-9a57-3c8d2f0e5a11")


def escalate_due(uow_factory: Callable[[], UnitOfWork], rules: RuleSet,
                 now: datetime) -> int:
    """Escalate every unacknowledged alert past its deadline; one transaction each."""
    with uow_factory() as uow:
        due = uow.deliveries.due_alerts(now)
    for alert in due:
        with uow_factory() as uow:
            escalate(uow, rules, alert, now)
    return len(due)


def escalate(uow: UnitOfWork, rules: RuleSet, alert: Any, now: datetime) -> None:
    rule = rules.rule(alert.rule)
    if rule is None:  # the rule was removed since: stop its timer
        uow.deliveries.raise_level(alert, None)
        return
    level = alert.level + 1
    planned = plan_level(rules, rule, level, json.loads(alert.data), alert.village_code,
                         resolver(uow), now)
    if not uow.deliveries.raise_level(alert, planned.deadline):
        return  # acknowledged or escalated by someone else meanwhile
    ids = store_deliveries(uow, alert.alert_id, alert.event_id, alert.event_type,
                           alert.case_id, alert.urgent, level, planned.deliveries, now)
    log.info("alert %s (rule %s) escalated to level %d: %d delivery(ies)", alert.alert_id,
             alert.rule, level, len(ids))
    announce(uow, "escalated", *(uow.deliveries.get(delivery_id) for delivery_id in ids))


def send_digests(uow_factory: Callable[[], UnitOfWork], rules: RuleSet,
                 now: datetime) -> int:
    """After ``digest_at`` local time, one digest per child director with open work."""
    local = rules.local(now)
    if rules.digest_at is None or local.time() < rules.digest_at:
        return 0
    made = 0
    with uow_factory() as uow:
        for person in uow.directory.everyone():
            if person.role != "child_director":
                continue
            items = uow.places.open_items(person.scope_code)
            if not items:
                continue
            event_id = str(uuid.uuid5(_DIGEST, f"{person.person_id}:{local.date()}"))
            data = _digest_data(items)
            alert_id = uow.deliveries.add_alert(
                event_id=event_id, event_type="notifier.digest", rule="daily-digest",
                case_id="", village_code=person.scope_code, data=data, urgent=False,
                deadline=None, now=now)
            if alert_id and uow.deliveries.add(
                    alert_id=alert_id, event_id=event_id, event_type="notifier.digest",
                    case_id="", level=0, urgent=False, now=now,
                    to=[(person.person_id, person.channel_order()[0], now)]):
                made += 1
    return made


def _digest_data(items: list[Any]) -> dict[str, Any]:
    lines = [f"- {i.kind} {i.ref_id} ({i.detail}{', ' + str(i.due_date) if i.due_date else ''})"
             for i in items[:50]]
    return {"visits": sum(i.kind == "visit" for i in items),
            "referrals": sum(i.kind == "referral" for i in items), "items": "\n".join(lines)}
