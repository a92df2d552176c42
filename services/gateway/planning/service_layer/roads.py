"""The road network layer: import a file as a new version, read the one plans use."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pyproj import CRS
from sqlalchemy import Connection, Engine

from services.gateway.domain.exceptions import InvalidRoads, NotFound
from services.gateway.planning.adapters.road_files import read_roads
from services.gateway.planning.adapters.road_repository import RoadRepository
from services.gateway.planning.domain.road_graph import JOIN_M
from services.gateway.planning.domain.road_import import RoadLink, describe, read_links
from shared.config import Region
from shared.geo import CoordinateError

MAX_REFUSALS_SHOWN = 50


def import_roads(engine: Engine, data: bytes, filename: str, region: Region, crs: CRS,
                 imported_by: str, join_m: float = JOIN_M) -> dict[str, Any]:
    """Read, check and store a road network as a new version, all or nothing: a file
    with any refused feature stores nothing and says which and why."""
    frame, osm = read_roads(data, filename)
    try:
        links, report = read_links(frame, region, osm, join_m)
    except CoordinateError as exc:
        raise InvalidRoads("file", str(exc)) from exc
    if report.refused or not links:
        shown = "; ".join(f"feature {r['feature']}: {r['reason']}"
                          for r in report.refused[:MAX_REFUSALS_SHOWN])
        raise InvalidRoads("file", f"{len(report.refused)} of {report.features} features "
                           f"refused, nothing stored: {shown or 'no road lines in the file'}")
    describe(links, crs, report)
    with engine.begin() as conn:
        version = RoadRepository(conn).add(imported_by, filename, report, links)
    return {"version": version, "source": filename, **asdict(report)}


def current(conn: Connection) -> dict[str, Any]:
    """The version plans use now (the newest) and its report."""
    latest = RoadRepository(conn).latest_version()
    if latest is None:
        raise NotFound("road network (none imported)")
    return {"version": latest["version"], "source": latest["source"],
            "imported_at": latest["imported_at"], **latest["report"]}


def links_for_planning(repo: RoadRepository) -> tuple[int | None, list[RoadLink]]:
    """The newest version's number and links (none: no road network imported)."""
    latest = repo.latest_version()
    return (None, []) if latest is None else (latest["version"], repo.links(latest["version"]))
