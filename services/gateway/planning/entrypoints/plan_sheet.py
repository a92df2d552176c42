"""The printable patrol sheet of one team: one A4 page per day, with a small map of the
route along the roads and a table of stops a team can follow without any id."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from services.gateway.planning.entrypoints.plan_labels import kind_label, stop_title, what_to_check

MAP_W, MAP_H, PAD = 680.0, 300.0, 14.0  # the route map's SVG box (CSS px, fits A4)

_ENV = Environment(autoescape=select_autoescape(default=True))
SHEET_CSS = Markup("""
body { font: 12px/1.35 system-ui, "Noto Sans CJK SC", sans-serif; margin: 1em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #444; padding: 3px 4px; text-align: left; vertical-align: top; }
td.sign { width: 6em; height: 2.2em; }
svg { width: 100%; max-height: 300px; border: 1px solid #999; }
section.day { page-break-after: always; break-after: page; }
h2 { font-size: 14px; margin: 0.3em 0; }
@media print { @page { size: A4; margin: 10mm; } body { margin: 0; } a { display: none; } }
""")  # allowed by its hash (plans_api), never by 'unsafe-inline'

_SHEET = _ENV.from_string("""<!doctype html>
<html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>巡查表 Patrol sheet · {{ team.team_id }}</title>
<style>{{ css }}</style></head><body>
{% for day in days %}<section class="day">
<h2>巡查表 Patrol sheet · {{ team.team_id }} · {{ day.shift.day }}
{{ day.shift.start }}–{{ day.shift.end }}</h2>
<p>队员 Members: {{ team.members | join("、") }} ·
{{ (day.shift.distance_m / 1000) | round(1) }} km，{{ day.road_pct }}% 沿道路 by road ·
约 {{ day.shift.duration_min | round | int }} 分钟 min</p>
{{ day.svg | safe }}
<table><thead><tr><th>#</th><th>名称 Name</th><th>类型 Kind</th><th>村 Village</th>
<th>坐标 Lon, Lat</th><th>检查 What to check</th><th>计划时间 Planned</th>
<th>签字 Signature</th></tr></thead><tbody>
{% for s in day.stops %}<tr><td>{{ loop.index }}</td><td>{{ s.title }}</td>
<td>{{ s.kind }}</td><td>{{ s.village }}</td><td>{{ s.coords }}</td><td>{{ s.check }}</td>
<td>{{ s.time }}</td><td class="sign"></td></tr>
{% endfor %}</tbody></table>
{% if day.off_road %}<p>部分路段无道路相连，按直线计
Some legs have no road joining them: straight lines.</p>
{% endif %}</section>
{% endfor %}
{% if unmet %}<section><h2>未能按要求频次巡查的点 Points not visited as often as required</h2>
<table><thead><tr><th>名称 Name</th><th>要求（天）Every (days)</th>
<th>最长间隔 Longest gap</th><th>原因 Why</th></tr></thead><tbody>
{% for u in unmet %}<tr><td>{{ u.title }}</td><td>{{ u.required_days }}</td>
<td>{{ u.longest_gap_days }}</td><td>{{ u.reason }}</td></tr>{% endfor %}
</tbody></table></section>{% endif %}
</body></html>""")


def render_sheet(plan: dict[str, Any], team: dict[str, Any]) -> str:
    """The sheet: days with stops only; the points this team cannot serve often enough."""
    by_id = {s["point_id"]: s for sh in team["shifts"] for s in sh["stops"]}
    unmet = [{**u, "title": stop_title(by_id.get(u["point_id"], {}))
              if u["point_id"] in by_id else u["point_id"]}
             for u in plan.get("unmet", []) if u["team_id"] == team["team_id"]]
    days = [_day(team, sh) for sh in team["shifts"] if sh["stops"]]
    return _SHEET.render(css=SHEET_CSS, team=team, days=days, unmet=unmet)


def _day(team: dict[str, Any], sh: dict[str, Any]) -> dict[str, Any]:
    start = datetime.strptime(sh["start"], "%H:%M")
    stops = [{"title": stop_title(s), "kind": kind_label(s.get("kind", "")),
              "village": s.get("village_code") or "—",
              "coords": f"{s['lon']:.5f}, {s['lat']:.5f}", "check": what_to_check(s),
              "time": (start + timedelta(minutes=s["arrive_min"])).strftime("%H:%M")}
             for s in sh["stops"]]
    dist = sh.get("distance_m") or 0.0
    return {"shift": sh, "stops": stops, "svg": route_svg(team, sh),
            "road_pct": round(100 * sh.get("road_m", 0.0) / dist) if dist else 0,
            "off_road": any(not s.get("leg_by_road", True) for s in sh["stops"])}


def route_svg(team: dict[str, Any], sh: dict[str, Any]) -> str:
    """The route as an SVG line (along the roads where the plan has a track) with numbered
    stops and the start; lon/lat scaled by cos(latitude) so the shape is true."""
    start = tuple(team["start"])
    stops = [(s["lon"], s["lat"]) for s in sh["stops"]]
    track = [tuple(p) for p in sh.get("track") or [start, *stops, start]]
    lons, lats = zip(*[*track, *stops, start], strict=True)
    k = math.cos(math.radians(sum(lats) / len(lats)))
    scale = min((MAP_W - 2 * PAD) / max((max(lons) - min(lons)) * k, 1e-6),
                (MAP_H - 2 * PAD) / max(max(lats) - min(lats), 1e-6))

    def xy(p: tuple[float, ...]) -> tuple[float, float]:
        return (PAD + (p[0] - min(lons)) * k * scale, MAP_H - PAD - (p[1] - min(lats)) * scale)

    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(xy, track))
    marks = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="#fff" stroke="#c00"/>'
        f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="10">{n}</text>'
        for n, (x, y) in enumerate(map(xy, stops), 1))
    sx, sy = xy(start)
    return (f'<svg viewBox="0 0 {MAP_W:.0f} {MAP_H:.0f}" role="img" '
            f'aria-label="路线图 route map"><polyline points="{line}" fill="none" '
            f'stroke="#1f5fbf" stroke-width="2.5"/>{marks}'
            f'<rect x="{sx - 6:.1f}" y="{sy - 6:.1f}" width="12" height="12" fill="#1f5fbf"/>'
            f'<text x="{sx + 9:.1f}" y="{sy + 4:.1f}" font-size="11">出发 start</text></svg>')
