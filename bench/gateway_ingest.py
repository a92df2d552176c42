"""County hazard import into the gateway: incremental index vs a rebuild per event.

    .venv/bin/python bench/gateway_ingest.py [--homes 6000 --roads 8000 --batch 200 --every 40]

Invented data around Qijiang: a township's homes, then a county's road links arriving
as events (``hazards.hazard.created.v1`` then ``hazards.zone.changed.v1`` per link,
as the hazards service publishes an import), applied by the gateway's projector to its
read model on SQLite, ``--batch`` events per transaction as the consumer does.

Ours: the overlay index takes each hazard in (a small recent layer, retired shapes,
a rebuild now and then). Baseline, same run, same events: the index rebuilt from all
hazards for every event, as each hazard event did before. The baseline is far too slow
to run to the end (about half a second an event at 8,000 hazards), so it is timed on
every ``--every``-th event of the stream (each time with the read model as it stands)
and its total is estimated as the mean of those events × the number of events.
Target: the county's 8,000 links ingested in ≤ 2 min.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration" / "gateway"))

from gw_helpers import LAT0, LON0, event, gateway  # noqa: E402

from shared.crypto import default_keys, new_key  # noqa: E402

SPAN = 0.25  # degrees: a county's road net around the township


def homes(n: int, rng: np.random.Generator) -> list:
    xs, ys = rng.uniform(-0.05, 0.05, (2, n))
    return [event("registry.child.registered.v1", {
        "child_id": f"c{i}", "village_code": "500110120201",
        "home": {"lon": LON0 + float(xs[i]), "lat": LAT0 + float(ys[i])},
        "age_band": "6-11", "risk_grade": ("high", "medium", "low")[i % 3]})
        for i in range(n)]


def road_links(n: int, rng: np.random.Generator) -> list:
    """Created, then zoned, per link, as the hazards service publishes an import."""
    out = []
    for i, (x, y, dx, dy) in enumerate(zip(*rng.uniform(-SPAN, SPAN, (2, n)),
                                           *rng.uniform(-0.004, 0.004, (2, n)), strict=True)):
        a, b = [LON0 + x, LAT0 + y], [LON0 + x + dx, LAT0 + y + dy]
        line = {"type": "LineString", "coordinates": [a, b]}
        out.append(event("hazards.hazard.created.v1", {
            "hazard_id": f"road-{i:05d}", "kind": "road_no_barrier", "name": "",
            "geometry": line, "village_code": "500110120201", "protections": {}}))
        lo, hi = np.minimum(a, b) - 0.0004, np.maximum(a, b) + 0.0004
        ring = [[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]], [lo[0], lo[1]]]
        out.append(event("hazards.zone.changed.v1", {
            "hazard_id": f"road-{i:05d}", "kind": "road_no_barrier", "buffer_m": 40.0,
            "zone": {"type": "Polygon", "coordinates": [ring]}}))
    return out


def ingest(gw, events: list, batch: int, rebuild_every: int = 0) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    """Apply the events in transactions of ``batch``; return the total seconds and, with
    ``rebuild_every``, the times of the events applied after dropping the index."""
    handlers = gw.handlers()
    sampled: list[float] = []
    t0 = time.perf_counter()
    for at in range(0, len(events), batch):
        with gw.engine.begin() as conn:
            for k, ev in enumerate(events[at:at + batch], start=at):
                if rebuild_every and k % rebuild_every == 0:
                    overlay = gw.projector._overlay
                    if overlay is not None:
                        overlay._index = None  # what every hazard event did before
                    s = time.perf_counter()
                    handlers[ev.type](conn, ev)
                    sampled.append(time.perf_counter() - s)
                else:
                    handlers[ev.type](conn, ev)
    return time.perf_counter() - t0, sampled


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--homes", type=int, default=6000)
    ap.add_argument("--roads", type=int, default=8000)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--every", type=int, default=40)
    args = ap.parse_args()
    os.environ["SHOUHU_FIELD_KEYS"] = f"b1:{new_key()}"
    default_keys.cache_clear()
    rng = np.random.default_rng(7)
    children, roads = homes(args.homes, rng), road_links(args.roads, rng)
    print(f"load average {os.getloadavg()[0]:.1f}; {args.homes} homes, {args.roads} road "
          f"links = {len(roads)} events, {args.batch} per transaction")
    with tempfile.TemporaryDirectory() as tmp:
        ours = gateway(f"sqlite:///{tmp}/ours.db")
        ingest(ours, children, args.batch)
        total, _ = ingest(ours, roads, args.batch)
        base = gateway(f"sqlite:///{tmp}/base.db")
        ingest(base, children, args.batch)
        _, sampled = ingest(base, roads, args.batch, rebuild_every=args.every)
    per_event = statistics.mean(sampled)
    print(f"ours (incremental index):        {total:7.1f} s for {len(roads)} events "
          f"({1000 * total / len(roads):.2f} ms/event)  target ≤ 120 s")
    print(f"baseline (rebuild per event):    {per_event * len(roads):7.1f} s estimated "
          f"({1000 * per_event:.1f} ms/event, mean of {len(sampled)} sampled; last "
          f"{1000 * sampled[-1]:.0f} ms)")
    print(f"speed-up: {per_event * len(roads) / total:.1f}×")


if __name__ == "__main__":
    main()
