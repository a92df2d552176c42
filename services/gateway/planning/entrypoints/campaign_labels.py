"""The campaign's words: hazard kinds, protections, their states and finding kinds in
Chinese (the default) and English, and what the exposure number counts.

Codes are the hazards service's (``services/hazards/domain/kinds.py``); a code without a
label is shown as it is, so a new kind never breaks a page."""

from __future__ import annotations

from services.gateway.read_model.domain.overlay import (
    AGE_WEIGHT_TENTHS,
    GRADE_WEIGHT,
    child_weight_tenths,
)

KINDS = {
    "zh": {"river": "河流", "pond": "池塘", "stream": "溪沟", "ditch": "水沟", "canal": "水渠",
           "reservoir": "水库", "dam": "水坝", "swimming_spot": "野泳点",
           "road_no_barrier": "无护栏路段", "road_crossing": "路口", "road_sharp_bend": "急弯",
           "road_play_area": "儿童玩耍路段", "cliff": "悬崖", "steep_slope": "陡坡"},
    "en": {"river": "river", "pond": "pond", "stream": "stream", "ditch": "ditch",
           "canal": "canal", "reservoir": "reservoir", "dam": "dam",
           "swimming_spot": "swimming spot", "road_no_barrier": "road without barrier",
           "road_crossing": "road crossing", "road_sharp_bend": "sharp bend",
           "road_play_area": "road where children play", "cliff": "cliff",
           "steep_slope": "steep slope"},
}
PROTECTIONS = {
    "zh": {"barrier": "护栏", "warning_sign": "警示牌", "rescue_equipment": "救生设备"},
    "en": {"barrier": "barrier", "warning_sign": "warning sign",
           "rescue_equipment": "rescue equipment"},
}
STATES = {
    "zh": {"missing": "缺失", "damaged": "损坏", "present": "完好"},
    "en": {"missing": "missing", "damaged": "damaged", "present": "in place"},
}
FINDINGS = {
    "zh": {"children_at_water": "儿童在水边", "barrier_damaged": "护栏损坏",
           "sign_missing": "警示牌缺失", "rescue_gear_missing": "救生设备缺失",
           "rescue_gear_broken": "救生设备损坏", "camera_alarm": "摄像头告警"},
    "en": {"children_at_water": "children at the water", "barrier_damaged": "barrier damaged",
           "sign_missing": "warning sign missing", "rescue_gear_missing": "rescue gear missing",
           "rescue_gear_broken": "rescue gear broken", "camera_alarm": "camera alarm"},
}
_GRADES = {"zh": {"high": "高", "medium": "中", "low": "低"},
           "en": {"high": "high", "medium": "medium", "low": "low"}}


def exposure_note(lang: str) -> str:
    """What the exposure number counts, from the overlay's own weights (so it stays true)."""
    lang = lang_of(lang)
    grades = "、".join(f"{_GRADES[lang][g]} {w}" for g, w in GRADE_WEIGHT.items())
    ages = "、".join(f"{band}{' 岁 ' if lang == 'zh' else ': '}{t / 10:g}"
                    for band, t in AGE_WEIGHT_TENTHS.items())
    if lang == "zh":
        return (f"暴露度 = 住在该危险点危险区域内的每名儿童的权重之和，权重 = 风险等级"
                f"（{grades}）× 年龄（{ages}）。例如 10 名 6-11 岁的高风险儿童 = "
                f"{10 * child_weight_tenths('high', '6-11') / 10:g}。")
    return (f"Exposure = the sum over the children whose homes lie in the hazard's danger "
            f"zone of risk grade ({grades.replace('、', ', ')}) × age "
            f"({ages.replace('、', ', ')}). For example 10 high-risk children aged 6-11 = "
            f"{10 * child_weight_tenths('high', '6-11') / 10:g}.")


def lang_of(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def label(table: dict[str, dict[str, str]], code: str, lang: str) -> str:
    """``code`` in the page's language, or the code itself when it has no label."""
    return table[lang_of(lang)].get(code, code)
