"""What a station's year leaves behind: home visits, open cases, a summer of patrol
check-ins and findings, and the cameras on large ponds (proportions: docs/demo-data.md)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import shapely

CST = timezone(timedelta(hours=8))
# Days since the last home visit: recent, this month, this quarter, long ago.
VISIT_AGE = ((0, 8, 0.30), (8, 31, 0.40), (31, 91, 0.18), (91, 200, 0.12))
SITUATION_P = {"guardian_incapable": 0.35, "parents_unreachable": 0.2, "other_harm": 0.15,
               "domestic_violence": 0.1, "missing": 0.05, "none": 0.15}
STEPS = ("monitoring", "report", "emergency", "assessment", "assistance",
         "guardianship_intervention")
STEP_P = (0.3, 0.15, 0.1, 0.2, 0.2, 0.05)
FINDINGS = {"children_at_water": 0.5, "barrier_damaged": 0.2, "sign_missing": 0.15,
            "rescue_gear_missing": 0.1, "rescue_gear_broken": 0.05}
ACTIONS = {"reminded": 0.5, "stopped": 0.3, "moved_away": 0.2}
PATROLLED = ("pond", "river", "stream", "reservoir", "canal", "swimming_spot")
LARGE_POND_M = 60.0  # ponds wider than this get a camera


def _uuids(rng: np.random.Generator, n: int) -> list[str]:
    raw = rng.bytes(16 * n)
    return [str(uuid.UUID(bytes=raw[i * 16:(i + 1) * 16], version=4)) for i in range(n)]


def _pick(rng: np.random.Generator, table: dict[str, float], n: int) -> np.ndarray:
    return np.array(list(table))[rng.choice(len(table), n, p=list(table.values()))]


def visits(rng: np.random.Generator, refs: pd.DataFrame, as_of: date) -> list[dict]:
    """The last home visit of every child; about one in eight is months old (overdue)."""
    n = len(refs)
    band = rng.choice(len(VISIT_AGE), n, p=[b[2] for b in VISIT_AGE])
    days = rng.integers([VISIT_AGE[b][0] for b in band], [VISIT_AGE[b][1] for b in band])
    minutes = rng.integers(9 * 60, 18 * 60, n)
    start = datetime.combine(as_of, datetime.min.time(), CST)
    return [{"child": ref,
             "visited_at": (start - timedelta(days=int(d), minutes=-int(m))).isoformat(),
             "visitor": f"director-{ref['village_code']}",
             "findings": {"guardianship": "adequate", "living_conditions": "adequate",
                          "home_safety": "no_hazard", "mental_state": "stable"},
             "next_steps": "按期回访"}
            for ref, d, m in zip(refs.to_dict("records"), days, minutes, strict=True)]


def cases(rng: np.random.Generator, refs: pd.DataFrame, alone: np.ndarray,
          as_of: date) -> list[dict]:
    """A few open cases at different steps (children living alone get theirs from the
    registry itself: it opens a mandatory-report case when it detects one)."""
    pool = np.flatnonzero(~alone)
    n = min(len(pool), max(4, len(refs) // 400))
    chosen = np.sort(rng.choice(pool, n, replace=False))
    situation = _pick(rng, SITUATION_P, n)
    steps = np.array(STEPS)[rng.choice(len(STEPS), n, p=STEP_P)]
    steps[:min(n, len(STEPS))] = STEPS[:min(n, len(STEPS))]  # every step appears
    opened = rng.integers(3, 120, n)
    urgent = np.isin(situation, ["domestic_violence", "missing"])
    return [{"child": refs.iloc[i].to_dict(), "situation": s, "step": st,
             "severity": "urgent" if u else "normal",
             "mandatory_report": bool(s in ("domestic_violence", "other_harm", "missing")),
             "opened_at": datetime.combine(as_of - timedelta(days=int(d)),
                                           datetime.min.time(), CST).isoformat()}
            for i, s, st, u, d in zip(chosen, situation, steps, urgent, opened, strict=True)]


def patrol_targets(hazards: pd.DataFrame, homes_m: np.ndarray, per_village: int) -> np.ndarray:
    """Indices of the water hazards with most homes within 150 m, ``per_village`` each.

    ``hazards`` carries shapely geometries in the township's local metres.
    """
    water = np.flatnonzero(hazards["kind"].isin(PATROLLED).to_numpy())
    tree = shapely.STRtree(shapely.points(homes_m))
    pairs = tree.query(hazards["geometry_m"].to_numpy()[water], predicate="dwithin",
                       distance=150.0)
    near = np.bincount(pairs[0], minlength=water.size)
    frame = pd.DataFrame({"i": water, "near": near, "v": hazards["village"].to_numpy()[water]})
    frame = frame[frame["near"] > 0].sort_values(["v", "near", "i"], ascending=[True, False, True])
    return frame.groupby("v").head(per_village)["i"].to_numpy()


def checkins(rng: np.random.Generator, hazards: pd.DataFrame, targets: np.ndarray,
             as_of: date) -> list[dict]:
    """Afternoon check-ins at each target on about half the days of last summer."""
    year = as_of.year if as_of >= date(as_of.year, 9, 1) else as_of.year - 1
    days = pd.date_range(f"{year}-06-01", f"{year}-08-31", tz=CST)
    t_idx, d_idx = np.nonzero(rng.random((targets.size, days.size)) < 0.5)
    n = t_idx.size
    hz = targets[t_idx]
    at = days[d_idx] + pd.to_timedelta(rng.integers(13 * 3600, 18 * 3600, n), unit="s")
    where = np.round(np.vstack(hazards["lonlat"].to_numpy())[hz]
                     + rng.normal(0, 15 / 111_000, (n, 2)), 6)
    village = hazards["village_code"].to_numpy()[hz]
    cols = {"client_id": _uuids(rng, n), "hazard_ref": hz.tolist(),
            "hazard_name": hazards["name"].to_numpy()[hz].tolist(),
            "village_code": village.tolist(),
            "member": [f"patrol-{v}-{t}" for v, t in zip(village, rng.integers(1, 4, n),
                                                         strict=True)],
            "checked_at": [t.isoformat() for t in at],
            "location": [{"lon": x, "lat": y, "accuracy_m": 10.0} for x, y in where.tolist()],
            "duration_s": rng.integers(180, 1200, n).tolist(),
            "findings": _findings(rng, n)}
    return [dict(zip(cols, values, strict=True)) for values in zip(*cols.values(), strict=True)]


def _findings(rng: np.random.Generator, n: int) -> list[list[dict]]:
    """About one check-in in sixteen reports something; half of those, children at water."""
    has = rng.random(n) < 0.06
    kinds, actions = _pick(rng, FINDINGS, n), _pick(rng, ACTIONS, n)
    out: list[list[dict]] = [[] for _ in range(n)]
    for k in np.flatnonzero(has):
        water = kinds[k] == "children_at_water"
        out[k] = [{"kind": str(kinds[k]), "action": str(actions[k]) if water else "none",
                   "severity": "urgent" if water and actions[k] != "reminded" else "normal"}]
    return out


def devices(hazards: pd.DataFrame) -> list[dict]:
    """One AI camera per large pond, reporting a heartbeat every five minutes."""
    large = np.flatnonzero(((hazards["kind"] == "pond") & (hazards["width_m"] > LARGE_POND_M))
                           .to_numpy())
    return [{"device_ref": f"cam-{hazards['village_code'].iat[i]}-{k:03d}", "hazard_ref": int(i),
             "hazard_name": hazards["name"].iat[i], "interval_s": 300}
            for k, i in enumerate(large, start=1)]
