"""A team's plan as files: GPX for phones and GPS units, CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from shared.exports import row_cells


def team_gpx(plan_id: str, team: dict[str, Any]) -> str:
    """GPX 1.1: one waypoint per patrol point, one route per shift (WGS 84)."""
    seen: dict[str, dict[str, Any]] = {}
    for sh in team["shifts"]:
        for s in sh["stops"]:
            seen.setdefault(s["point_id"], s)
    wpts = "".join(
        f'<wpt lat="{s["lat"]:.6f}" lon="{s["lon"]:.6f}"><name>{escape(pid)}</name>'
        f"<desc>hazard {escape(s['hazard_id'])}</desc></wpt>" for pid, s in seen.items())
    lon0, lat0 = team["start"]
    rtes = "".join(
        f"<rte><name>{escape(sh['day'])} {escape(sh['start'])}</name>"
        f'<rtept lat="{lat0:.6f}" lon="{lon0:.6f}"><name>start</name></rtept>'
        + "".join(f'<rtept lat="{s["lat"]:.6f}" lon="{s["lon"]:.6f}">'
                  f"<name>{escape(s['point_id'])}</name></rtept>" for s in sh["stops"])
        + "</rte>" for sh in team["shifts"])
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<gpx version="1.1" creator="Shouhu" xmlns="http://www.topografix.com/GPX/1/1">'
            f"<metadata><name>{escape(plan_id)} team {escape(team['team_id'])}</name>"
            f"<desc>{quoteattr(team['team_id'])[1:-1]}</desc></metadata>{wpts}{rtes}</gpx>")


CSV_FIELDS = ("day", "shift_start", "shift_end", "order", "point_id", "hazard_id", "lon", "lat",
              "arrive_min", "exposure")


def team_csv(team: dict[str, Any]) -> str:
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(CSV_FIELDS)
    for sh in team["shifts"]:
        for n, s in enumerate(sh["stops"], 1):
            out.writerow(row_cells([sh["day"], sh["start"], sh["end"], n, s["point_id"],
                                    s["hazard_id"], f"{s['lon']:.6f}", f"{s['lat']:.6f}",
                                    s["arrive_min"], s["exposure_tenths"] / 10]))
    return buf.getvalue()
