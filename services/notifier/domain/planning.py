"""From an event and the matching rules to alerts and deliveries (pure).

An *alert* is one rule firing for one event: it owns the acknowledgement deadline and
the escalation level. Its *deliveries* go to the recipients the directory names for
the rule's targets at the current level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.notifier.domain.directory import Person
from services.notifier.domain.rules import Rule, RuleSet, Target

Resolver = Callable[[Target, str], list[Person]]  # (target, village_code) → people
# Where an urgent message goes when the directory names nobody for its place: the
# township's protection station (its desk and administrators), never nowhere.
STATION = Target("station", "township")


@dataclass(frozen=True)
class PlannedDelivery:
    person: Person
    channel: str
    not_before: datetime  # quiet hours push non-urgent items to their end


@dataclass(frozen=True)
class PlannedAlert:
    rule: Rule
    urgent: bool
    deadline: datetime | None
    deliveries: tuple[PlannedDelivery, ...]
    unrouted: bool = False  # nobody named for the place: sent to the station instead


def plan_level(rules: RuleSet, rule: Rule, level: int, data: Mapping[str, Any],
               village_code: str, resolve: Resolver, now: datetime) -> PlannedAlert:
    """The deliveries one rule makes at one escalation level."""
    urgent = rule.is_urgent(data)
    not_before = now if urgent else (rules.quiet_until(now) or now)
    planned = _deliveries(rule, rule.targets_at(level), village_code, resolve, not_before)
    unrouted = urgent and not planned
    if unrouted:
        planned = _deliveries(rule, (STATION,), village_code, resolve, not_before)
    has_next = level < len(rule.escalate)
    # only urgent items escalate; the rest wait in inboxes and the daily digest
    deadline = (now + timedelta(seconds=rule.ack_within_s)
                if rule.ack_within_s and has_next and urgent else None)
    return PlannedAlert(rule, urgent, deadline, tuple(planned), unrouted)


def _deliveries(rule: Rule, targets: Iterable[Target], village_code: str, resolve: Resolver,
                not_before: datetime) -> list[PlannedDelivery]:
    seen: set[tuple[str, str]] = set()
    planned = []
    for target in targets:
        for person in resolve(target, village_code):
            for channel in person.pick_channels(rule.channels):
                if (person.person_id, channel) not in seen:
                    seen.add((person.person_id, channel))
                    planned.append(PlannedDelivery(person, channel, not_before))
    return planned


def plan(rules: RuleSet, event_type: str, data: Mapping[str, Any], village_code: str,
         resolve: Resolver, now: datetime) -> list[PlannedAlert]:
    """Every alert an event raises, with its first-level deliveries."""
    return [plan_level(rules, rule, 0, data, village_code, resolve, now)
            for rule in rules.match(event_type, data, now)]
