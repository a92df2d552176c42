"""Invented test data near Fuhuan town and the brute-force overlay reference."""

from __future__ import annotations

import random

import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

from services.gateway.read_model.domain.overlay import EDGE_TOLERANCE_M, child_weight_tenths
from services.gateway.read_model.domain.read_model import ChildHome, HazardShape, hazard_class

LON0, LAT0 = 106.65, 28.95
GRADES = ("high", "medium", "low")
BANDS = ("0-2", "3-5", "6-11", "12-15", "16-17")


def homes(n: int, rng: random.Random, prefix: str = "c") -> list[ChildHome]:
    return [ChildHome(f"{prefix}{i:04d}", f"500110120{200 + i % 3:03d}",
                      LON0 + rng.uniform(-0.02, 0.02), LAT0 + rng.uniform(-0.02, 0.02),
                      rng.choice(BANDS), rng.choice(GRADES)) for i in range(n)]


def hazards(n: int, rng: random.Random) -> list[HazardShape]:
    out = []
    for i in range(n):
        x, y = LON0 + rng.uniform(-0.02, 0.02), LAT0 + rng.uniform(-0.02, 0.02)
        kind = rng.choice(("pond", "river", "road_crossing", "ditch", "road_sharp_bend"))
        if kind == "pond":
            geom = shapely.box(x, y, x + 0.001, y + 0.0008)
        elif kind in ("river", "ditch"):
            geom = shapely.LineString([(x, y), (x + 0.004, y + 0.001), (x + 0.008, y - 0.001)])
        else:
            geom = shapely.Point(x, y)
        zone = mapping(geom.buffer(0.0006)) if i % 2 else None
        out.append(HazardShape(f"h{i:03d}", kind, f"hazard {i}", mapping(geom),
                               zone=zone, buffer_m=60.0 if zone else None))
    return out


def brute_force(hs: list[ChildHome], zs: list[HazardShape], crs, max_m: float,
                buffer_m: float) -> tuple[dict, dict]:
    """One distance at a time, no index: the reference the engine must equal. Without
    a zone polygon, a hazard's zone is everything within ``buffer_m`` of it."""
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)

    def proj(g):  # type: ignore[no-untyped-def]
        return shapely.transform(g, lambda c: __import__("numpy").column_stack(
            tr.transform(c[:, 0], c[:, 1])))

    geoms = {z.hazard_id: proj(shape(z.geometry)) for z in zs}
    zones = {z.hazard_id: proj(shape(z.zone)) for z in zs if z.zone}
    nearest: dict[str, dict[str, tuple[str, float] | None]] = {}
    exposure = {z.hazard_id: [0, 0] for z in zs}
    for h in hs:
        pt = proj(shapely.Point(h.lon, h.lat))
        best: dict[str, tuple[str, float] | None] = {"water": None, "road": None}
        for z in sorted(zs, key=lambda z: z.hazard_id):
            cls = hazard_class(z.kind)
            d = pt.distance(geoms[z.hazard_id])
            if cls in best and d <= max_m and (best[cls] is None or d < best[cls][1]):
                best[cls] = (z.hazard_id, d)
            zone = zones.get(z.hazard_id)
            if (zone.distance(pt) <= EDGE_TOLERANCE_M if zone else d <= buffer_m):
                exposure[z.hazard_id][0] += 1
                exposure[z.hazard_id][1] += child_weight_tenths(h.risk_grade, h.age_band)
        nearest[h.child_id] = {k: (v[0], round(v[1], 3)) if v else None
                               for k, v in best.items()}
    return nearest, {k: tuple(v) for k, v in exposure.items()}
