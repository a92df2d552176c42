"""The dashboard's folium map for a township of 500 hazards (with their danger zones),
500 patrol points and 5,000 homes, station staff's scope: the whole /dashboard request
when the map is rendered (baseline: the first request after an event) against one whose
map comes from the page cache, in the same run; and, apart, reading the map's layers
and the folium render.

Then the page's tables and charts, which are computed at every request: read with the
hazards' facts only (``hazard_facts``) against the baseline of reading whole hazard
shapes (outline and zone JSON, the query they used before), in the same run.

    .venv/bin/python bench/dashboard_map.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration" / "gateway"))

from gw_helpers import apply, event, gateway, token  # noqa: E402

from services.gateway.entrypoints.api import create_app  # noqa: E402
from services.gateway.planning.entrypoints.dashboard_map import render_dashboard_map  # noqa: E402
from services.gateway.planning.service_layer import campaign_charts  # noqa: E402
from services.gateway.planning.service_layer.dashboard import dashboard, map_figures  # noqa: E402
from services.gateway.read_model.adapters.read_model_store import ReadModelStore  # noqa: E402
from services.gateway.read_model.domain.read_model import ChildHome, HazardShape, PatrolPoint  # noqa: E402
from shared.auth import Principal, Role  # noqa: E402

LON0, LAT0 = 106.65, 28.95


def fill(store: ReadModelStore, n_hazards: int = 500, n_homes: int = 5000) -> None:
    rng = np.random.default_rng(3)
    for i in range(n_hazards):
        x, y = LON0 + rng.uniform(-0.06, 0.06), LAT0 + rng.uniform(-0.06, 0.06)
        if i % 5:
            kind, geom = "pond", shapely.Point(x, y).buffer(0.0004, quad_segs=4)
        else:  # a river reach: hundreds of vertices, as rivers and ditches have
            steps = rng.normal(0, 0.0002, (400, 2)).cumsum(axis=0)
            kind, geom = "river", shapely.LineString(steps + [x, y])
        store.put_hazard(HazardShape(
            f"hz-{i:04d}", kind, f"Water {i}", mapping(geom),
            protections={"barrier": "missing" if i % 3 else "present"},
            zone=mapping(geom.buffer(0.0009, quad_segs=4)), buffer_m=100.0))
        store.put_point(PatrolPoint(f"pt-{i:04d}", f"hz-{i:04d}", x, y, "swimming_spot", "",
                                    True))
    for i in range(n_homes):
        store.put_child(ChildHome(f"child-{i:05d}", f"500110120{200 + i % 12:03d}",
                                  float(LON0 + rng.normal(0, 0.02)),
                                  float(LAT0 + rng.normal(0, 0.02)), "6-11", "low"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    gw = gateway(f"sqlite:///{tempfile.mkdtemp()}/gw.db")
    with gw.engine.begin() as conn:
        fill(ReadModelStore(conn))
    staff = Principal("u1", Role.STATION_ADMIN, "500110120", frozenset())
    t = time.perf_counter()
    with gw.engine.connect() as conn:
        figures = map_figures(ReadModelStore(conn), staff, gw.settings, gw.crs)
    read = time.perf_counter() - t
    renders = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        frame = render_dashboard_map(figures, "none", "", "zh", "/static")
        renders.append(time.perf_counter() - t)
    client = create_app(gw).test_client()
    cold, cached = [], []
    for n in range(args.repeat):
        apply(gw, [event("hazards.patrol_point.changed.v1", {  # a new read-model version
            "point_id": f"pt-new-{n}", "hazard_id": "hz-0000",
            "location": {"lon": LON0, "lat": LAT0}, "reason": "swimming_spot",
            "schedule": "afternoons"})])
        for times in (cold, cached):
            t = time.perf_counter()
            assert client.get("/dashboard", headers=token()).status_code == 200
            times.append(time.perf_counter() - t)
    print(f"map document (escaped) {len(frame.srcdoc) / 1024:.0f} KB")
    print(f"map layers from the read model     {read * 1000:6.0f} ms")
    print(f"folium render alone        median {statistics.median(renders) * 1000:6.0f} ms")
    print(f"/dashboard, map rendered   median {statistics.median(cold) * 1000:6.0f} ms "
          "(baseline)")
    print(f"/dashboard, map from cache median {statistics.median(cached) * 1000:6.0f} ms")
    facts = ReadModelStore.hazard_facts
    for label, query in (("whole hazard shapes (baseline)", ReadModelStore.hazards),
                         ("hazard facts", facts)):
        ReadModelStore.hazard_facts = query  # type: ignore[method-assign]  # the baseline's query
        print(f"tables and charts, {label:31} median {tables(gw, staff, args.repeat):6.0f} ms")
    ReadModelStore.hazard_facts = facts  # type: ignore[method-assign]


def tables(gw, staff: Principal, repeat: int) -> float:
    """Median milliseconds for the dashboard's tables and charts of one request."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        with gw.engine.connect() as conn:
            store = ReadModelStore(conn)
            dashboard(store, staff)
            campaign_charts.charts(store, staff, datetime.now(UTC))
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


if __name__ == "__main__":
    main()
