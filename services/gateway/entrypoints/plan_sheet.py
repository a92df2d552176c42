"""The printable patrol sheet of one team: one table per shift, print stylesheet."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

_ENV = Environment(autoescape=select_autoescape(default=True))
SHEET_CSS = Markup("""
body { font: 14px/1.4 system-ui, "Noto Sans CJK SC", sans-serif; margin: 1em; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1em; }
th, td { border: 1px solid #444; padding: 4px 6px; text-align: left; }
td.sign { width: 7em; }
@media print { @page { size: A4; margin: 12mm; } section { page-break-inside: avoid; }
  a { display: none; } }
""")  # allowed by its hash (plans_api), never by 'unsafe-inline'

_SHEET = _ENV.from_string("""<!doctype html>
<html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>巡查表 Patrol sheet · {{ team.team_id }}</title>
<style>{{ css }}</style></head><body>
<h1>巡查表 Patrol sheet — {{ team.team_id }}</h1>
<p>计划 Plan {{ plan_id }} · {{ starts_on }} – {{ ends_on }} ·
队员 Members: {{ team.members | join(", ") }} ·
{% if metric == "road_network" %}距离按道路 distances by road{% else %}距离按直线×绕行系数
distances straight line × detour factor{% endif %}</p>
{% for sh in team.shifts %}<section>
<h2>{{ sh.day }} {{ sh.start }}–{{ sh.end }} · {{ (sh.distance_m / 1000) | round(1) }} km ·
{{ sh.duration_min | round | int }} min</h2>
<table><thead><tr><th>#</th><th>巡查点 Point</th><th>危险点 Hazard</th>
<th>预计 ETA (min)</th><th>签字 Signature</th></tr></thead><tbody>
{% for s in sh.stops %}<tr><td>{{ loop.index }}</td><td>{{ s.point_id }}</td>
<td>{{ s.hazard_id }}</td><td>{{ s.arrive_min | round | int }}</td><td class="sign"></td></tr>
{% endfor %}</tbody></table></section>{% endfor %}
</body></html>""")


def render_sheet(plan: dict[str, Any], team: dict[str, Any]) -> str:
    return _SHEET.render(css=SHEET_CSS, plan_id=plan["plan_id"], starts_on=plan["starts_on"],
                         ends_on=plan["ends_on"], team=team,
                         metric=plan.get("metric", "straight_line"))
