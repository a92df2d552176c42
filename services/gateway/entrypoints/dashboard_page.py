"""The dashboard page: the map (``dashboard_map``, in an iframe), ranked tables, bar
charts drawn in CSS, links to the phone map and CSV. No script of its own."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from services.gateway.entrypoints.dashboard_map import legend
from shared.clock import township_zone

_ENV = Environment(autoescape=select_autoescape(default=True))
_ENV.filters["local"] = lambda at: at.astimezone(township_zone()).strftime("%Y-%m-%d %H:%M")
_PAGE = _ENV.from_string("""<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>防溺水行动 Campaign dashboard</title>
<style>
body { font: 14px/1.4 system-ui, "Noto Sans CJK SC", sans-serif; margin: 1em; max-width: 60em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1.5em; }
th, td { border-bottom: 1px solid #ccc; padding: 3px 6px; text-align: left; }
.bar { background: #1f78b4; height: 1em; display: inline-block; vertical-align: middle; }
.bar.warn { background: #e31a1c; }
.alarm { border: 2px solid #e31a1c; padding: 0 .8em; margin: 1em 0; }
iframe.map { width: 100%; height: 32em; border: 1px solid #ccc; }
.legend span { display: inline-block; width: .9em; height: .9em; vertical-align: middle; }
.legend { margin: .2em 0 1.5em; }
</style></head><body>
<h1>防溺水行动 Campaign dashboard</h1>
<p><a href="/map">地图 Map</a> · CSV:
{% for t in tables %}<a href="/dashboard/{{ t }}.csv">{{ t }}</a> {% endfor %} ·
{% if lang == "en" %}<a href="?lang=zh">中文</a>{% else %}<a href="?lang=en">English</a>
{% endif %}</p>
{% if f.directory_gaps %}<section class="alarm" role="alert">
<h2>通讯录缺口 Directory gaps</h2>
<p>以下紧急消息所在村无人负责，已改发镇未保站。请补全通讯录。
Urgent messages found nobody for their village and went to the station: fill the directory.</p>
<table><tr><th>村 Village</th><th>规则 Rule</th><th>改发人数 Sent to station</th>
<th>时间 When</th></tr>
{% for g in f.directory_gaps %}<tr><td>{{ g.village_code or "—" }}</td><td>{{ g.rule }}</td>
<td>{{ g.recipients }}</td><td>{{ g.raised_at | local }}</td></tr>{% endfor %}</table>
</section>{% endif %}
<h2>{{ "Campaign map" if lang == "en" else "行动地图" }}</h2>
<iframe class="map" id="dashboard-map" title="{{ "Campaign map" if lang == "en" else "行动地图" }}"
 srcdoc="{{ map_srcdoc }}"></iframe>
<p class="legend">{% for colour, meaning in legend %}<span style="background:{{ colour }}"></span>
{{ meaning }} &nbsp; {% endfor %}</p>
{% set c = f.coverage[0] %}
<h2>巡查覆盖 Patrol coverage (7 days)</h2>
<p>{{ c.checked_7d }} / {{ c.points }} points checked · {{ c.checkins_7d }} check-ins ·
{{ (c.walked_7d_m / 1000) | round(1) }} km walked · high-exposure points checked:
{{ c.high_exposure_checked_7d }} / {{ c.high_exposure_points }}</p>
<h2>危险点暴露度 Hazards by exposure</h2>
<table><tr><th>Hazard</th><th>Kind</th><th>Children</th><th>Exposure</th><th>Lacking</th></tr>
{% for h in f.hazards[:50] %}<tr><td>{{ h.name or h.hazard_id }}</td><td>{{ h.kind }}</td>
<td>{{ h.children }}</td><td><span class="bar" style="width:{{ (h.exposure / top * 8) | round(2)
}}em"></span> {{ h.exposure }}</td><td>{{ h.lacking }}</td></tr>{% endfor %}</table>
<h2>先修哪里 What to fix first (missing or damaged protections)</h2>
<table><tr><th>Protection</th><th>Hazard</th><th>State</th><th>Exposure</th></tr>
{% for p in f.protections[:50] %}<tr><td>{{ p.protection }}</td><td>{{ p.name or p.hazard_id }}</td>
<td>{{ p.state }}</td><td><span class="bar warn" style="width:{{ (p.exposure / top * 8) |
round(2) }}em"></span> {{ p.exposure }}</td></tr>{% endfor %}</table>
<h2>发现情况 Findings by week</h2>
<table><tr><th>Week</th><th>Kind</th><th>Findings</th></tr>
{% for r in f.findings %}<tr><td>{{ r.week }}</td><td>{{ r.kind }}</td><td><span class="bar"
style="width:{{ r.findings }}em"></span> {{ r.findings }}</td></tr>{% endfor %}</table>
<h2>逾期走访 Overdue home visits by village</h2>
<table><tr><th>Village</th><th>Overdue</th></tr>
{% for r in f.overdue %}<tr><td>{{ r.village_code }}</td><td>{{ r.overdue_visits }}</td></tr>
{% endfor %}</table>
</body></html>""")


def render_dashboard(figures: dict[str, Any], map_srcdoc: Markup, lang: str) -> str:
    top = max([h["exposure"] for h in figures["hazards"]] + [1.0])
    return _PAGE.render(f=figures, top=top, tables=list(figures), map_srcdoc=map_srcdoc,
                        lang=lang, legend=legend(lang))
