"""Registry benchmark: a 50,000-row messy ledger (``tests/messy_ledger.py``: two sheets,
titles, blank rows, footers, merged cells, full-width digits, dates in three styles…)
as a dry run and as an import; reassess 50,000 children after a hazard change.
Targets on the development machine: dry run ≤ 30 s, import ≤ 60 s, reassessment ≤ 5 s.

Baselines, measured in the same run:
- dry run: reading the same workbook with openpyxl and nothing else (the floor);
- import: one ``register_child`` call per row, the path of ``POST /children`` (one
  transaction, one duplicate query and one water-index build per child), run for real
  on a subset of ``--subset`` rows that the bulk import also imports, in a fresh database
  of its own: both contenders measured on the same rows, nothing scaled;
- reassessment: a plain STRtree reassessment over every child, measured for real: load
  the children, one shapely ``STRtree.query_nearest`` in UTM, grade each (no writes).

    .venv/bin/python bench/registry.py [--rows 50000] [--hazards 500] [--subset 1000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import shapely
from shapely.geometry import shape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import messy_ledger  # noqa: E402  (the tests' generator of messy ledgers)

from services.registry.adapters.ledger_files import read_sheets  # noqa: E402
from services.registry.bootstrap import bootstrap
from services.registry.config import Settings
from services.registry.domain.ledger_cells import birth_date
from services.registry.domain.risk import assess
from services.registry.domain.villages import VillageDirectory
from services.registry.service_layer import assessment, children, ledger_import
from services.registry.service_layer.commands import RegisterChild
from services.registry.service_layer.context import Actor, Policy
from shared import gazetteer
from shared.auth import Principal, Role, TokenKeys
from shared.config import CommonSettings, Region
from shared.crypto import new_key

REGION = Region(105.5, 28.5, 107.5, 30.5)
ACTOR = Actor(Principal("bench", Role.STATION_ADMIN, "500110120"))


def settings(db: Path) -> Settings:
    common = CommonSettings("registry", "127.0.0.1:1", "", f"sqlite:///{db}", REGION, 1, 1, 1)
    return Settings(common, 0, TokenKeys({"k": "bench-secret-0123456789abcdef0123"}, "k"),
                    Policy(REGION, villages=VillageDirectory.of(
                        gazetteer.DEMO_TOWNSHIP, *gazetteer.township(gazetteer.DEMO_TOWNSHIP))))


def hazards(n: int, rng: random.Random) -> list[dict]:
    out = []
    for _ in range(n):
        lon, lat = 106.55 + rng.random() * 0.2, 28.85 + rng.random() * 0.2
        d = 0.0003 + rng.random() * 0.001
        out.append({"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat],
                                                        [lon + d, lat + d], [lon, lat]]]})
    return out


def add_hazards(registry, geoms: list[dict]) -> None:  # type: ignore[no-untyped-def]
    with registry.uow() as uow:
        for i, g in enumerate(geoms):
            uow.water.upsert(f"h{i}", "pond", g)


def bench_import(args: argparse.Namespace, tmp: Path, rng: random.Random) -> None:
    data, expected = messy_ledger.xlsx(args.rows, seed=7, today=date.today())
    registry = bootstrap(settings(tmp / "import.db"))
    add_hazards(registry, hazards(args.hazards, rng))
    t0, c0 = time.perf_counter(), time.process_time()
    read_sheets(data)
    floor, floor_cpu = time.perf_counter() - t0, time.process_time() - c0
    for dry_run in (True, False):
        t0, c0 = time.perf_counter(), time.process_time()
        report = ledger_import.import_ledger(registry.uow(), data, ACTOR, registry.policy,
                                             ledger_import.ImportOptions(dry_run=dry_run))
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
        what = "dry run" if dry_run else "import "
        print(f"{what}     {args.rows:>6} messy rows (XLSX {len(data) / 1e6:.1f} MB): "
              f"{took:6.1f} s wall, {cpu:6.1f} s CPU  ({args.rows / took:,.0f} rows/s) "
              f"{report.counts}, stored {report.imported}")
    assert len(report.rows) == len(expected)
    print(f"baseline    openpyxl reading the same workbook, no checks: {floor:6.1f} s wall, "
          f"{floor_cpu:6.1f} s CPU")
    bench_reassess(args, registry, rng)


def bench_subset(args: argparse.Namespace, tmp: Path, rng: random.Random) -> None:
    """The bulk import and one ``register_child`` per row on the same ``--subset`` rows
    (the accepted and flagged ones of the same generated ledger), each in a fresh
    database with the same hazards; wall and CPU time, as the machine is shared."""
    geoms = hazards(args.hazards, rng)
    data, _ = messy_ledger.xlsx(args.subset, seed=9, today=date.today())
    bulk = bootstrap(settings(tmp / "subset-bulk.db"))
    add_hazards(bulk, geoms)
    t0, c0 = time.perf_counter(), time.process_time()
    report = ledger_import.import_ledger(bulk.uow(), data, ACTOR, bulk.policy,
                                         ledger_import.ImportOptions(dry_run=False))
    bulk_s, bulk_cpu = time.perf_counter() - t0, time.process_time() - c0
    rows = [r for r, e in messy_ledger.rows(args.subset, 9, date.today(), as_csv=False)
            if e.outcome != "refuse"]
    base = bootstrap(settings(tmp / "subset-rows.db"))
    add_hazards(base, geoms)
    t0, c0 = time.perf_counter(), time.process_time()
    for r in rows:
        children.register_child(base.uow(), RegisterChild(
            name=str(r[0]).strip(), gender="male" if r[1] == "男" else "female",
            birth_date=birth_date(r[2]), village_code="500110120201",
            home_lon=float(r[10]), home_lat=float(r[11])), ACTOR, base.policy)
    rows_s, rows_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"subset      the same {args.subset} ledger rows ({len(rows)} children; the bulk "
          f"import stored {report.imported}), both measured:")
    print(f"  import    bulk: {bulk_s:6.1f} s wall, {bulk_cpu:6.1f} s CPU")
    print(f"  baseline  one register_child per row: {rows_s:6.1f} s wall, {rows_cpu:6.1f} s "
          f"CPU ({rows_cpu / len(rows) * 1e3:.0f} ms CPU a row)")
    print(f"  speed-up  {rows_s / bulk_s:.1f}x wall, {rows_cpu / bulk_cpu:.1f}x CPU")


def bench_reassess(args: argparse.Namespace, registry, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    add_hazards(registry, [hazards(1, rng)[0]])
    with registry.uow() as uow:
        uow.water.request_reassessment()
    t0 = time.perf_counter()
    changed = assessment.reassess_if_requested(registry.uow(), registry.policy)
    took = time.perf_counter() - t0
    print(f"reassess    {args.rows:>6} children after a hazard change: {took:6.2f} s "
          f"({changed} grades changed)")

    with registry.uow() as uow:
        t0 = time.perf_counter()
        everyone = list(uow.children.iter_for_assessment())
        geoms, _ = uow.water.shapes()
        index = assessment.water_index(uow, registry.policy)
    tree = shapely.STRtree([shapely.transform(shape(g), index._project) for g in geoms])
    x, y = index._to_metric.transform([c.home_lon for c in everyone],
                                      [c.home_lat for c in everyone])
    (_, nearest), dist = tree.query_nearest(shapely.points(x, y), return_distance=True,
                                            all_matches=False)
    today = date.today()
    for child, d in zip(everyone, dist, strict=True):
        assess(child, float(d), today, registry.policy.model)
    base_s = time.perf_counter() - t0
    print(f"baseline    plain STRtree reassessment (load every child, one query_nearest, "
          f"assess; no writes): {base_s:6.2f} s for {len(everyone)} children, measured")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000,
                        help="the full-size import and reassessment (0: skip them)")
    parser.add_argument("--hazards", type=int, default=500)
    parser.add_argument("--subset", type=int, default=1000,
                        help="rows both import paths run on (row by row: ~20-100 ms a row)")
    args = parser.parse_args()
    os.environ.setdefault("SHOUHU_FIELD_KEYS", f"b1:{new_key()}")
    print(f"load average before the run: {os.getloadavg()[0]:.1f} (2 cores shared)")
    with tempfile.TemporaryDirectory(prefix="shouhu-bench-registry-") as tmp:
        if args.rows:
            bench_import(args, Path(tmp), random.Random(7))
        bench_subset(args, Path(tmp), random.Random(8))
    print(f"load average after the run: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
