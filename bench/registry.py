"""Registry benchmark: import a 50,000-row ledger; reassess 50,000 children after a
hazard change. Targets on the development machine: import ≤ 60 s, reassessment ≤ 5 s.

Baselines, measured in the same run on a sample and scaled linearly to the full size:
- import: one ``register_child`` call per row, the path of ``POST /children`` (one
  transaction, one duplicate query and one water-index build per child);
- reassessment: the per-child loop without the STRtree, i.e. ``shapely.distance`` from
  each home to every water hazard, one child at a time.

    .venv/bin/python bench/registry.py [--rows 50000] [--hazards 500] [--sample 1000]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import tempfile
import time
from datetime import date
from pathlib import Path

import shapely
from openpyxl import Workbook
from shapely.geometry import shape

from services.registry.bootstrap import bootstrap
from services.registry.config import Settings
from services.registry.domain.identity import check_character
from services.registry.domain.risk import assess
from services.registry.service_layer import assessment, children, ledger_import
from services.registry.service_layer.commands import RegisterChild
from services.registry.service_layer.context import Actor, Policy
from shared.auth import Principal, Role, TokenKeys
from shared.config import CommonSettings, Region
from shared.crypto import new_key

REGION = Region(105.5, 28.5, 107.5, 30.5)
VILLAGES = [f"500110120{200 + i:03d}" for i in range(20)]
HEADERS = ["姓名", "性别", "出生日期", "身份证号", "监护人", "与儿童关系", "家庭住址", "所在村",
           "联系电话", "就读学校", "困境类型", "经度", "纬度", "村代码", "父母外出", "监护人年龄"]
ACTOR = Actor(Principal("bench", Role.STATION_ADMIN, "500110120"))


def settings(db: Path) -> Settings:
    common = CommonSettings("registry", "127.0.0.1:1", "", f"sqlite:///{db}", REGION, 1, 1, 1)
    return Settings(common, 0, TokenKeys({"k": "bench-secret-0123456789abcdef0123"}, "k"),
                    Policy(REGION))


def ledger_rows(n: int, rng: random.Random) -> list[list[str]]:
    rows = []
    for i in range(n):
        born = date(rng.randint(2011, 2024), rng.randint(1, 12), rng.randint(1, 28))
        first = f"5001{i // 1000:02d}{born:%Y%m%d}{i % 1000:03d}"  # unique; parity = gender
        village = rng.choice(VILLAGES)
        rows.append([f"儿童{i:06d}", "男" if i % 2 else "女", born.isoformat(),
                     first + check_character(first) if i % 3 == 0 else "",
                     f"监护人{i:06d}", rng.choice(["祖母", "祖父", "母亲"]), f"{i % 40}组",
                     f"村{village[-3:]}", "", "扶欢小学",
                     rng.choice(["", "留守儿童", "残疾", "留守儿童、患重病"]),
                     f"{106.55 + rng.random() * 0.2:.6f}", f"{28.85 + rng.random() * 0.2:.6f}",
                     village, "", str(rng.randint(35, 80))])
    return rows


def xlsx(rows: list[list[str]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


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
    rows = ledger_rows(args.rows, rng)
    data = xlsx(rows)
    registry = bootstrap(settings(tmp / "import.db"))
    add_hazards(registry, hazards(args.hazards, rng))
    t0 = time.perf_counter()
    report = ledger_import.import_ledger(registry.uow(), data, ACTOR, registry.policy,
                                         dry_run=False, clean_rows_only=False)
    took = time.perf_counter() - t0
    assert report.imported == args.rows, report.errors[:5]
    print(f"import      {args.rows:>6} rows (XLSX {len(data) / 1e6:.1f} MB): {took:6.1f} s"
          f"  ({args.rows / took:,.0f} rows/s)")

    base = bootstrap(settings(tmp / "baseline.db"))
    add_hazards(base, hazards(args.hazards, rng))
    t0 = time.perf_counter()
    for r in rows[:args.sample]:
        children.register_child(base.uow(), RegisterChild(
            name=str(r[0]), gender="male" if r[1] == "男" else "female",
            birth_date=date.fromisoformat(str(r[2])), village_code=str(r[13]),
            home_lon=float(str(r[11])), home_lat=float(str(r[12]))), ACTOR, base.policy)
    per_row = (time.perf_counter() - t0) / args.sample
    print(f"baseline    one register_child per row: {per_row * 1e3:.1f} ms/row → "
          f"{per_row * args.rows:6.1f} s for {args.rows} rows (scaled from {args.sample})")
    bench_reassess(args, registry, rng)


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
        sample = list(uow.children.iter_for_assessment())[:args.sample]
        geoms, _ = uow.water.shapes()
        index = assessment.water_index(uow, registry.policy)
    metric = [shapely.transform(shape(g), index._project) for g in geoms]
    t0 = time.perf_counter()
    for child in sample:
        x, y = index._to_metric.transform(child.home_lon, child.home_lat)
        point = shapely.Point(x, y)
        nearest = min(shapely.distance(point, g) for g in metric)
        assess(child, nearest, date.today(), registry.policy.model)
    per_child = (time.perf_counter() - t0) / len(sample)
    print(f"baseline    per-child loop, no STRtree: {per_child * 1e3:.2f} ms/child → "
          f"{per_child * args.rows:6.1f} s for {args.rows} children (scaled from "
          f"{len(sample)}; assessment only, no database writes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--hazards", type=int, default=500)
    parser.add_argument("--sample", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("SHOUHU_FIELD_KEYS", f"b1:{new_key()}")
    print(f"load average before the run: {os.getloadavg()[0]:.1f} (2 cores shared)")
    with tempfile.TemporaryDirectory(prefix="shouhu-bench-registry-") as tmp:
        bench_import(args, Path(tmp), random.Random(7))
    print(f"load average after the run: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
