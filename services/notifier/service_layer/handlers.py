"""Handlers: events in → alerts and deliveries stored; acknowledgements; previews.

``HANDLERS`` is the notifier's table in the shared form (``shared.messaging.handlers``):
every consumed type goes to ``handle_event``, inside the consumer's own transaction
(with the inbox row), so an event's deliveries are stored exactly when the event is
marked applied.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from services.notifier.domain import ack
from services.notifier.domain.directory import Person, scope_for
from services.notifier.domain.exceptions import AckRefused, NotFound
from services.notifier.domain.planning import PlannedDelivery, Resolver, plan
from services.notifier.domain.ports import UnitOfWork
from services.notifier.domain.rules import RuleSet, Target
from shared.events.envelope import CloudEvent
from shared.messaging.handlers import EventHandler

log = logging.getLogger(__name__)

ROUTED = ("registry.case.opened.v1", "registry.case.referred.v1",
          "registry.case.approval_requested.v1", "registry.case.approval_decided.v1",
          "registry.visit.overdue.v1", "hazards.finding.reported.v1", "hazards.device.silent.v1",
          "hazards.fix_task.assigned.v1", "hazards.fix_task.reported_fixed.v1",
          "hazards.fix_task.overdue.v1", "gateway.staff_check.recorded.v1")
TRACKED = ("registry.case.closed.v1", "registry.visit.recorded.v1",
           "hazards.hazard.created.v1", "hazards.hazard.updated.v1")
CONSUMED = ROUTED + TRACKED


def reachable(person: Person, channels: frozenset[str]) -> Person:
    """The person with only the addresses of channels this deployment configured."""
    return replace(person, contacts={c: a for c, a in person.contacts.items() if c in channels})


def resolver(uow: UnitOfWork) -> Resolver:
    def resolve(target: Target, village_code: str) -> list[Person]:
        scope = scope_for(village_code, target.level)
        found = uow.directory.resolve(target.role, scope) if scope else []
        return [reachable(p, uow.channels) for p in found]

    return resolve


def village_of(uow: UnitOfWork, data: Mapping[str, Any]) -> str:
    """The event's village; device and some finding events only name their hazard, and
    a township-wide person's check only the township (reaching township-level roles)."""
    if not data.get("village_code") and data.get("township_code"):
        return str(data["township_code"]).ljust(12, "0")
    return data.get("village_code") or uow.places.hazard_village(data.get("hazard_id", ""))


def announce(uow: UnitOfWork, what: str, *deliveries: Any) -> None:
    """Publish ``notifier.delivery.<what>.v1`` for each delivery (ids only)."""
    uow.publish_many(f"notifier.delivery.{what}.v1", [{
        "delivery_id": d.delivery_id, "event_id": d.event_id, "event_type": d.event_type,
        "recipient_id": d.recipient_id, "channel": d.channel, "attempt": d.attempt,
        "case_id": d.case_id, "level": d.level} for d in deliveries])


def raise_directory_gap(uow: UnitOfWork, event: CloudEvent, rule: str, village: str,
                        recipients: int, now: datetime) -> None:
    """An urgent message found nobody for its place and went to the station: say so
    loudly (log and ``notifier.directory.gap.v1``, shown on the dashboard)."""
    log.error("urgent rule %s: the directory names nobody in %s for event %s; sent to "
              "the station (%d delivery(ies))", rule, village or "an unknown place",
              event.id, recipients)
    uow.publish("notifier.directory.gap.v1", {
        "gap_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{event.id}:{rule}")),
        "event_id": event.id, "event_type": event.type, "rule": rule,
        "village_code": village, "recipients": recipients, "raised_at": now.isoformat()})


def store_deliveries(uow: UnitOfWork, alert_id: str, event_id: str, event_type: str,
                     case_id: str, urgent: bool, level: int,
                     planned: tuple[PlannedDelivery, ...], now: datetime) -> list[str]:
    return uow.deliveries.add(
        alert_id=alert_id, event_id=event_id, event_type=event_type, case_id=case_id,
        level=level, urgent=urgent, now=now,
        to=[(p.person.person_id, p.channel, p.not_before) for p in planned])


def route_event(uow: UnitOfWork, rules: RuleSet, event: CloudEvent,
                now: datetime) -> list[str]:
    """Store the alerts and first deliveries an event raises; return delivery ids."""
    village = village_of(uow, event.data)
    case_id = str(event.data.get("case_id", ""))
    ids: list[str] = []
    for alert in plan(rules, event.type, event.data, village, resolver(uow), now):
        if alert.unrouted:
            raise_directory_gap(uow, event, alert.rule.name, village, len(alert.deliveries), now)
        elif not alert.deliveries:
            log.warning("rule %s matched event %s but the directory names nobody",
                        alert.rule.name, event.id)
        alert_id = uow.deliveries.add_alert(
            event_id=event.id, event_type=event.type, rule=alert.rule.name, case_id=case_id,
            village_code=village, data=dict(event.data), urgent=alert.urgent,
            deadline=alert.deadline, now=now)
        if alert_id is not None:
            ids += store_deliveries(uow, alert_id, event.id, event.type, case_id, alert.urgent,
                                    0, alert.deliveries, now)
    return ids


def track_event(uow: UnitOfWork, event: CloudEvent) -> None:
    """Keep what routing and the daily digest need: hazard villages and open work."""
    d = event.data
    if event.type.startswith("hazards.hazard."):
        uow.places.set_hazard_village(d["hazard_id"], d.get("village_code", ""))
    elif event.type == "registry.visit.overdue.v1":
        uow.places.open_item(f"visit:{d['child_id']}:{d['due_date']}", kind="visit",
                             village_code=d["village_code"], ref_id=d["child_id"],
                             detail=d["risk_grade"],
                             due_date=datetime.fromisoformat(d["due_date"]).date())
    elif event.type == "registry.visit.recorded.v1":
        uow.places.close_visits(d["child_id"])
    elif event.type == "registry.case.referred.v1":
        uow.places.open_item(f"referral:{d['referral_id']}", kind="referral",
                             village_code=d["village_code"], case_id=d["case_id"],
                             ref_id=d["referral_id"], detail=d["unit"])
    elif event.type == "registry.case.closed.v1":
        uow.places.close_referrals(d["case_id"])


def handle_event(uow: UnitOfWork, rules: RuleSet, event: CloudEvent,
                 now: datetime) -> None:
    track_event(uow, event)
    if event.type in ROUTED:
        route_event(uow, rules, event, now)


@dataclass(frozen=True)
class Incoming:
    """What a consumed event is handled with: the unit of work in the consumer's
    transaction, the routing rules in force and the time it is handled."""

    uow: UnitOfWork
    rules: RuleSet
    now: datetime


def on_event(incoming: Incoming, event: CloudEvent) -> None:
    handle_event(incoming.uow, incoming.rules, event, incoming.now)


HANDLERS: dict[str, EventHandler[Incoming]] = dict.fromkeys(CONSUMED, on_event)


def preview(uow: UnitOfWork, rules: RuleSet, event_type: str,
            data: Mapping[str, Any], now: datetime) -> list[dict[str, Any]]:
    """Which notifications would this event produce? Nothing is stored."""
    village = village_of(uow, data)
    out = []
    for alert in plan(rules, event_type, data, village, resolver(uow), now):
        rule = alert.rule
        out.append({
            "rule": rule.name, "urgent": alert.urgent, "village_code": village,
            "ack_within_s": rule.ack_within_s,
            "escalation": [f"{t.role}@{t.level}" for t in rule.escalate],
            "deliveries": [{"recipient_id": p.person.person_id, "role": p.person.role,
                            "channel": p.channel, "not_before": p.not_before}
                           for p in alert.deliveries],
        })
    return out


def acknowledge(uow: UnitOfWork, delivery_id: str, now: datetime) -> dict[str, Any]:
    """Record that a recipient acted: the alert stops escalating."""
    delivery = uow.deliveries.get(delivery_id)
    if delivery is None:
        raise NotFound(f"no delivery {delivery_id}")
    first = delivery.acked_at is None
    uow.deliveries.mark_acked(delivery_id, now)
    uow.deliveries.ack_alert(delivery.alert_id, delivery.recipient_id, now)
    if first:
        announce(uow, "acknowledged", delivery)
    return {"delivery_id": delivery_id, "acknowledged": True, "first": first}


def check_ack_link(uow: UnitOfWork, token: str, secret: str, now: datetime) -> str:
    """The delivery a link may still acknowledge (genuine, unexpired, unused); changes
    nothing, for the confirmation page a GET shows."""
    delivery_id = ack.read_token(token, secret, now)
    if uow.deliveries.get(delivery_id) is None:
        raise AckRefused("this acknowledgement link is not valid")
    if uow.deliveries.token_used(delivery_id):
        raise AckRefused("this acknowledgement link was already used")
    return delivery_id


def ack_by_token(uow: UnitOfWork, token: str, secret: str,
                 now: datetime) -> dict[str, Any]:
    """The confirmation page's button: acknowledge and spend the link."""
    delivery_id = check_ack_link(uow, token, secret, now)
    if not uow.deliveries.use_token(delivery_id, now):
        raise AckRefused("this acknowledgement link was already used")
    return acknowledge(uow, delivery_id, now)


def ack_from_inbox(uow: UnitOfWork, delivery_id: str, user_id: str,
                   now: datetime) -> dict[str, Any]:
    delivery = uow.deliveries.get(delivery_id)
    if delivery is None or delivery.recipient_id not in uow.directory.person_ids_of_user(
            user_id):
        raise NotFound(f"no inbox item {delivery_id}")
    return acknowledge(uow, delivery_id, now)
