"""The dashboard page: the map (``dashboard_map``, in an iframe), ranked tables, bars
drawn in SVG, links to the phone map and CSV. No script and no inline style of its own
(the gateway's static/dashboard.css): its CSP needs no 'unsafe-inline'."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from services.gateway.entrypoints.map_page import STATIC
from services.gateway.entrypoints.phone_labels import LABELS
from services.gateway.planning.entrypoints.campaign_labels import (
    FINDINGS,
    KINDS,
    PROTECTIONS,
    STATES,
    exposure_note,
    label,
    lang_of,
)
from services.gateway.planning.entrypoints.dashboard_map import legend
from services.gateway.read_model.domain.read_model import PROTECTIONS as PROTECTION_ORDER
from shared.clock import township_zone


@dataclass(frozen=True)
class Assign:
    csrf: str  # the form's token (the shouhu_csrf cookie's value)
    due_on: str  # the date the form offers, YYYY-MM-DD


# a new file, a new address
CSS_VERSION = hashlib.sha256((STATIC / "dashboard.css").read_bytes()).hexdigest()[:10]
FIX_ROWS = 100  # rows of what-to-fix on the page; every row is in the CSV
WORDS = {
    "zh": {"hazard": "危险点", "kind": "类型", "village": "村", "children": "儿童数",
           "exposure": "暴露度", "lacking": "缺少", "protection": "防护", "state": "状况",
           "week": "周", "finding": "发现", "findings": "次数", "overdue": "逾期走访",
           "task": "整改", "open_tasks": "未完成", "overdue_tasks": "已逾期",
           "no_tasks": "暂无整改任务。",
           "fix_intro": "按暴露度排序，所有缺失或损坏的防护（不分类型）：",
           "fix_shown": "下表列出前 {shown} 项，共 {total} 项；全部见 CSV。",
           "coverage": "7 天内巡查 {checked} / {points} 个巡查点 · 签到 {checkins} 次 · "
                       "步行 {km} 公里 · 高暴露巡查点已巡查 {high_checked} / {high}"},
    "en": {"hazard": "Hazard", "kind": "Kind", "village": "Village", "children": "Children",
           "exposure": "Exposure", "lacking": "Lacking", "protection": "Protection",
           "state": "State", "week": "Week", "finding": "Finding", "findings": "Findings",
           "overdue": "Overdue", "task": "Fix task", "open_tasks": "Open",
           "overdue_tasks": "Overdue", "no_tasks": "No fix tasks yet.",
           "fix_intro": "Every missing or damaged protection, of every "
           "kind, by exposure:",
           "fix_shown": "The table shows the first {shown} of {total}; all are in the CSV.",
           "coverage": "{checked} / {points} points checked in 7 days · {checkins} check-ins · "
                       "{km} km walked · high-exposure points checked: {high_checked} / {high}"},
}

_ENV = Environment(autoescape=select_autoescape(default=True))
_ENV.filters["local"] = lambda at: at.astimezone(township_zone()).strftime("%Y-%m-%d %H:%M")
_PAGE = _ENV.from_string("""<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>防溺水行动 Campaign dashboard</title>
<link rel="stylesheet" href="{{ static }}/dashboard.css?v={{ css_version }}">
</head><body>
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
<p class="legend">{% for colour, meaning in legend %}<svg viewBox="0 0 1 1" aria-hidden="true">
<rect width="1" height="1" fill="{{ colour }}"/></svg>
{{ meaning }} &nbsp; {% endfor %}</p>
{% set c = f.coverage[0] %}
<h2>巡查覆盖 Patrol coverage (7 days)</h2>
<p>{{ w.coverage.format(checked=c.checked_7d, points=c.points, checkins=c.checkins_7d,
km=(c.walked_7d_m / 1000) | round(1), high_checked=c.high_exposure_checked_7d,
high=c.high_exposure_points) }}</p>
<h2>危险点暴露度 Hazards by exposure</h2>
<p class="note" id="exposure-note">{{ exposure_note }}</p>
<table><tr><th>{{ w.hazard }}</th><th>{{ w.kind }}</th><th>{{ w.village }}</th>
<th>{{ w.children }}</th><th>{{ w.exposure }}</th><th>{{ w.lacking }}</th></tr>
{% for h in f.hazards[:50] %}<tr><td>{{ h.name or h.hazard_id }}</td><td>{{ kind(h.kind) }}</td>
<td>{{ h.village_name }}</td><td>{{ h.children }}</td><td>{{ bar(h.exposure / top * 8) }}
{{ h.exposure }}</td>
<td>{% for x in h.lacking.split() %}{{ protection(x) }}{{ "、" if not loop.last }}{% endfor
%}</td></tr>{% endfor %}</table>
<h2 id="what-to-fix">先修哪里 What to fix first</h2>
<p>{{ w.fix_intro }} {% for p, n in fix_counts %}{{ protection(p) }} {{ n }}{{ "、" if not loop.last
}}{% endfor %}{% if f.protections | length > FIX_ROWS %}。{{ w.fix_shown.format(shown=FIX_ROWS,
total=f.protections | length) }}{% endif %}</p>
<table id="fix-table"><tr><th>#</th><th>{{ w.protection }}</th><th>{{ w.state }}</th>
<th>{{ w.hazard }}</th><th>{{ w.kind }}</th><th>{{ w.village }}</th><th>{{ w.exposure }}</th>
<th>{{ w.task }}</th></tr>
{% for p in f.protections[:FIX_ROWS] %}<tr><td>{{ loop.index }}</td>
<td>{{ protection(p.protection) }}</td>
<td>{{ state(p.state) }}</td><td>{{ p.name or p.hazard_id }}</td><td>{{ kind(p.kind) }}</td>
<td>{{ p.village_name }}</td><td>{{ bar(p.exposure / top * 8, "warn") }} {{ p.exposure }}</td>
<td>{% if p.task_id %}<a href="/fix-tasks/{{
p.task_id }}?lang={{ lang }}">{{ fix.statuses[p.task_status] }} · {{ p.task_due }}</a>
{% elif can_assign %}<form method="post" class="assign" action="/fix-tasks/new?lang={{ lang }}">
<input type="hidden" name="csrf_token" value="{{ csrf }}"><input type="hidden" name="hazard_id"
value="{{ p.hazard_id }}"><input type="hidden" name="protection" value="{{ p.protection }}">
<input type="date" name="due_on" value="{{ due }}" aria-label="{{ fix.due }}">
<button>{{ fix.assign }}</button></form>{% endif %}</td></tr>{% endfor %}</table>
<h2 id="charts">图表 Charts</h2>
<div class="charts">{% for title, svg in charts %}<figure><figcaption>{{ title }}</figcaption>
{{ svg }}</figure>{% endfor %}</div>
<h2>整改任务 Fix tasks by village</h2>
<table><tr><th>{{ w.village }}</th><th>{{ w.open_tasks }}</th><th>{{ w.overdue_tasks }}</th></tr>
{% for r in f.fix_tasks %}<tr><td>{{ r.village_name }}</td><td>{{ r.open }}</td>
<td>{{ r.overdue }}</td></tr>{% else %}<tr><td colspan="3">{{ w.no_tasks }}</td></tr>{% endfor %}
</table>
<h2>发现情况 Findings by week</h2>
<table><tr><th>{{ w.week }}</th><th>{{ w.finding }}</th><th>{{ w.findings }}</th></tr>
{% for r in f.findings %}<tr><td>{{ r.week }}</td><td>{{ finding(r.kind) }}</td>
<td>{{ bar(r.findings) }} {{ r.findings }}</td></tr>
{% endfor %}</table>
<h2>逾期走访 Overdue home visits by village</h2>
<table><tr><th>{{ w.village }}</th><th>{{ w.overdue }}</th></tr>
{% for r in f.overdue %}<tr><td>{{ r.village_name }}</td><td>{{ r.overdue_visits }}</td></tr>
{% endfor %}</table>
</body></html>""")


def bar(width_em: float, kind: str = "") -> Markup:
    """A bar ``width_em`` wide, sized by an attribute (a style attribute would need
    'unsafe-inline' in the CSP); its colour comes from dashboard.css."""
    return Markup(f'<svg class="bar {kind}" width="{max(width_em, 0):.2f}em" viewBox="0 0 1 1" '
                  'preserveAspectRatio="none" aria-hidden="true">'
                  '<rect width="1" height="1"/></svg>')


def render_dashboard(figures: dict[str, Any], map_srcdoc: Markup, lang: str,
                     charts: list[tuple[str, Markup]], assign: Assign | None,
                     static_url: str = "/static") -> str:
    """The page in ``lang`` (zh by default): every code shown as a word, villages by name;
    ``assign`` (station staff only) puts a form to assign each gap as a fix task."""
    top = max([h["exposure"] for h in figures["hazards"]] + [1.0])
    fix_counts = Counter(p["protection"] for p in figures["protections"])
    return _PAGE.render(
        charts=charts, bar=bar, static=static_url, css_version=CSS_VERSION,
        can_assign=assign is not None, csrf=assign.csrf if assign else "",
        due=assign.due_on if assign else "", fix=LABELS[lang_of(lang)]["fix"],
        f=figures, top=top, tables=list(figures), map_srcdoc=map_srcdoc, lang=lang,
        legend=legend(lang), w=WORDS[lang_of(lang)], FIX_ROWS=FIX_ROWS,
        fix_counts=[(p, fix_counts[p]) for p in PROTECTION_ORDER if fix_counts[p]],
        exposure_note=exposure_note(lang),
        kind=lambda c: label(KINDS, c, lang), state=lambda c: label(STATES, c, lang),
        protection=lambda c: label(PROTECTIONS, c, lang),
        finding=lambda c: label(FINDINGS, c, lang))
