"""Risk assessment in the service layer: one child at a time, or all of them at once.

Reassessing everyone is what a hazard change or a new season triggers: distances for
all homes come from one vectorised STRtree query, only changed rows are written, and
only grade changes go on the wire.
"""

from __future__ import annotations

import logging
import math
from datetime import date
from typing import Any

from services.registry.domain.model import Child, age_band
from services.registry.domain.risk import Assessment, assess
from services.registry.domain.visits import earlier_due
from services.registry.domain.water import WaterIndex
from services.registry.service_layer.context import Policy
from services.registry.service_layer.unit_of_work import RegistryUnitOfWork
from shared.clock import township_today

log = logging.getLogger(__name__)


def water_index(uow: RegistryUnitOfWork, policy: Policy) -> WaterIndex:
    geometries, zones = uow.water.shapes()
    return WaterIndex(geometries, zones, policy.centre)


def _apply(child: Child, a: Assessment, distance_m: float, today: date,
           current_due: date | None) -> None:
    child.risk_grade, child.risk_score, child.risk_reasons = a.grade, a.score, list(a.reasons)
    child.water_distance_m = None if distance_m != distance_m else round(float(distance_m), 1)
    child.next_visit_due = earlier_due(current_due, child.last_visited_at or today,
                                       a.visit_interval_days)


def _water(index: WaterIndex, children: list[Child]) -> tuple[list[float], list[bool]]:
    """Each child's distance to water and whether home is in a hazard zone, in one
    vectorised query; a child without coordinates gets NaN (distance unknown), no zone."""
    dists, zones = [math.nan] * len(children), [False] * len(children)
    placed = [(i, c.home_lon, c.home_lat) for i, c in enumerate(children)
              if c.home_lon is not None and c.home_lat is not None]
    lons, lats = [p[1] for p in placed], [p[2] for p in placed]
    for (i, _, _), dist, in_zone in zip(placed, index.distances_m(lons, lats),
                                        index.in_zone(lons, lats), strict=True):
        dists[i], zones[i] = float(dist), bool(in_zone)
    return dists, zones


def assess_new(uow: RegistryUnitOfWork, child: Child, policy: Policy, today: date,
               current_due: date | None = None, index: WaterIndex | None = None) -> None:
    """Grade one child in place (risk fields and next visit due)."""
    index = index or water_index(uow, policy)
    (dist,), (in_zone,) = _water(index, [child])
    _apply(child, assess(child, dist, today, policy.model, in_zone), dist, today, current_due)


def assess_many(children: list[Child], index: WaterIndex, policy: Policy, today: date) -> None:
    """Grade new children in place with one vectorised distance query."""
    dists, zones = _water(index, children)
    for child, dist, in_zone in zip(children, dists, zones, strict=True):
        a = assess(child, dist, today, policy.model, in_zone)
        _apply(child, a, dist, today, None)


def reassess_all(uow: RegistryUnitOfWork, policy: Policy, today: date | None = None,
                 bands_since: date | None = None) -> int:
    """Reassess every active child; write what changed; return how many grades changed.

    With ``bands_since``, a child whose age band moved since that day (turned 3, 6, 12
    or 16) is published again too: the map weighs exposure by age band, and nothing
    else would tell it (docs/adr/0104-age-bands-published-by-the-registry.md)."""
    today = today or township_today()
    everyone = list(uow.children.iter_for_assessment())
    index = water_index(uow, policy)
    dists, zones = _water(index, everyone)
    changes: list[dict[str, Any]] = []
    regraded = 0
    for child, dist, in_zone in zip(everyone, dists, zones, strict=True):
        before = (child.risk_grade, child.risk_score, child.risk_reasons,
                  child.water_distance_m, child.next_visit_due)
        a = assess(child, dist, today, policy.model, in_zone)
        _apply(child, a, dist, today, child.next_visit_due)
        after = (child.risk_grade, child.risk_score, child.risk_reasons,
                 child.water_distance_m, child.next_visit_due)
        moved = bands_since is not None and (age_band(child.birth_date, bands_since)
                                             != age_band(child.birth_date, today))
        if after != before:
            changes.append({"cid": child.id, "risk_grade": a.grade, "risk_score": a.score,
                            "risk_reasons": list(a.reasons),
                            "water_distance_m": child.water_distance_m,
                            "next_visit_due": child.next_visit_due})
        if a.grade != before[0]:
            regraded += 1
            publish_risk(uow, child, before[0], policy)
        if a.grade != before[0] or moved:
            publish_child(uow, "registry.child.updated.v1", child, today)
    uow.children.update_assessments(changes)
    log.info("reassessed %d children: %d rows changed, %d grades changed",
             len(everyone), len(changes), regraded)
    return regraded


def child_event(child: Child, today: date) -> dict[str, Any]:
    """registry.child.registered/updated data: what the map needs, no names."""
    return {"child_id": child.id, "village_code": child.village_code,
            "home": home_of(child),
            "age_band": age_band(child.birth_date, today), "risk_grade": child.risk_grade,
            "categories": child.categories, "living_alone": child.living_alone(today)}


def home_of(child: Child) -> dict[str, float] | None:
    """The home point as events and views show it; None when not known."""
    if child.home_lon is None or child.home_lat is None:
        return None
    return {"lon": child.home_lon, "lat": child.home_lat}


def risk_event(child: Child, previous: str | None, policy: Policy) -> dict[str, Any]:
    return {"child_id": child.id, "village_code": child.village_code,
            "previous_grade": previous, "risk_grade": child.risk_grade,
            "reasons": child.risk_reasons,
            "visit_interval_days": policy.model.visit_days[child.risk_grade]}


def publish_child(uow: RegistryUnitOfWork, event_type: str, child: Child, today: date) -> None:
    uow.publish(event_type, child_event(child, today))


def publish_risk(uow: RegistryUnitOfWork, child: Child, previous: str | None,
                 policy: Policy) -> None:
    uow.publish("registry.child.risk_changed.v1", risk_event(child, previous, policy))


def reassess_if_requested(uow: RegistryUnitOfWork, policy: Policy) -> int | None:
    """Serve a pending reassessment request; None when there was none."""
    with uow:
        requested = uow.water.reassessment_requested()
        if requested is None:
            return None
        changed = reassess_all(uow, policy)
        uow.water.clear_reassessment(requested)
    return changed
