"""Benchmark: import 20,000 ponds + 2,000 rivers with their zones (target ≤ 30 s).

Baseline, measured in the same run: the row-by-row path (``add_hazard`` once per
feature: one transaction, one zone and two outbox rows each, as 22,000 POST /hazards
would do minus HTTP), run for real over every feature. At ~0.2 s a feature that is over
an hour; ``--baseline-features N`` runs both contenders on the same N features instead
(a random subset, kinds in proportion), so the speed-up compares measured times only.

    .venv/bin/python bench/hazards.py [--ponds 20000] [--rivers 2000]
                                      [--baseline-features N] [--postgres]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SHOUHU_AUTH_KEYS", "bench:" + "x" * 40)

from services.hazards.bootstrap import bootstrap  # noqa: E402
from services.hazards.config import Settings  # noqa: E402
from services.hazards.domain.model import Hazard  # noqa: E402
from services.hazards.service_layer.handlers import (  # noqa: E402
    Context,
    ImportOptions,
    add_hazard,
    import_file,
)


def township(ponds: int, rivers: int, seed: int = 7) -> gpd.GeoDataFrame:
    """Ponds (16-gon polygons, 20–60 m) and meandering rivers (40 vertices), WGS 84."""
    rng = np.random.default_rng(seed)
    cx, cy = rng.uniform(106.0, 107.2, ponds), rng.uniform(28.6, 29.8, ponds)
    shapes = list(shapely.buffer(shapely.points(cx, cy), rng.uniform(2e-4, 6e-4, ponds),
                                 quad_segs=4))
    for x, y in zip(rng.uniform(106.0, 107.1, rivers), rng.uniform(28.6, 29.7, rivers),
                    strict=True):
        t = np.linspace(0, 1, 40)
        shapes.append(shapely.LineString(np.column_stack([x + 0.06 * t,
                                                          y + 0.004 * np.sin(12 * t)])))
    n = ponds + rivers
    return gpd.GeoDataFrame({
        "name": [f"bench-{i}" for i in range(n)], "kind": ["pond"] * ponds + ["river"] * rivers,
        "village_code": [f"500110120{200 + i % 20:03d}" for i in range(n)],
        "barrier": rng.choice(["present", "damaged", "missing"], n),
        "warning_sign": rng.choice(["present", "missing"], n),
        "rescue_equipment": rng.choice(["present", "damaged", "missing"], n),
        "depth_m": rng.uniform(0.5, 4, n).round(1),
    }, geometry=shapes, crs="EPSG:4326")


def fresh_hazards(url: str):  # type: ignore[no-untyped-def]
    os.environ["SHOUHU_HAZARDS_DATABASE_URL"] = url
    return bootstrap(Settings.from_env())


def bulk(frame: gpd.GeoDataFrame, tmp: Path, url: str) -> float:
    """Seconds for ``import_file`` of the frame as a GeoPackage into a fresh database."""
    gpkg = tmp / f"township-{len(frame)}.gpkg"
    frame.to_file(gpkg, driver="GPKG")
    data = gpkg.read_bytes()
    hz = fresh_hazards(url)
    ctx = Context(hz.settings.common.region, hz.settings.buffers, "bench")
    t0 = time.perf_counter()
    report = import_file(hz.uow(), data, ImportOptions(gpkg.name), ctx)
    took = time.perf_counter() - t0
    print(f"bulk import of {len(frame)} (GeoPackage {len(data) / 1e6:.1f} MB): "
          f"{report.imported} imported ({len(report.duplicates)} duplicates, "
          f"{len(report.refused)} refused) with zones and outbox in {took:.1f} s")
    return took


def row_by_row(frame: gpd.GeoDataFrame, url: str) -> float:
    """Seconds for ``add_hazard`` once per feature, every feature, into a fresh database."""
    hz = fresh_hazards(url)
    ctx = Context(hz.settings.common.region, hz.settings.buffers, "bench")
    t0 = time.perf_counter()
    for row in frame.itertuples():
        add_hazard(hz.uow(), Hazard(kind=row.kind, name=row.name, geometry=row.geometry,
                                    village_code=row.village_code), ctx)
    took = time.perf_counter() - t0
    print(f"baseline row by row (add_hazard per feature): {len(frame)} features in "
          f"{took:.1f} s ({took / len(frame) * 1000:.1f} ms/feature), measured")
    return took


def database(postgres: bool, tmp: Path) -> Callable[[str], str]:
    """A fresh database per contender, so neither runs on the other's rows."""
    def url(name: str) -> str:
        if postgres:
            from shared.testing.fixtures import create_pg_database

            return create_pg_database()
        return f"sqlite:///{tmp / name}"
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ponds", type=int, default=20_000)
    parser.add_argument("--rivers", type=int, default=2_000)
    parser.add_argument("--baseline-features", type=int, default=None,
                        help="run both contenders on this many features (default: all)")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    print(f"load average before the run: {os.getloadavg()[0]:.1f} (2 cores shared)")
    frame = township(args.ponds, args.rivers)
    tmp = Path(tempfile.mkdtemp(prefix="bench-hazards-"))
    url = database(args.postgres, tmp)
    bulk_s = bulk(frame, tmp, url("bulk.db"))
    print(f"target ≤ 30 s for {len(frame)}: {'met' if bulk_s <= 30 else 'NOT met'}")
    subset = frame
    if args.baseline_features and args.baseline_features < len(frame):
        subset = frame.sample(args.baseline_features, random_state=1)
        bulk_s = bulk(subset, tmp, url("bulk-subset.db"))
    baseline_s = row_by_row(subset, url("rows.db"))
    print(f"same {len(subset)} features: bulk {bulk_s:.1f} s, row by row {baseline_s:.1f} s, "
          f"speed-up {baseline_s / bulk_s:.1f}x")
    print(f"load average after the run: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
