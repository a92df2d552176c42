"""How often each patrol point must be visited, and whether a plan does it.

Every point has a required interval in days from its exposure class and the season,
never longer than the floor, so a point with no exposure is still visited (ADR 0402).
Each shift the router takes first the points due that day, most exposed first, then the
others by lateness (days since the last visit over the required interval): a team short
of capacity keeps its most exposed points at their frequency and gives what is left to
the rest, rather than visiting every point too rarely. Afterwards every point's longest
gap is checked and the plan lists each point it cannot visit often enough, with why.
Points on one water body closer than ``merge_m`` become one stop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

HIGH_SHARE = 0.2  # the top fifth of points with any exposure is "high"


@dataclass(frozen=True)
class Frequency:
    """Days allowed between two visits of a point (settings, docs/gateway.md)."""

    in_season: tuple[tuple[str, int], ...] = (("high", 2), ("medium", 7), ("none", 14))
    off_season: tuple[tuple[str, int], ...] = (("high", 7), ("medium", 14), ("none", 31))
    season_months: tuple[int, ...] = (6, 7, 8)  # summer: the drowning season (DOMAIN 14)
    floor_days: int = 31  # every point at least once in this many days, whatever its class
    merge_m: float = 100.0  # points of one hazard closer than this are one stop

    def interval(self, exposure_class: str, day: date) -> int:
        table = dict(self.in_season if day.month in self.season_months else self.off_season)
        return max(1, min(table[exposure_class], self.floor_days))


@dataclass(frozen=True)
class Unmet:
    """A point the plan cannot visit as often as required, and why."""

    point_id: str
    team_id: str
    required_days: int
    longest_gap_days: int
    reason: str


def exposure_classes(exposure_tenths: Sequence[int]) -> list[str]:
    """'high' (top fifth of the points with any exposure), 'medium' (other exposed
    points) or 'none' per point, in the given order."""
    exposed = sorted((e for e in exposure_tenths if e > 0), reverse=True)
    cut = exposed[max(0, round(len(exposed) * HIGH_SHARE) - 1)] if exposed else 0
    return ["none" if e <= 0 else "high" if e >= cut else "medium" for e in exposure_tenths]


def merge_on_water_body(hazard_ids: Sequence[str], xy: np.ndarray, exposure: Sequence[int],
                        merge_m: float) -> list[int]:
    """For each point the index of the point it is merged into (itself if kept): points
    of one hazard closer than ``merge_m`` metres (metric CRS) join its most exposed one."""
    into = list(range(len(hazard_ids)))
    by_hazard: dict[str, list[int]] = {}
    for i in sorted(range(len(hazard_ids)), key=lambda i: -exposure[i]):
        kept = by_hazard.setdefault(hazard_ids[i], [])
        near = [k for k in kept if np.hypot(*(xy[i] - xy[k])) < merge_m]
        if near:
            into[i] = min(near, key=lambda k: np.hypot(*(xy[i] - xy[k])))
        else:
            kept.append(i)
    return into


def longest_gap(visit_days: Sequence[int], n_days: int) -> int:
    """Longest run of plan days without a visit, counting a visit before the plan and
    one just after it: day indices from 0; a point never visited has gap ``n_days + 1``."""
    days = [-1, *sorted(visit_days), n_days]
    return max(b - a for a, b in zip(days, days[1:], strict=False))
