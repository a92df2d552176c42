"""Which children and cases a caller may open: its place, then the policy's relation.

Staff reach every record of their township or villages. A liaison reaches only what
its work concerns (shared.access): the police the cases referred to them and those
cases' children; a school its own pupils and their cases referred to schools. Lists
and searches are narrowed the same way, so no listing shows a record that a read of
it would answer "not found".
"""

from __future__ import annotations

from dataclasses import replace

from services.registry.domain.cases import Case
from services.registry.domain.model import Child
from services.registry.domain.ports import ChildFilter, UnitOfWork
from services.registry.service_layer.context import Actor
from shared.access import Relation


def _referred(uow: UnitOfWork, actor: Actor, child_id: str = "") -> list[Case]:
    p = actor.principal
    return uow.cases.referred(actor.referral_unit, p.village_codes or None, p.township_code,
                              child_id)


def may_open_child(uow: UnitOfWork, actor: Actor, child: Child) -> bool:
    if not actor.principal.sees_village(child.village_code):
        return False
    rel = actor.relation("child")
    if rel is Relation.PUPIL:
        return bool(actor.principal.unit) and child.school == actor.principal.unit
    if rel is Relation.REFERRED:
        return bool(_referred(uow, actor, child.id))
    return rel is Relation.PLACE


def may_open_case(uow: UnitOfWork, actor: Actor, case: Case) -> bool:
    """A liaison's case: referred to its unit, about a child it may open."""
    if not actor.principal.sees_village(case.village_code):
        return False
    rel = actor.relation("case")
    if rel is Relation.REFERRED:
        child = uow.children.get(case.child_id)
        return (case.referred_to(actor.referral_unit) and child is not None
                and may_open_child(uow, actor, child))
    return rel is Relation.PLACE


def child_filter(uow: UnitOfWork, actor: Actor, f: ChildFilter) -> ChildFilter:
    """``f`` narrowed to the children the caller may open."""
    p = actor.principal
    scoped = replace(f, villages=p.village_codes or None, township=p.township_code)
    rel = actor.relation("child")
    if rel is Relation.PUPIL:
        return replace(scoped, school=p.unit or None, ids=None if p.unit else frozenset())
    if rel is Relation.REFERRED:
        return replace(scoped, ids=frozenset(c.child_id for c in _referred(uow, actor)))
    return scoped if rel is Relation.PLACE else replace(scoped, ids=frozenset())


def related_cases(uow: UnitOfWork, actor: Actor) -> list[Case] | None:
    """A liaison's cases, newest first; None when the caller's place is the rule."""
    if actor.relation("case") is not Relation.REFERRED:
        return None
    return [c for c in _referred(uow, actor) if may_open_case(uow, actor, c)]
