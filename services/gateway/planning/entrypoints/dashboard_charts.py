"""The dashboard's four charts, in the page's language (series from
``service_layer/campaign_charts``, drawn by ``svg_charts``)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from services.gateway.planning.entrypoints.campaign_labels import lang_of
from services.gateway.planning.entrypoints.svg_charts import bar_chart

BLUE, GREY, RED, ORANGE = "#1f78b4", "#bbbbbb", "#e31a1c", "#fd8d3c"
WORDS = {
    "zh": {"checkins": "每日签到与计划（截至 {end}）", "done": "签到", "planned": "计划",
           "coverage": "高暴露巡查点每周覆盖率", "covered": "已巡查 %",
           "fix_tasks": "各村整改任务", "open": "未完成", "overdue": "已逾期",
           "at_water": "每周发现儿童在水边", "found": "次"},
    "en": {"checkins": "Check-ins per day against the plan (to {end})", "done": "check-ins",
           "planned": "planned", "coverage": "High-exposure points covered per week",
           "covered": "% checked", "fix_tasks": "Fix tasks by village", "open": "open",
           "overdue": "overdue", "at_water": "Children found at the water per week",
           "found": "findings"},
}


def render_charts(series: dict[str, Any], lang: str) -> list[tuple[str, Markup]]:
    """(caption, SVG) of each chart."""
    w = WORDS[lang_of(lang)]
    charts = [
        (w["checkins"].format(end=series["end"]), series["checkins"],
         [("checkins", w["done"], BLUE), ("planned", w["planned"], GREY)], ""),
        (w["coverage"], series["coverage"], [("covered_pct", w["covered"], BLUE)], "%"),
        (w["fix_tasks"], series["fix_tasks"],
         [("open", w["open"], ORANGE), ("overdue", w["overdue"], RED)], ""),
        (w["at_water"], series["at_water"], [("findings", w["found"], RED)], ""),
    ]
    return [(title, bar_chart(rows, bars, title, unit)) for title, rows, bars, unit in charts]
