"""Server-drawn bar charts: every value and label in the drawing, text escaped, bars
scaled to the largest value, an empty chart still a drawing."""

from __future__ import annotations

import re

from services.gateway.planning.entrypoints.dashboard_charts import render_charts
from services.gateway.planning.entrypoints.svg_charts import HEIGHT, bar_chart


def test_bars_scale_to_the_largest_value_and_carry_their_labels():
    svg = str(bar_chart([{"label": "崇恩村", "open": 4, "overdue": 2},
                         {"label": "<b>", "open": 0, "overdue": 0}],
                        [("open", "未完成", "#f00"), ("overdue", "已逾期", "#00f")], "整改"))
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" fill="[^"]+"><title>', svg)]
    assert heights[:2] == [max(heights), max(heights) / 2]
    assert "崇恩村" in svg and "&lt;b&gt;" in svg and "<b>" not in svg
    assert "未完成" in svg and 'role="img"' in svg and 'viewBox="0 0 ' in svg
    assert f' {HEIGHT}"' in svg


def test_the_four_dashboard_charts_speak_chinese():
    series = {"end": "2026-08-31", "checkins": [{"label": "08-31", "checkins": 3, "planned": 5}],
              "coverage": [{"label": "2026-W35", "covered_pct": 60}],
              "fix_tasks": [], "at_water": [{"label": "2026-W35", "findings": 1}]}
    captions = [title for title, _ in render_charts(series, "zh")]
    assert captions == ["每日签到与计划（截至 2026-08-31）", "高暴露巡查点每周覆盖率",
                        "各村整改任务", "每周发现儿童在水边"]
    assert all("<svg" in str(svg) for _, svg in render_charts(series, "zh"))
