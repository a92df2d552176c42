"""The access policy: who may do what to which records and see which of their fields.

One table (``POLICY``: resource → role → ``Grant``) is the rule for every service's
API and every page: views take their ``@allow`` role groups from ``roles()``, the
registry shapes each child and case with ``visible_fields()`` / ``masked_fields()``
and keeps listings to the records the ``relation`` grants, and the role table of
docs/security.md is generated from it (``markdown_table``; a test keeps it current).

Scope follows the three tiers (docs/domain.md rule 11): the account's township (or the
district when it has none) and, for child directors, their villages. A relation
narrows a township-wide role to the records its work concerns. Nothing here imports
a framework: the domain layers may use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.auth.principal import Role
from shared.privacy import mask_id_number, mask_phone

R = Role


class Relation(StrEnum):
    """Why a record concerns the caller, beyond being in its township or villages."""

    PLACE = "in my township / my villages"
    REFERRED = "a case referred to my unit (or its child)"
    PUPIL = "a pupil of my school"


CHILD_FIELDS = ("id", "name", "gender", "birth_date", "age", "age_band", "id_number",
                "village_code", "village_name", "address", "school", "phone", "home",
                "categories", "guardians", "parents", "living_alone", "child_director_id",
                "risk_grade", "risk_score", "risk_reasons", "water_distance_m",
                "next_visit_due", "last_visited_at", "reviewed_quarter", "version")
CASE_FIELDS = ("id", "child_id", "village_code", "situation", "severity", "step",
               "owner_id", "opened_at", "mandatory_report", "report", "checklist",
               "checklist_done", "history", "referrals", "approvals", "awaiting_approval",
               "moves", "outcome", "version")
# A police officer finds and admonishes a family: who, where they live, how to reach them.
POLICE_CHILD = ("id", "name", "gender", "birth_date", "age", "id_number", "village_code",
                "village_name", "address", "phone", "guardians", "parents", "living_alone",
                "version")
# A school follows up its pupil: no birth date, home, address or clear identifiers.
SCHOOL_CHILD = ("id", "name", "gender", "age", "age_band", "id_number", "village_code",
                "village_name", "school", "phone", "guardians", "categories",
                "living_alone", "risk_grade", "version")
POLICE_CASE = ("id", "child_id", "village_code", "situation", "severity", "step",
               "opened_at", "mandatory_report", "report", "referrals", "version")
SCHOOL_CASE = ("id", "child_id", "village_code", "situation", "step", "opened_at",
               "referrals", "version")
IDENTIFIERS = ("id_number", "phone", "guardians")  # what masking changes
# The station's rosters (docs/domain.md rule 8), and the exports a bulk-export approval covers.
ROSTERS = ("left_behind", "in_difficulty", "orphan", "de_facto_unsupported")
EXPORTS = tuple(f"roster:{name}" for name in ROSTERS)
# The unit a liaison role answers for, as case referrals name it (shared.events UNITS).
UNIT_OF_ROLE = {R.POLICE_LIAISON: "police", R.SCHOOL_LIAISON: "school"}


@dataclass(frozen=True)
class Grant:
    """What one role may do to one resource, which records and which of their fields."""

    actions: frozenset[str]
    relation: Relation = Relation.PLACE
    fields: tuple[str, ...] = ()  # empty: the resource has no per-field rule
    masked: tuple[str, ...] = ()  # shown masked (shared.privacy), never in clear


def _g(actions: str, relation: Relation = Relation.PLACE, fields: Iterable[str] = (),
       masked: Iterable[str] = ()) -> Grant:
    return Grant(frozenset(actions.split()), relation, tuple(fields), tuple(masked))


STAFF = (R.STATION_ADMIN, R.CHILD_SUPERVISOR, R.CHILD_DIRECTOR)
OFFICE = (R.STATION_ADMIN, R.CHILD_SUPERVISOR)
PEOPLE = tuple(r for r in Role if r is not R.SERVICE)

POLICY: dict[str, dict[Role, Grant]] = {
    "child": {
        **{r: _g("read write", fields=CHILD_FIELDS) for r in STAFF},
        R.POLICE_LIAISON: _g("read", Relation.REFERRED, POLICE_CHILD),
        R.SCHOOL_LIAISON: _g("read", Relation.PUPIL, SCHOOL_CHILD, IDENTIFIERS),
    },
    "case": {  # ask: for a supervisor's approval of a step; approve: give or return it
        **{r: _g("read open move ask feedback", fields=CASE_FIELDS) for r in STAFF},
        **{r: _g("read open move ask approve feedback", fields=CASE_FIELDS) for r in OFFICE},
        R.POLICE_LIAISON: _g("read feedback", Relation.REFERRED, POLICE_CASE),
        R.SCHOOL_LIAISON: _g("read feedback", Relation.REFERRED, SCHOOL_CASE),
    },
    "visit": {r: _g("read write") for r in STAFF},
    "home": {r: _g("read") for r in STAFF},  # exact home points on maps and pages
    "ledger": {r: _g("read write export") for r in STAFF},
    "counts": {r: _g("read") for r in (*STAFF, R.PLANNER)},  # village reviews, no child
    "cells": {r: _g("read") for r in PEOPLE},  # homes as counts in map cells
    "dashboard": {r: _g("read") for r in (*OFFICE, R.PLANNER)},
    "plan": {**{r: _g("read write follow") for r in OFFICE},
             R.PLANNER: _g("read follow"),  # planners change nothing
             R.PATROL_MEMBER: _g("follow")},  # follow: a team's own route and sheet
    "road_network": {**{r: _g("read write") for r in OFFICE},  # the layer plans follow
                     R.PLANNER: _g("read")},
    "hazard": {**{r: _g("read") for r in Role},
               **{r: _g("read write") for r in (*STAFF, R.PLANNER)}},
    "patrol": {r: _g("check_in") for r in (R.PATROL_MEMBER, *STAFF)},
    # 隐患整改: the station assigns, the village reports it fixed, a patrol confirms
    "fix_task": {R.PLANNER: _g("read"), R.PATROL_MEMBER: _g("read confirm"),
                 R.CHILD_DIRECTOR: _g("read report confirm"),
                 **{r: _g("read assign report confirm") for r in OFFICE}},
    "device": {R.STATION_ADMIN: _g("manage")},
    "rules": {**{r: _g("read test") for r in OFFICE},  # notification rules
              R.STATION_ADMIN: _g("read test manage")},
    "directory": {R.STATION_ADMIN: _g("manage")},  # the notifier's people and channels
    "delivery_log": {r: _g("read") for r in STAFF},
    "inbox": {r: _g("read") for r in PEOPLE},  # one's own messages only
    "account": {r: _g("use") for r in Role},  # one's own sign-in and session
    "users": {R.STATION_ADMIN: _g("manage")},
    "background_check": {R.STATION_ADMIN: _g("read write"),
                         **{r: _g("read") for r in (R.CHILD_SUPERVISOR, R.PLANNER)}},
    "export_approval": {r: _g("issue") for r in OFFICE},
    "audit": {R.STATION_ADMIN: _g("read export")},
}


def roles(resource: str, action: str) -> tuple[Role, ...]:
    """The roles that may ``action`` the ``resource`` (for ``@allow(*roles(...))``)."""
    grants = POLICY[resource]
    found = tuple(r for r in Role if r in grants and action in grants[r].actions)
    if not found:
        raise KeyError(f"no role may {action} {resource}: a typo in the policy's user?")
    return found


def grant(role: Role, resource: str) -> Grant | None:
    return POLICY[resource].get(role)


def may(role: Role, resource: str, action: str) -> bool:
    g = grant(role, resource)
    return g is not None and action in g.actions


def visible_fields(role: Role, resource: str) -> tuple[str, ...]:
    """The fields of a ``resource`` record this role is sent (none without a grant)."""
    g = grant(role, resource)
    return g.fields if g is not None and "read" in g.actions else ()


def masked_fields(role: Role, resource: str) -> tuple[str, ...]:
    g = grant(role, resource)
    return g.masked if g is not None else ()


def relation(role: Role, resource: str) -> Relation | None:
    g = grant(role, resource)
    return g.relation if g is not None else None


def _mask_guardians(guardians: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**g, "phone": mask_phone(g.get("phone"))} for g in guardians]


MASKS: dict[str, Callable[[Any], Any]] = {
    "id_number": mask_id_number, "phone": mask_phone, "guardians": _mask_guardians}


def shape(role: Role, resource: str, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` as ``role`` may see it: only its visible fields, masked ones masked."""
    masked = masked_fields(role, resource)
    return {k: MASKS[k](record[k]) if k in masked else record[k]
            for k in visible_fields(role, resource) if k in record}
