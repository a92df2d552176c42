"""County-scale overlay: our engine vs PostGIS vs plain geopandas, in the same run.

    .venv/bin/python bench/overlay.py [--homes 200000 --ponds 20000 --rivers 2000 --repeat 3]

Generated data (invented) around Qijiang: homes, small pond polygons and river lines.
Each contender computes (1) the nearest water hazard within 500 m of every home and
(2) every hazard's exposure: children within 100 m of it, weighted by grade and age.

Baselines, timed on the same data:
- PostGIS (``postgresql-15-postgis-3`` on the local server, if installed): GiST indexes,
  KNN ``<->`` with ``ST_DWithin`` for nearest, ``ST_DWithin`` join for exposure;
  geometry already in the UTM zone; loading is not timed, only the queries.
- geopandas: ``sjoin_nearest(max_distance=500)`` and ``sjoin(predicate="dwithin")``.
Every contender runs ``--repeat`` times, interleaved, and its best time counts (the
machine is shared, so single runs are noisy). Then the incremental update after one new
child (median of 200).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.gateway.read_model.domain.overlay import (  # noqa: E402
    AGE_WEIGHT_TENTHS,
    GRADE_WEIGHT,
    OverlayEngine,
)
from services.gateway.read_model.domain.read_model import ChildHome, HazardShape  # noqa: E402
from shared.geo import utm_crs  # noqa: E402

LON0, LAT0, SPAN = 106.65, 28.95, 0.6  # about 60 km × 66 km


def generate(n_homes: int, n_ponds: int, n_rivers: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    grades, bands = list(GRADE_WEIGHT), list(AGE_WEIGHT_TENTHS)
    hx = LON0 + rng.uniform(-SPAN / 2, SPAN / 2, n_homes)
    hy = LAT0 + rng.uniform(-SPAN / 2, SPAN / 2, n_homes)
    g = rng.integers(0, 3, n_homes)
    a = rng.integers(0, 5, n_homes)
    homes = [ChildHome(f"c{i}", "500110120201", float(hx[i]), float(hy[i]), bands[a[i]],
                       grades[g[i]]) for i in range(n_homes)]
    hazards = []
    px = LON0 + rng.uniform(-SPAN / 2, SPAN / 2, n_ponds)
    py = LAT0 + rng.uniform(-SPAN / 2, SPAN / 2, n_ponds)
    size = rng.uniform(0.0002, 0.0008, n_ponds)
    for i in range(n_ponds):
        box = shapely.box(px[i], py[i], px[i] + size[i], py[i] + size[i] * 0.8)
        hazards.append(HazardShape(f"p{i}", "pond", "", mapping(box)))
    for i in range(n_rivers):
        x, y = LON0 + rng.uniform(-SPAN / 2, SPAN / 2), LAT0 + rng.uniform(-SPAN / 2, SPAN / 2)
        steps = rng.normal(0, 0.003, (12, 2)).cumsum(axis=0) + [x, y]
        hazards.append(HazardShape(f"r{i}", "river", "", mapping(shapely.LineString(steps))))
    return homes, hazards


def ours(homes, hazards, crs) -> tuple[dict[str, float], OverlayEngine]:
    engine = OverlayEngine(crs, max_distance_m=500, default_buffer_m=100)
    t = time.perf_counter()
    engine.load(homes, hazards)
    total = time.perf_counter() - t
    return {"full overlay (nearest + exposure)": total}, engine


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: min(r[k] for r in runs) for k in runs[0]}


def incremental(engine: OverlayEngine, n: int = 200) -> float:
    rng = np.random.default_rng(7)
    times = []
    for i in range(n):
        home = ChildHome(f"new{i}", "500110120201", LON0 + rng.uniform(-0.2, 0.2),
                         LAT0 + rng.uniform(-0.2, 0.2), "3-5", "high")
        t = time.perf_counter()
        engine.put_child(home)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def frames(homes, hazards, crs):
    h = gpd.GeoDataFrame(
        {"child_id": [c.child_id for c in homes],
         "w": [GRADE_WEIGHT[c.risk_grade] * AGE_WEIGHT_TENTHS[c.age_band] for c in homes]},
        geometry=gpd.points_from_xy([c.lon for c in homes], [c.lat for c in homes]),
        crs="EPSG:4326").to_crs(crs)
    z = gpd.GeoDataFrame({"hazard_id": [x.hazard_id for x in hazards]},
                         geometry=[shapely.geometry.shape(x.geometry) for x in hazards],
                         crs="EPSG:4326").to_crs(crs)
    return h, z


def geopandas_baseline(h: gpd.GeoDataFrame, z: gpd.GeoDataFrame) -> dict[str, float]:
    t = time.perf_counter()
    gpd.sjoin_nearest(h, z, max_distance=500, distance_col="d")
    nearest = time.perf_counter() - t
    t = time.perf_counter()
    joined = gpd.sjoin(z, h, predicate="dwithin", distance=100)
    joined.groupby("hazard_id")["w"].sum()
    return {"nearest (sjoin_nearest)": nearest, "exposure (sjoin dwithin)":
            time.perf_counter() - t}


@contextmanager
def postgis(h: gpd.GeoDataFrame, z: gpd.GeoDataFrame, epsg: int
            ) -> Iterator[Callable[[], dict[str, float]] | str]:
    """Loads and indexes the data (not timed); yields the timed queries, or why PostGIS
    is unavailable."""
    import sqlalchemy as sa

    from shared.testing.fixtures import create_pg_database, drop_pg_database

    try:
        url = create_pg_database()
    except Exception as exc:  # noqa: BLE001 - no server: report and go on
        yield f"PostgreSQL unavailable ({type(exc).__name__})"
        return
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            try:
                conn.execute(sa.text("CREATE EXTENSION postgis"))
            except sa.exc.DBAPIError:
                yield "PostGIS not installed (apt-get install postgresql-15-postgis-3)"
                return
        raw = engine.raw_connection()
        cur = raw.cursor()
        cur.execute(f"CREATE TABLE homes (id text, w int, geom geometry(Point, {epsg}))")
        cur.execute(f"CREATE TABLE water (id text, geom geometry(Geometry, {epsg}))")
        with cur.copy("COPY homes (id, w, geom) FROM STDIN") as cp:
            for cid, w, g in zip(h.child_id, h.w, shapely.to_wkt(h.geometry.values,
                                                                  rounding_precision=3),
                                 strict=True):
                cp.write_row((cid, int(w), f"SRID={epsg};{g}"))
        with cur.copy("COPY water (id, geom) FROM STDIN") as cp:
            for hid, g in zip(z.hazard_id, shapely.to_wkt(z.geometry.values,
                                                          rounding_precision=3), strict=True):
                cp.write_row((hid, f"SRID={epsg};{g}"))
        cur.execute("CREATE INDEX ON homes USING gist (geom)")
        cur.execute("CREATE INDEX ON water USING gist (geom)")
        cur.execute("ANALYZE homes; ANALYZE water")
        raw.commit()

        def run() -> dict[str, float]:
            t = time.perf_counter()
            cur.execute("""SELECT h.id, n.id, n.d FROM homes h CROSS JOIN LATERAL (
                  SELECT w.id, ST_Distance(h.geom, w.geom) AS d FROM water w
                  WHERE ST_DWithin(h.geom, w.geom, 500) ORDER BY h.geom <-> w.geom LIMIT 1) n""")
            cur.fetchall()
            nearest = time.perf_counter() - t
            t = time.perf_counter()
            cur.execute("""SELECT w.id, count(*), sum(h.w) FROM water w JOIN homes h
                           ON ST_DWithin(h.geom, w.geom, 100) GROUP BY w.id""")
            cur.fetchall()
            return {"nearest (KNN <-> + ST_DWithin)": nearest,
                    "exposure (ST_DWithin join)": time.perf_counter() - t}

        yield run
        raw.close()
    finally:
        engine.dispose()
        drop_pg_database(url)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--homes", type=int, default=200_000)
    p.add_argument("--ponds", type=int, default=20_000)
    p.add_argument("--rivers", type=int, default=2_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    crs = utm_crs(LON0, LAT0)
    homes, hazards = generate(args.homes, args.ponds, args.rivers)
    print(f"{args.homes} homes × {args.ponds} ponds + {args.rivers} rivers, CRS {crs.to_string()}"
          f" (run {uuid.uuid4().hex[:6]}, best of {args.repeat})")
    h, z = frames(homes, hazards, crs)
    ours_runs, gp_runs, pg_runs = [], [], []
    with postgis(h, z, crs.to_epsg()) as pg:
        for _ in range(args.repeat):
            t, engine = ours(homes, hazards, crs)
            ours_runs.append(t)
            gp_runs.append(geopandas_baseline(h, z))
            if not isinstance(pg, str):
                pg_runs.append(pg())
    ours_t, gp_t = best(ours_runs), best(gp_runs)
    inc = incremental(engine)
    print("\nshouhu overlay engine (projection, indexes, nearest, exposure, all included):")
    for k, v in ours_t.items():
        print(f"  {k:42s} {v:7.2f} s")
    print(f"  {'incremental: one new child (median of 200)':42s} {inc:7.2f} ms")
    print("geopandas (already projected):")
    for k, v in gp_t.items():
        print(f"  {k:42s} {v:7.2f} s")
    if isinstance(pg, str):
        print(f"PostGIS: skipped: {pg}")
    else:
        pg_t = best(pg_runs)
        print("PostGIS (queries only, data loaded and indexed beforehand):")
        for k, v in pg_t.items():
            print(f"  {k:42s} {v:7.2f} s")
        total = sum(pg_t.values())
        print(f"\nspeed-up vs PostGIS (nearest + exposure): {total / sum(ours_t.values()):.1f}×")
    print(f"speed-up vs geopandas: {sum(gp_t.values()) / sum(ours_t.values()):.1f}×")


if __name__ == "__main__":
    main()
