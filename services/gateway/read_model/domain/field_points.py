"""What a patrol member needs to know about a point at the water's edge: which hazard
it watches, where, and what to look at when they get there.

The phone shows these codes in the member's language (``map_labels``); the rules of
what to check live here so the popup, the list and any printed sheet agree."""

from __future__ import annotations

from dataclasses import dataclass

from services.gateway.read_model.domain.read_model import HazardShape, PatrolPoint, hazard_class

# what every visit looks for, by class of hazard (docs/domain.md rules 9 and 10): children
# at or in the water are reminded, stopped or moved away; children must not play on roads
ALWAYS = {"water": ("children_at_water",), "road": ("children_on_road",),
          "terrain": ("children_nearby",)}


@dataclass(frozen=True)
class FieldPoint:
    """A patrol point as the field sees it: named after its hazard."""

    point_id: str
    name: str
    kind: str
    village_code: str
    reason: str
    check: tuple[str, ...]  # codes: the lacking protections, then what to watch for


def what_to_check(hazard: HazardShape | None) -> tuple[str, ...]:
    """Protections to look at (missing or damaged ones first, so a broken barrier is
    reported), then the people to watch for. Without a known hazard: the water's check."""
    if hazard is None:
        return ALWAYS["water"]
    cls = hazard_class(hazard.kind)
    lacking = tuple(f"{p}_lacking" for p in hazard.lacking) if cls == "water" else ()
    return lacking + ALWAYS[cls]


def field_point(point: PatrolPoint, hazard: HazardShape | None) -> FieldPoint:
    return FieldPoint(point.point_id, hazard.name if hazard else "",
                      hazard.kind if hazard else "", hazard.village_code if hazard else "",
                      point.reason, what_to_check(hazard))
