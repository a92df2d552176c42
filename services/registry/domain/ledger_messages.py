"""What the ledger report says about a cell or row, in Chinese first (English on request).

Every problem has a code, an outcome (``refuse``: the row is not stored; ``flag``: stored,
the clerk should check) and a message per language with ``{}`` parameters.
"""

from __future__ import annotations

from typing import Any

REFUSE, FLAG = "refuse", "flag"
MESSAGES: dict[str, tuple[str, str, str]] = {  # code → (outcome, zh, en)
    "required_empty": (REFUSE, "必填，不能为空", "required, the cell is empty"),
    "bad_date": (REFUSE, "「{value}」不是日期（可写 2015-03-05、2015.3.5 或 2015年3月5日）",
                 "'{value}' is not a date (write 2015-03-05, 2015.3.5 or 2015年3月5日)"),
    "impossible_date": (REFUSE, "「{value}」这一天不存在", "'{value}' is not a real day"),
    "future_birth": (REFUSE, "出生日期在今天之后", "the birth date lies in the future"),
    "too_old": (REFUSE, "已满18周岁，不在未成年人台账内",
                "18 or older: the registry keeps children under 18"),
    "bad_gender": (REFUSE, "「{value}」应写“男”或“女”", "'{value}': write 男 or 女"),
    "village_unknown": (REFUSE, "本镇（{township}）没有「{value}」{near}",
                        "'{value}' is not a village of {township}{near}"),
    "village_ambiguous": (REFUSE, "「{value}」可能是{candidates}，请写全名或填村代码",
                          "'{value}' could be {candidates}: write the full name or 村代码"),
    "bad_village_code": (REFUSE, "「{value}」不是12位村代码", "'{value}' is not a 12-digit code"),
    "village_outside": (REFUSE, "不在您负责的村（社区）内，不能登记",
                        "outside the villages you may register children in"),
    "id_shape": (REFUSE, "身份证号应为17位数字加1位数字或X",
                 "must be 17 digits followed by a digit or X"),
    "id_check": (REFUSE, "身份证号校验位不对（GB 11643），请核对是否抄错",
                 "the check digit does not match (GB 11643-1999): a typing error?"),
    "id_date": (REFUSE, "身份证号里的出生日期不存在", "holds an impossible birth date"),
    "id_birth": (REFUSE, "身份证号显示出生于{born}，与出生日期{recorded}不一致",
                 "says born {born}, the row says {recorded}"),
    "id_gender": (REFUSE, "身份证号显示性别为{id_gender}，与性别一栏不一致",
                  "belongs to a {id_gender} person, the row says otherwise"),
    "id_number_float": (REFUSE, "身份证号被 Excel 存成了数字，末几位已丢失："
                                "请把该列设为“文本”后重新填写",
                        "Excel stored the ID number as a number and lost its last digits: "
                        "format the column as text and type it again"),
    "bad_coordinates": (REFUSE, "「{value}」不是十进制经纬度（例如 106.651）",
                        "'{value}' is not decimal degrees (e.g. 106.651)"),
    "bad_datum": (REFUSE, "坐标系「{value}」不认识：写 WGS84，或 GCJ-02（高德、腾讯地图）",
                  "unknown datum '{value}': write WGS84, or GCJ-02 (AMap, Tencent maps)"),
    "home_swapped": (REFUSE, "经纬度好像填反了（{lon}, {lat}）：经度约 106、纬度约 29",
                     "longitude and latitude look swapped ({lon}, {lat})"),
    "home_outside": (REFUSE, "（{lon}, {lat}）不在本镇范围内，请核对经纬度",
                     "({lon}, {lat}) lies outside the township's region"),
    "bad_home": (REFUSE, "住址位置不对：{detail}", "the home location is wrong: {detail}"),
    "duplicate_row": (REFUSE, "与{other}是同一名儿童（身份证号或姓名+出生日期+村相同）",
                      "the same child as {other} (ID number, or name + birth date + village)"),
    "registered_elsewhere": (REFUSE, "这名儿童已在您负责范围以外的村登记，请联系镇工作站",
                             "already registered in a village outside your scope; ask the "
                             "township station"),
    "invalid": (REFUSE, "数据不符合登记要求：{detail}", "not accepted by the registry: {detail}"),
    "phone_invalid": (FLAG, "「{value}」不是电话号码，未保存，请核对",
                      "'{value}' is not a phone number; not stored, please check"),
    "unknown_category": (FLAG, "「{value}」不是已知的困境类型，未保存",
                         "'{value}' is not a known category; not stored"),
    "parents_unclear": (FLAG, "看不懂「{value}」，未据此判断是否留守，"
                              "请写如“父母均外出”“父亲外出，母亲在家”",
                        "could not read '{value}'; left-behind not decided from it "
                        "(write e.g. 父母均外出, 父亲外出，母亲在家)"),
    "left_behind_confirm": (FLAG,
                            "{away}外出、{home}在家：按规定不算留守儿童，请核实{home}能否监护",
                            "{away} away, {home} at home: not left-behind by rule 1; "
                            "check that the {home} can act as guardian"),
    "over_16": (FLAG, "已满16周岁：按规定不算留守儿童", "16 or older: not left-behind by rule 1"),
    "bad_number": (FLAG, "「{value}」不是数字，未保存", "'{value}' is not a number; not stored"),
    "no_home": (FLAG, "没有坐标：离水距离未知，请补充家庭位置",
                "no coordinates: the distance to water is unknown; add the home"),
}
WORDS = {  # parameters that are words, not values
    "father": ("父亲", "father"), "mother": ("母亲", "mother"),
    "male": ("男", "male"), "female": ("女", "female"),
}


def outcome_of(code: str) -> str:
    return MESSAGES[code][0]


def message(code: str, params: dict[str, Any], lang: str = "zh") -> str:
    """The message for ``code`` in ``lang`` ('zh' or 'en'), parameters filled in."""
    _, zh, en = MESSAGES[code]
    index = 1 if lang == "en" else 0
    words = {k: WORDS[v][index] if isinstance(v, str) and v in WORDS else v
             for k, v in params.items()}
    if isinstance(words.get("candidates"), list):
        words["candidates"] = ("、" if index == 0 else ", ").join(words["candidates"])
    near = params.get("near")
    if code == "village_unknown":
        words["near"] = (("（相近：" + "、".join(near) + "）") if index == 0
                         else " (near: " + ", ".join(near) + ")") if near else ""
    return (en if lang == "en" else zh).format(**words)
