"""Rosters by category, the reception and hotline ledgers, and the quarterly review."""

from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from services.registry.domain.exceptions import ApprovalSpent, InvalidChild
from services.registry.domain.model import IN_DIFFICULTY, Child
from services.registry.domain.ports import ChildFilter, UnitOfWork
from services.registry.service_layer.context import Actor
from shared.clock import business_date, start_of


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[datetime, datetime]:
    if not re.fullmatch(r"\d{4}Q[1-4]", quarter):
        raise InvalidChild("quarter", "use the form 2026Q3")
    year, q = int(quarter[:4]), int(quarter[5])
    # the township's quarter: a visit at 00:30 on 1 April Beijing time is in Q2
    return (start_of(date(year, 3 * q - 2, 1)),
            start_of(date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)))


def _scope(actor: Actor, **kw: Any) -> ChildFilter:
    return ChildFilter(villages=actor.principal.village_codes or None,
                       township=actor.principal.township_code, **kw)


Authorise = Callable[[int], tuple[Actor, str]]  # n rows → (actor to audit as, approval)


def roster(uow: UnitOfWork, name: str, actor: Actor,
           authorise: Authorise) -> list[Child]:
    """The station's roster (rule 8); in_difficulty gathers every difficulty category.

    ``authorise(n)`` refuses an export of n children the caller may not take away (a bulk
    export needs a supervisor's approval) and returns the actor to audit it as, its
    purpose naming the approval, and the approval's id ("" for none), spent here in the
    export's transaction; nothing is audited when it refuses.
    """
    wanted = set(IN_DIFFICULTY) if name == "in_difficulty" else {name}
    with uow:
        found = [c for c in uow.children.iter_all(_scope(actor))
                 if wanted & set(c.categories)]
        who, approval_id = authorise(len(found))
        if approval_id and not uow.approvals.spend(approval_id, who.id):
            raise ApprovalSpent("this export approval was used already; ask for a new one")
        who.audit_many(uow, "export", "child", [c.id for c in found], ["roster:" + name])
    return found


def caseload(uow: UnitOfWork) -> Callable[[str, str], bool]:
    """(person, child) → is the child in that person's caseload: a village where the
    person is the child director of some child (the unusual-readers report)."""
    with uow:
        village_of: dict[str, str] = {}
        directs: defaultdict[str, set[str]] = defaultdict(set)
        for child in uow.children.iter_all(ChildFilter(include_archived=True)):
            village_of[child.id] = child.village_code
            if child.child_director_id:
                directs[child.child_director_id].add(child.village_code)
    return lambda person, child_id: village_of.get(child_id) in directs.get(person, ())


def quarterly_review(uow: UnitOfWork, quarter: str, actor: Actor) -> list[dict]:
    """Per village: counts by category and grade, records not reviewed, visits done vs due."""
    start, end = quarter_bounds(quarter)
    villages: dict[str, dict[str, Any]] = {}
    with uow:
        for child in uow.children.iter_all(_scope(actor)):
            v = villages.setdefault(child.village_code, {
                "village_code": child.village_code, "village_name": child.village_name,
                "children": 0, "unreviewed": 0, "by_category": Counter(),
                "by_grade": Counter(), "visits_due": 0})
            v["children"] += 1
            v["unreviewed"] += child.reviewed_quarter != quarter
            v["by_category"].update(child.categories)
            v["by_grade"][child.risk_grade] += 1
            due = child.next_visit_due
            v["visits_due"] += due is not None and due < business_date(end)
        for v in villages.values():
            v["visits_done"] = uow.visits.count_between(v["village_code"], start, end)
            v["by_category"], v["by_grade"] = dict(v["by_category"]), dict(v["by_grade"])
    return sorted(villages.values(), key=lambda v: v["village_code"])


def unreviewed(uow: UnitOfWork, quarter: str, actor: Actor) -> list[Child]:
    quarter_bounds(quarter)
    with uow:
        found = list(uow.children.iter_all(_scope(actor, unreviewed_quarter=quarter)))
        for child in found:
            actor.audit(uow, "read", "child", child.id, ["reviewed_quarter"])
    return found


def add_ledger_entry(uow: UnitOfWork, ledger: str, entry: dict[str, Any],
                     actor: Actor) -> dict[str, Any]:
    """A reception visit or a hotline call (rule 8), written as it happened."""
    actor.check_scope(entry["village_code"], "village")
    row = {"id": str(uuid.uuid4()), "ledger": ledger, "handled_by": actor.id,
           "at": entry.get("at") or datetime.now(UTC), "child_id": entry.get("child_id"),
           **{k: entry.get(k, "") for k in ("village_code", "contact", "summary", "outcome")}}
    with uow:
        uow.ledgers.add(row)
        actor.audit(uow, "create", "ledger_entry", row["id"], ["contact", "summary"])
    return row


def ledger_entries(uow: UnitOfWork, ledger: str, actor: Actor) -> list[dict[str, Any]]:
    with uow:
        rows = uow.ledgers.list(ledger, actor.principal.village_codes or None,
                                actor.principal.township_code)
        actor.audit(uow, "read", "ledger", ledger, ["contact", "summary"])
    return rows
