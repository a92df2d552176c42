"""Read-side queries over the overlay, and shaping forwarded check-ins."""

from __future__ import annotations

from typing import Any

from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from services.gateway.read_model.domain.privacy import in_scope
from shared.auth.principal import Principal


def hazard_ranking(store: ReadModelStore) -> list[dict[str, Any]]:
    """Every hazard, most exposed first, with what it lacks (what to fix first)."""
    hazards = {h.hazard_id: h for h in store.hazard_facts()}
    out = []
    for e in store.exposures():
        h = hazards.get(e.hazard_id)
        if h is None:
            continue
        out.append({"hazard_id": h.hazard_id, "kind": h.kind, "name": h.name,
                    "village_code": h.village_code, "exposure": e.exposure,
                    "children": e.children, "lacking": h.lacking,
                    "protections": h.protections})
    return out


def child_nearest(store: ReadModelStore, principal: Principal) -> list[dict[str, Any]]:
    """Nearest water and road hazards (metres) for the children this principal serves."""
    visible = {h.child_id for h in in_scope(principal, store.children())}
    return [{"child_id": o.child_id, "village_code": o.village_code,
             "water": o.water.__dict__ if o.water else None,
             "road": o.road.__dict__ if o.road else None}
            for o in store.overlays() if o.child_id in visible]


def checkins_for_hazards(body: dict[str, Any], principal: Principal) -> dict[str, Any]:
    """The phone's batch, with the member taken from the token, not from the phone."""
    return {"checkins": [{**c, "member_id": principal.user_id} for c in body["checkins"]]}
