"""Writers: ledgers (XLSX), hazards (GeoJSON, GeoPackage), context layers, activity JSON."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from infra.demogen import ledger, places
from infra.demogen.places import Township
from infra.demogen.township import TownshipData

HAZARD_PROPERTIES = ["name", "kind", "village_code", "barrier", "warning_sign",
                     "rescue_equipment", "depth_m", "width_m"]
# GeoPackage stamps the time of writing; pin it so files are reproducible.
pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2024-01-01T00:00:00Z"})


def ledger_name(township: Township) -> str:
    return f"ledger/{township.code}.xlsx"


def write_all(out: Path, towns: list[Township], data: list[TownshipData]) -> dict:
    """Write every file; hazard references become indices into ``hazards.geojson``."""
    (out / "ledger").mkdir(exist_ok=True)
    jobs = [(d.ledger, out / ledger_name(t)) for t, d in zip(towns, data, strict=True)]
    if len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=2) as pool:
            list(pool.map(_write_ledger, jobs))
    else:
        _write_ledger(jobs[0])
    hazards = pd.concat([d.hazards for d in data], ignore_index=True)
    _layer(hazards[[*HAZARD_PROPERTIES, "geometry"]], out, "hazards", gpkg=True)
    _layer(pd.concat([d.roads for d in data], ignore_index=True), out, "roads")
    _layer(pd.concat([d.schools for d in data], ignore_index=True), out, "schools")
    offset, visits, cases, checkins, devices = 0, [], [], [], []
    for t, d in zip(towns, data, strict=True):
        for rec in (*d.visits, *d.cases):
            rec["child"]["ledger"] = ledger_name(t)
        for rec in (*d.checkins, *d.devices):
            rec["hazard_ref"] += offset
        offset += len(d.hazards)
        visits += d.visits
        cases += d.cases
        checkins += d.checkins
        devices += d.devices
    for name, records in (("visits", visits), ("cases", cases), ("checkins", checkins),
                          ("devices", devices)):
        _json_lines(out / f"{name}.json", records)
    return {"townships": [_summary(t, d) for t, d in zip(towns, data, strict=True)],
            "counts": {"children": sum(len(d.ledger) for d in data), "hazards": len(hazards),
                       "visits": len(visits), "cases": len(cases),
                       "checkins": len(checkins), "devices": len(devices)}}


def _write_ledger(job: tuple[pd.DataFrame, Path]) -> None:
    ledger.write_xlsx(*job)


def _layer(frame: pd.DataFrame, out: Path, name: str, gpkg: bool = False) -> None:
    gdf = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
    gdf.to_file(out / f"{name}.geojson", driver="GeoJSON", engine="pyogrio",
                layer_options={"COORDINATE_PRECISION": 7, "RFC7946": "YES"})
    if gpkg:
        gdf.to_file(out / f"{name}.gpkg", driver="GPKG", layer=name, engine="pyogrio")


def _json_lines(path: Path, records: list[dict]) -> None:
    """A JSON array with one record per line: diffable, and streamable line by line."""
    body = ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records)
    path.write_text(f"[\n{body}\n]\n" if records else "[]\n", encoding="utf-8")


def _summary(t: Township, d: TownshipData) -> dict:
    by_village = d.ledger.groupby("村代码").size().to_dict()
    hz_village = d.hazards.groupby("village_code").size().to_dict()
    return {"code": t.code, "name": t.name, "ledger": ledger_name(t),
            "villages": [{"code": v.code, "name": v.name,
                          "children": int(by_village.get(v.code, 0)),
                          "hazards": int(hz_village.get(v.code, 0))} for v in t.villages]}


def write_manifest(out: Path, manifest: dict) -> dict:
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8")
    return manifest


def province_volumes(seed: int) -> dict:
    """Chongqing-wide volumes and event rates for the event benchmark.

    Per-village rates are the township scale's (docs/demo-data.md): about 375 children
    and 31 hazards per village, six patrol points per village checked on half the
    summer afternoons (13:00–18:00), a home visit per child about every 30 days.
    """
    totals = places.province_totals()
    villages = totals["villages"]
    checkins_day = villages * 6 * 0.5
    visits_day = villages * 375 / 30
    afternoon_s, working_s = 5 * 3600, 8 * 3600
    return {"scale": "province", "seed": seed, "province": totals,
            "counts": {"children": villages * 375, "hazards": villages * 31},
            "events_per_s": {
                "hazards.patrols (summer afternoon mean)": round(checkins_day / afternoon_s, 2),
                "hazards.patrols (after-school peak, x4)": round(4 * checkins_day / afternoon_s, 2),
                "registry.visits (working hours)": round(visits_day / working_s, 2),
                "registry.children (quarterly update, one working day)":
                    round(villages * 375 / working_s, 2)}}
