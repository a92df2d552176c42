"""Command handlers for the hazard inventory: add, edit, retire, import, zones.

Every new or changed hazard publishes ``hazards.hazard.created|updated.v1`` and, when
its outline or kind changed, ``hazards.zone.changed.v1``: the gateway builds its
overlay from these, so they are written in the same transaction as the change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from services.hazards.adapters.exports import rfc7946
from services.hazards.adapters.geofiles import Limits, read_upload
from services.hazards.domain.exceptions import NotFound
from services.hazards.domain.importing import ImportReport, prepare_import
from services.hazards.domain.kinds import PROTECTIONS
from services.hazards.domain.model import Hazard
from services.hazards.domain.ports import UnitOfWork
from services.hazards.domain.zones import BufferConfig, compute_zones
from shared.config import Region
from shared.errors import found_in_scope
from shared.geo import WGS84, Datum

log = logging.getLogger(__name__)
CHUNK = 5000  # rows per bulk insert: bounded memory, few round trips


@dataclass(frozen=True)
class Context:
    """What every inventory command needs besides its own arguments."""

    region: Region
    buffers: BufferConfig
    user_id: str
    in_scope: Callable[[str], bool] = lambda village_code: True

    def load_hazard(self, uow: UnitOfWork, hazard_id: str) -> Hazard:
        """The hazard, if the caller may see it; else not found, as if it did not exist."""
        return found_in_scope(uow.hazards.get(hazard_id),
                              lambda h: self.in_scope(h.village_code),
                              NotFound(f"no hazard {hazard_id}"))


def _hazard_events(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    geoms = rfc7946(frame.geometry.values)
    cols = {c: frame[c].tolist() for c in ("id", "kind", "name", "village_code",
                                           "risk_season", *PROTECTIONS)}
    return [{"hazard_id": cols["id"][i], "kind": cols["kind"][i], "name": cols["name"][i],
             "geometry": geoms[i], "village_code": cols["village_code"][i],
             "risk_season": cols["risk_season"][i],
             "protections": {p: cols[p][i] for p in PROTECTIONS}}
            for i in range(len(frame))]


def _store_zones(uow: UnitOfWork, frame: gpd.GeoDataFrame, buffers: BufferConfig) -> None:
    zones, widths = compute_zones(frame.geometry, frame["kind"].to_numpy(str), buffers)
    ids, kinds = frame["id"].tolist(), frame["kind"].tolist()
    uow.zones.put_many(ids, kinds, widths.tolist(), zones.values)
    geoms = rfc7946(zones.values)
    uow.publish_many("hazards.zone.changed.v1", [
        {"hazard_id": h, "kind": k, "buffer_m": float(m), "zone": g}
        for h, k, m, g in zip(ids, kinds, widths, geoms, strict=True)])


def _one(hazard: Hazard) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame([{**hazard.attributes(), "geometry": hazard.geometry}],
                            geometry="geometry", crs=WGS84)


def add_hazard(uow: UnitOfWork, hazard: Hazard, ctx: Context) -> Hazard:
    hazard.check(ctx.region)
    if not ctx.in_scope(hazard.village_code):
        raise NotFound("village outside your scope")
    frame = _one(hazard)
    with uow:
        uow.hazards.add(hazard)
        uow.hazards.record_versions([{"hazard_id": hazard.id, "version": 1, "action": "created",
                                      "changes": hazard.attributes()}], ctx.user_id)
        uow.publish_many("hazards.hazard.created.v1", _hazard_events(frame))
        _store_zones(uow, frame, ctx.buffers)
    return hazard


def update_hazard(uow: UnitOfWork, hazard_id: str, changes: dict[str, Any],
                  ctx: Context) -> Hazard:
    with uow:
        return apply_changes(uow, hazard_id, changes, ctx)


def apply_changes(uow: UnitOfWork, hazard_id: str, changes: dict[str, Any],
                  ctx: Context) -> Hazard:
    """Change a hazard inside the caller's unit of work: a new version, its event, and
    its zone again when the geometry or kind changed."""
    hazard = ctx.load_hazard(uow, hazard_id)
    diff = hazard.apply(changes)
    if not diff:
        return hazard
    hazard.check(ctx.region)
    if not ctx.in_scope(hazard.village_code):
        raise NotFound("village outside your scope")
    uow.hazards.save(hazard)
    uow.hazards.record_versions([{"hazard_id": hazard.id, "version": hazard.version,
                                  "action": "updated", "changes": diff}], ctx.user_id)
    frame = _one(hazard)
    uow.publish_many("hazards.hazard.updated.v1", _hazard_events(frame))
    if {"geometry", "kind"} & set(diff):
        _store_zones(uow, frame, ctx.buffers)
    return hazard


def retire_hazard(uow: UnitOfWork, hazard_id: str, ctx: Context) -> None:
    with uow:
        hazard = ctx.load_hazard(uow, hazard_id)
        uow.hazards.retire(hazard_id)
        uow.zones.remove(hazard_id)
        uow.hazards.record_versions([{"hazard_id": hazard_id, "version": hazard.version + 1,
                                      "action": "retired", "changes": {}}], ctx.user_id)
        uow.publish("hazards.hazard.retired.v1", {"hazard_id": hazard_id})


@dataclass(frozen=True)
class ImportOptions:
    filename: str
    datum: Datum = Datum.WGS84
    dry_run: bool = False
    default_kind: str | None = None
    default_village: str = ""


def import_file(uow: UnitOfWork, data: bytes, opts: ImportOptions, ctx: Context,
                limits: Limits = Limits()) -> ImportReport:
    """Read, check and (unless a dry run) store a file of hazards with their zones."""
    upload = read_upload(data, opts.filename, limits)
    with uow:
        existing = uow.hazards.frame()[["id", "kind", "geometry"]]
        plan = prepare_import(upload.frame, region=ctx.region, datum=opts.datum,
                              default_kind=opts.default_kind, existing=existing,
                              osm=upload.osm)
        frame, report = plan.hazards, plan.report
        if opts.default_village:
            frame.loc[frame["village_code"] == "", "village_code"] = opts.default_village
        outside = [v for v in frame["village_code"].unique() if v and not ctx.in_scope(v)]
        if outside:
            raise NotFound(f"villages outside your scope: {', '.join(sorted(outside))}")
        if opts.dry_run or frame.empty:
            return report
        for start in range(0, len(frame), CHUNK):
            _import_chunk(uow, frame.iloc[start:start + CHUNK], ctx)
        report.imported = len(frame)
    log.info("imported %d hazards (%d refused, %d duplicates)", report.imported,
             len(report.refused), len(report.duplicates))
    return report


def _import_chunk(uow: UnitOfWork, chunk: gpd.GeoDataFrame, ctx: Context) -> None:
    uow.hazards.add_many(chunk.drop(columns=["feature"]))
    uow.hazards.record_versions([
        {"hazard_id": h, "version": 1, "action": "imported", "changes": {"feature": f}}
        for h, f in zip(chunk["id"], chunk["feature"], strict=True)], ctx.user_id)
    uow.publish_many("hazards.hazard.created.v1", _hazard_events(chunk))
    _store_zones(uow, chunk, ctx.buffers)


def get_hazard(uow: UnitOfWork, hazard_id: str) -> Hazard:
    with uow:
        hazard = uow.hazards.get(hazard_id)
    if hazard is None:
        raise NotFound(f"no hazard {hazard_id}")
    return hazard
