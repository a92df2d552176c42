"""Handlers for children: register, merge duplicates, update, read, list, review."""

from __future__ import annotations

import logging
from dataclasses import asdict, fields
from datetime import date
from typing import Any

from services.registry.domain.exceptions import ChildNotFound, DuplicateChild, InvalidChild
from services.registry.domain.model import Child, Guardian, Parents, check_child
from services.registry.domain.ports import ChildFilter, UnitOfWork
from services.registry.service_layer import assessment, cases, reports, scope, staff
from services.registry.service_layer.commands import RegisterChild, UpdateChild
from services.registry.service_layer.context import Actor, Policy
from shared.clock import township_today
from shared.errors import found_in_scope
from shared.geo import CoordinateError, check_in_region, to_wgs84

log = logging.getLogger(__name__)
EDITABLE = frozenset({"name", "gender", "birth_date", "id_number", "village_code",
                      "village_name", "address", "school", "phone", "guardians", "parents",
                      "living_alone", "child_director_id", "categories", "home"})


def child_attrs(data: dict[str, Any], policy: Policy) -> dict[str, Any]:
    """API-level facts → Child attributes: WGS 84 home, guardian and parent objects."""
    out = dict(data)
    if "home" in out:
        out["home_lon"], out["home_lat"] = _wgs84_home(out.pop("home"), policy)
    try:
        if "guardians" in out:
            out["guardians"] = [Guardian(**g) for g in out["guardians"]]
        if "parents" in out:
            out["parents"] = Parents(**out["parents"])
    except TypeError as exc:
        raise InvalidChild("guardians" if "guardians" in out else "parents", str(exc)) from exc
    if "living_alone" in out:
        out["declared_living_alone"] = bool(out.pop("living_alone"))
    return out


def _wgs84_home(home: dict[str, Any] | None,
                policy: Policy) -> tuple[float, float] | tuple[None, None]:
    """The home in WGS 84 inside the region; none when a ledger row gave no coordinates."""
    if home is None:
        return None, None
    lon, lat = to_wgs84(home["lon"], home["lat"], home.get("datum", "wgs84"))
    try:
        check_in_region(lon, lat, policy.region, "home")
    except CoordinateError as exc:
        raise InvalidChild("home", str(exc)) from exc
    return lon, lat


def new_child(cmd: RegisterChild, policy: Policy, today: date) -> Child:
    data = {f.name: getattr(cmd, f.name) for f in fields(cmd)}
    lon, lat, datum = data.pop("home_lon"), data.pop("home_lat"), data.pop("home_datum")
    data["home"] = None if lon is None else {"lon": lon, "lat": lat, "datum": datum}
    data.pop("on_duplicate")
    if not data.get("village_name"):
        data["village_name"] = policy.villages.name_of(data["village_code"])
    return check_child(Child(**child_attrs(data, policy)), today)


def register_child(uow: UnitOfWork, cmd: RegisterChild, actor: Actor, policy: Policy,
                   today: date | None = None) -> Child:
    """Register a child, or fold it into the existing record when asked to merge."""
    today = today or township_today()
    child = new_child(cmd, policy, today)
    actor.check_scope(child.village_code, "village")
    with uow:
        dup = uow.children.find_duplicate(child)
        if dup is not None:
            existing, matched_on = _named_duplicate(uow, dup, actor)
            if cmd.on_duplicate != "merge" or existing is None:
                raise DuplicateChild(existing.id if existing else "", matched_on)
            return _merge(uow, existing, child, actor, policy, today)
        staff.check_director(uow, None, child, today)
        assessment.assess_new(uow, child, policy, today)
        uow.children.add(child)
        actor.audit(uow, "create", "child", child.id, sorted(EDITABLE))
        assessment.publish_child(uow, "registry.child.registered.v1", child, today)
        assessment.publish_risk(uow, child, None, policy)
        cases.open_living_alone_case(uow, child, actor, today)
    return child


def _named_duplicate(uow: UnitOfWork, dup: tuple[Child, str],
                     actor: Actor) -> tuple[Child | None, str]:
    """The duplicate found, or None in its place when the caller may not open it: a
    409 never names, and a merge never reads or writes, a record outside its scope."""
    existing, matched_on = dup
    return (existing if scope.may_open_child(uow, actor, existing) else None), matched_on


def _merge(uow: UnitOfWork, existing: Child, new: Child, actor: Actor, policy: Policy,
           today: date) -> Child:
    """Keep the existing record and its history; add what the new one knows."""
    known = {g.name for g in existing.guardians}
    merged = existing.with_changes(
        categories=list(dict.fromkeys(existing.categories + new.categories)),
        guardians=existing.guardians + [g for g in new.guardians if g.name not in known],
        **{k: getattr(new, k) for k in ("id_number", "address", "school", "phone",
                                        "child_director_id") if getattr(new, k)},
    )
    if new.parents.known:
        merged.parents = new.parents
    merged.declared_living_alone = existing.declared_living_alone or new.declared_living_alone
    return store_change(uow, existing, merged, actor, policy, today, "merge")


def update_child(uow: UnitOfWork, cmd: UpdateChild, actor: Actor, policy: Policy,
                 today: date | None = None) -> Child:
    today = today or township_today()
    unknown = set(cmd.changes) - EDITABLE
    if unknown:
        raise InvalidChild(sorted(unknown)[0], "cannot be changed here")
    with uow:
        existing = _load(uow, cmd.child_id, actor)
        attrs = child_attrs(cmd.changes, policy)
        changed = check_child(existing.with_changes(**attrs), today)
        actor.check_scope(changed.village_code, "village")
        dup = uow.children.find_duplicate(changed)
        if dup is not None:
            named, matched_on = _named_duplicate(uow, dup, actor)
            raise DuplicateChild(named.id if named else "", matched_on)
        changed.version = cmd.expected_version
        return store_change(uow, existing, changed, actor, policy, today, "update")


def store_change(uow: UnitOfWork, before: Child, after: Child, actor: Actor, policy: Policy,
           today: date, action: str) -> Child:
    staff.check_director(uow, before, after, today)
    previous = before.risk_grade
    assessment.assess_new(uow, after, policy, today, current_due=before.next_visit_due)
    saved = uow.children.save(after, after.version if action == "update" else before.version,
                              actor.id, action)
    diff = [k for k, v in asdict(saved).items() if k != "version" and asdict(before)[k] != v]
    actor.audit(uow, action, "child", saved.id, diff)
    assessment.publish_child(uow, "registry.child.updated.v1", saved, today)
    if saved.risk_grade != previous:
        assessment.publish_risk(uow, saved, previous, policy)
    cases.open_living_alone_case(uow, saved, actor, today)
    return saved


def _load(uow: UnitOfWork, child_id: str, actor: Actor) -> Child:
    return found_in_scope(uow.children.get(child_id),
                          lambda c: scope.may_open_child(uow, actor, c),
                          ChildNotFound(f"no child {child_id}"))


def get_child(uow: UnitOfWork, child_id: str, actor: Actor) -> Child:
    """Read one child; the read is audited."""
    with uow:
        child = _load(uow, child_id, actor)
        actor.audit(uow, "read", "child", child.id, actor.fields("child"))
    return child


def list_children(uow: UnitOfWork, f: ChildFilter, page: int, page_size: int,
                  actor: Actor) -> tuple[list[Child], int]:
    """One page of children in the caller's scope; each child shown is an audited read."""
    with uow:
        items, total = uow.children.query(scope.child_filter(uow, actor, f), page, page_size)
        for child in items:
            actor.audit(uow, "read", "child", child.id, actor.fields("child"))
    return items, total


def child_history(uow: UnitOfWork, child_id: str, actor: Actor) -> list[dict]:
    """Who changed the record when (merges keep the absorbed registration's trail here)."""
    with uow:
        _load(uow, child_id, actor)
        history = uow.children.history(child_id)
        actor.audit(uow, "read", "child", child_id, ["history"])
    return [{k: h[k] for k in ("version", "at", "actor_id", "action")} for h in history]


def mark_reviewed(uow: UnitOfWork, child_id: str, quarter: str, actor: Actor) -> Child:
    """Quarterly dynamic monitoring (rule 7): the record was checked this quarter."""
    if quarter != reports.quarter_of(township_today()):
        raise InvalidChild("quarter", "records are reviewed in the current quarter")
    with uow:
        child = _load(uow, child_id, actor)
        reviewed = child.with_changes(reviewed_quarter=quarter)
        saved = uow.children.save(reviewed, child.version, actor.id, "review")
        actor.audit(uow, "review", "child", child.id, ["reviewed_quarter"])
    return saved
