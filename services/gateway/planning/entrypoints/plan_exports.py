"""A team's plan as files: GPX 1.1 for phones and GPS units, CSV for spreadsheets.

Stops carry the hazard's name, kind, village and coordinates (never an id alone); each
shift is a track along the roads that returns to the start.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from xml.sax.saxutils import escape

from services.gateway.planning.entrypoints.plan_labels import kind_label, stop_title, what_to_check
from shared.exports import row_cells

GPX_NS = "http://www.topografix.com/GPX/1/1"


def team_gpx(plan_id: str, team: dict[str, Any]) -> str:
    """GPX 1.1 (WGS 84): a named waypoint per place, one route and one track per shift,
    both from the start back to it; the track follows the roads where the plan did."""
    seen: dict[str, dict[str, Any]] = {}
    for sh in team["shifts"]:
        for s in sh["stops"]:
            seen.setdefault(s["point_id"], s)
    lon0, lat0 = team["start"]
    start = _pt("wpt", lon0, lat0, "出发点 start", "")
    wpts = start + "".join(_pt("wpt", s["lon"], s["lat"], stop_title(s), _desc(s), s.get("kind"))
                           for s in seen.values())
    shifts = [sh for sh in team["shifts"] if sh["stops"]]
    rtes = "".join(
        f"<rte><name>{escape(_shift_name(sh))}</name>"
        + _pt("rtept", lon0, lat0, "出发点 start", "")
        + "".join(_pt("rtept", s["lon"], s["lat"], f"{n}. {stop_title(s)}", "")
                  for n, s in enumerate(sh["stops"], 1))
        + _pt("rtept", lon0, lat0, "返回出发点 back to start", "") + "</rte>" for sh in shifts)
    trks = "".join(
        f"<trk><name>{escape(_shift_name(sh))}</name><trkseg>"
        + "".join(f'<trkpt lat="{lat:.6f}" lon="{lon:.6f}"/>' for lon, lat in _track(team, sh))
        + "</trkseg></trk>" for sh in shifts)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<gpx version="1.1" creator="Shouhu 守护" xmlns="{GPX_NS}">'
            f"<metadata><name>巡查路线 patrol route · {escape(team['team_id'])}</name>"
            f"<desc>plan {escape(plan_id)}</desc></metadata>{wpts}{rtes}{trks}</gpx>")


def _track(team: dict[str, Any], shift: dict[str, Any]) -> list[tuple[float, float]]:
    """The shift's road-following track, or start → stops → start when none was drawn."""
    if shift.get("track"):
        return [tuple(p) for p in shift["track"]]
    start = tuple(team["start"])
    return [start, *[(s["lon"], s["lat"]) for s in shift["stops"]], start]


def _pt(tag: str, lon: float, lat: float, name: str, desc: str, kind: str | None = None) -> str:
    extra = f"<desc>{escape(desc)}</desc>" if desc else ""
    extra += f"<type>{escape(kind)}</type>" if kind else ""
    return f'<{tag} lat="{lat:.6f}" lon="{lon:.6f}"><name>{escape(name)}</name>{extra}</{tag}>'


def _desc(s: dict[str, Any]) -> str:
    return (f"{kind_label(s.get('kind', ''))} · 村 village {s.get('village_code') or '—'} · "
            f"检查 check: {what_to_check(s)}")


def _shift_name(sh: dict[str, Any]) -> str:
    return f"{sh['day']} {sh['start']}–{sh['end']}"


CSV_FIELDS = ("日期 day", "开始 shift_start", "结束 shift_end", "顺序 order", "名称 name",
              "类型 kind", "村 village_code", "经度 lon", "纬度 lat", "检查 what_to_check",
              "预计到达 arrive_min", "路段米 leg_m", "沿道路 leg_by_road", "暴露度 exposure",
              "point_id")


def team_csv(team: dict[str, Any]) -> str:
    """One row per stop, with the names a team reads (UTF-8 with BOM for spreadsheets)."""
    buf = io.StringIO()
    buf.write("\ufeff")
    out = csv.writer(buf)
    out.writerow(CSV_FIELDS)
    for sh in team["shifts"]:
        for n, s in enumerate(sh["stops"], 1):
            out.writerow(row_cells([  # names are typed by people: never formulas
                sh["day"], sh["start"], sh["end"], n, stop_title(s),
                kind_label(s.get("kind", "")), s.get("village_code", ""),
                f"{s['lon']:.6f}", f"{s['lat']:.6f}", what_to_check(s),
                s["arrive_min"], s.get("leg_m", ""),
                "是 yes" if s.get("leg_by_road") else "否 no",
                s["exposure_tenths"] / 10, s["point_id"]]))
    return buf.getvalue()
