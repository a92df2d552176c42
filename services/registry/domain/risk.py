"""The risk model: points per factor, a grade from the total, a visit interval per grade.

Every factor, weight and threshold is configuration (``RiskModel``); the evidence for
each default is in docs/risk-model.md. ``assess`` returns the reasons as stable codes
so that a grade can always be explained and subscribers can act on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from services.registry.domain.model import Child, age_band

DEFAULT_WEIGHTS: dict[str, int] = {
    "living_alone": 6,
    "age_0_5": 2,
    "age_6_11": 1,
    "parents_away": 2,
    "caregiver_elderly": 1,
    "caregiver_incapable": 2,
    "no_caregiver_recorded": 1,
    "disabled": 2,
    "seriously_ill": 1,
    "guardianship_gap": 2,  # orphan, de_facto_unsupported, guardianship_missing
    "victimised": 2,
    "weekly_contact_missed": 1,
    "water_within_near_m": 3,
    "in_hazard_zone": 3,
    "water_within_far_m": 1,
    "drowning_season": 1,
}
GUARDIANSHIP_GAP = ("orphan", "de_facto_unsupported", "guardianship_missing")


@dataclass(frozen=True)
class RiskModel:
    """Configuration of the scoring; defaults documented in docs/risk-model.md."""

    weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    high_from: int = 6
    medium_from: int = 3
    near_water_m: float = 100.0
    far_water_m: float = 500.0
    elderly_from_age: int = 65
    season_months: tuple[int, ...] = (6, 7, 8)
    visit_days: dict[str, int] = field(
        default_factory=lambda: {"high": 7, "medium": 30, "low": 90})

    def grade(self, score: int) -> str:
        if score >= self.high_from:
            return "high"
        return "medium" if score >= self.medium_from else "low"


@dataclass(frozen=True)
class Assessment:
    grade: str
    score: int
    reasons: tuple[str, ...]
    visit_interval_days: int


def factors(child: Child, water_distance_m: float | None, today: date,
            model: RiskModel, in_zone: bool = False) -> list[str]:
    """The factor codes that apply to this child today (the reasons of a grade)."""
    out: list[str] = []
    if child.living_alone(today):
        out.append("living_alone")
    band = age_band(child.birth_date, today)
    if band in ("0-2", "3-5"):
        out.append("age_0_5")
    elif band == "6-11":
        out.append("age_6_11")
    if "left_behind" in child.categories or child.parents.leave_child_behind():
        out.append("parents_away")
    out.extend(_caregiver_factors(child, model))
    cats = set(child.categories)
    out.extend(c for c in ("disabled", "seriously_ill", "victimised") if c in cats)
    if cats & set(GUARDIANSHIP_GAP):
        out.append("guardianship_gap")
    if child.parents.weekly_contact is False:
        out.append("weekly_contact_missed")
    out.extend(_water_factors(water_distance_m, in_zone, model))
    if today.month in model.season_months:
        out.append("drowning_season")
    return out


def _water_factors(distance_m: float | None, in_zone: bool, model: RiskModel) -> list[str]:
    """At most one water factor: near beats inside a hazard's zone beats far."""
    if distance_m is not None and distance_m != distance_m:  # NaN: no hazard known
        distance_m = None
    if distance_m is not None and distance_m <= model.near_water_m:
        return ["water_within_near_m"]
    if in_zone:
        return ["in_hazard_zone"]
    if distance_m is not None and distance_m <= model.far_water_m:
        return ["water_within_far_m"]
    return []


def _caregiver_factors(child: Child, model: RiskModel) -> list[str]:
    carer = child.caregiver()
    if carer is None:
        return ["no_caregiver_recorded"] if not child.guardians else []
    out = []
    if carer.age is not None and carer.age >= model.elderly_from_age:
        out.append("caregiver_elderly")
    if carer.capacity != "full":
        out.append("caregiver_incapable")
    return out


def assess(child: Child, water_distance_m: float | None, today: date,
           model: RiskModel, in_zone: bool = False) -> Assessment:
    """Grade a child; living alone is always high whatever the other points."""
    reasons = factors(child, water_distance_m, today, model, in_zone)
    score = sum(model.weights.get(r, 0) for r in reasons)
    grade = "high" if "living_alone" in reasons else model.grade(score)
    return Assessment(grade, score, tuple(reasons), model.visit_days[grade])
