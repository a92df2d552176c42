"""The words of the field outputs (sheet, GPX, CSV): Chinese first, English beside."""

from __future__ import annotations

from typing import Any

KINDS = {"river": "河流", "pond": "池塘", "stream": "溪沟", "ditch": "水沟", "canal": "水渠",
         "reservoir": "水库", "dam": "坝", "swimming_spot": "野泳点",
         "road_no_barrier": "无护栏路段", "road_crossing": "路口", "road_sharp_bend": "急弯",
         "road_play_area": "儿童玩耍路段", "cliff": "悬崖", "steep_slope": "陡坡"}
CHECKS = {"barrier": "护栏 barrier", "warning_sign": "警示牌 sign",
          "rescue_equipment": "救生设备 rescue gear"}


def kind_label(kind: str) -> str:
    """``池塘 pond``; an unknown kind as it is."""
    return f"{KINDS[kind]} {kind}" if kind in KINDS else kind


def stop_title(stop: dict[str, Any]) -> str:
    """What a team calls the place: its name, else its kind and village."""
    return stop.get("name") or f"{KINDS.get(stop.get('kind', ''), '巡查点')}" \
        f"（{stop.get('village_code') or '—'}）"


def what_to_check(stop: dict[str, Any]) -> str:
    """The protections to look at (missing or damaged); always whether children are there."""
    lacking = [CHECKS.get(p, p) for p in stop.get("lacking", [])]
    merged = len(stop.get("merged", []))
    extra = [f"同一水体另 {merged} 处 {merged} more spots here"] if merged else []
    return "；".join(["有无儿童 children nearby", *lacking, *extra])
