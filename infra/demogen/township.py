"""Generate one township: land, homes, hazards, children, and their year of activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import shapely

from infra.demogen import activity, geography, homes, ledger, people, roadside, water
from infra.demogen.batch import Batch
from infra.demogen.places import Township

PROTECTIONS = ("present", "damaged", "missing")
# P(present, damaged, missing) of barrier, warning sign, rescue equipment by kind group.
PROTECTION_P = {
    "pond": ((0.25, 0.15, 0.60), (0.45, 0.15, 0.40), (0.30, 0.10, 0.60)),
    "watercourse": ((0.35, 0.20, 0.45), (0.70, 0.10, 0.20), (0.50, 0.15, 0.35)),
    "ditch": ((0.10, 0.10, 0.80), (0.20, 0.10, 0.70), (0.05, 0.05, 0.90)),
    "road": ((0.30, 0.20, 0.50), (0.50, 0.20, 0.30), (0.0, 0.0, 1.0)),
}
GROUP = {"pond": "pond", "ditch": "ditch", "swimming_spot": "watercourse", "river": "watercourse",
         "stream": "watercourse", "canal": "watercourse", "reservoir": "watercourse",
         "dam": "watercourse"}


@dataclass
class TownshipData:
    hazards: pd.DataFrame  # one row per hazard, geometry in WGS 84
    ledger: pd.DataFrame  # ledger rows (Chinese headers)
    kids: pd.DataFrame  # internal columns per child (categories, living alone …)
    roads: pd.DataFrame  # name, geometry (WGS 84)
    schools: pd.DataFrame  # name, village_code, geometry (WGS 84)
    visits: list[dict]
    cases: list[dict]
    checkins: list[dict]
    devices: list[dict]


def generate(rng: np.random.Generator, township: Township, origin: tuple[float, float],
             n_homes: int, n_hazards: int, as_of: date) -> TownshipData:
    """Everything for one township whose seat lies at ``origin`` (lon, lat, WGS 84)."""
    geo = geography.build(rng, township)
    home_xy, home_village = homes.place(rng, geo, n_homes)
    names = [v.name for v in township.villages]
    road_names = roadside.road_names(rng, geo, names, township.name)
    hz = _hazards(rng, geo, township, road_names, home_xy, home_village, n_hazards, origin)
    kids = people.children(rng, township, geo, home_village, as_of)
    people.dedupe_names(rng, kids)
    home_ll = geography.to_lonlat(home_xy, origin)
    rows = ledger.table(rng, kids, township, geo, home_ll[kids["home"].to_numpy()])
    refs = pd.DataFrame({"row": np.arange(len(rows)) + 2, "name": rows["姓名"],
                         "birth_date": rows["出生日期"], "village_code": rows["村代码"],
                         "id_number": rows["身份证号"]})
    targets = activity.patrol_targets(hz, home_xy, per_village=6)
    return TownshipData(
        hazards=hz.drop(columns=["geometry_m", "village"]), ledger=rows, kids=kids,
        roads=_roads(geo, road_names, origin), schools=_schools(geo, township, origin),
        visits=activity.visits(rng, refs, as_of),
        cases=activity.cases(rng, refs, kids["alone"].to_numpy(), as_of),
        checkins=activity.checkins(rng, hz, targets, as_of), devices=activity.devices(hz))


def _hazards(rng: np.random.Generator, geo: geography.Geography, township: Township,
             road_names: list[str], home_xy: np.ndarray, home_village: np.ndarray, n: int,
             origin: tuple[float, float]) -> pd.DataFrame:
    batch = Batch()
    names = [v.name for v in township.villages]
    river = water.add_watercourses(rng, geo, names, batch)
    n_road, n_ditch, n_swim = int(n * 0.18), int(n * 0.12), max(3, int(n * 0.012))
    n_pond = max(len(names), n - len(batch.kind) - n_road - n_ditch - n_swim)
    water.add_ponds(rng, geo, names, home_xy, home_village, n_pond, batch)
    water.add_ditches(rng, geo, names, home_xy, n_ditch, batch)
    water.add_swimming_spots(rng, geo, names, river, n_swim, batch)
    roadside.add_road_hazards(rng, geo, names, road_names, home_xy, n_road, batch)
    cols = batch.columns()
    village = homes.nearest(cols["point"], geo.villages)
    frame = pd.DataFrame({
        "name": cols["name"], "kind": cols["kind"],
        "village_code": np.array([v.code for v in township.villages])[village],
        "village": village, "geometry_m": cols["geometry"],
        "lonlat": list(geography.to_lonlat(cols["point"], origin)),
        "depth_m": np.round(cols["depth_m"], 1), "width_m": np.round(cols["width_m"], 1),
    })
    frame = _drop_overlaps(frame)
    _protections(rng, frame)
    frame["geometry"] = _to_wgs84(frame["geometry_m"].to_numpy(), origin)
    return frame


def _drop_overlaps(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop a feature that overlaps an earlier one of the same kind (same spot, shared
    stretch of road, touching ponds): the hazards import rightly calls those duplicates."""
    geoms = frame["geometry_m"].to_numpy()
    kind = frame["kind"].to_numpy()
    i, j = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=1.0)
    keep = (i < j) & (kind[i] == kind[j])
    i, j = i[keep], j[keep]
    shared = shapely.intersection(geoms[i], geoms[j])
    dim = shapely.get_dimensions(geoms[i])
    same = np.where(dim == 0, True, np.where(dim == 1, shapely.length(shared) > 5.0,
                                             shapely.area(shared) > 0.0))
    return frame.drop(index=frame.index[np.unique(j[same])]).reset_index(drop=True)


def _protections(rng: np.random.Generator, frame: pd.DataFrame) -> None:
    group = frame["kind"].map(lambda k: GROUP.get(k, "road")).to_numpy()
    u = rng.random((len(frame), 3))
    for j, column in enumerate(("barrier", "warning_sign", "rescue_equipment")):
        p = np.array([PROTECTION_P[g][j] for g in group])
        cum = np.cumsum(p, axis=1)
        frame[column] = np.array(PROTECTIONS)[(u[:, j:j + 1] > cum[:, :2]).sum(axis=1)]


def _to_wgs84(geoms: np.ndarray, origin: tuple[float, float]) -> np.ndarray:
    """Local metres → WGS 84 lon/lat for an array of shapely geometries."""
    return shapely.transform(geoms, lambda xy: geography.to_lonlat(xy, origin))


def _roads(geo: geography.Geography, names: list[str],
           origin: tuple[float, float]) -> pd.DataFrame:
    lines = np.array([shapely.linestrings(r) for r in geo.roads], dtype=object)
    kind = ["county_road"] + ["village_road"] * (len(lines) - 1)
    return pd.DataFrame({"name": names, "kind": kind, "geometry": _to_wgs84(lines, origin)})


def _schools(geo: geography.Geography, township: Township,
             origin: tuple[float, float]) -> pd.DataFrame:
    codes = [township.villages[i].code for i in geo.school_village]
    pts = _to_wgs84(shapely.points(geo.schools), origin)
    return pd.DataFrame({"name": geo.school_names, "village_code": codes, "geometry": pts})
