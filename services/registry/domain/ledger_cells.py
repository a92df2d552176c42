"""Cells as clerks type them: full-width digits, stray spaces, dates in three styles,
phones with +86 and dashes, categories in one cell, parents' situation in words.

Each reader takes one cell and returns a value or raises CellProblem with a code from
``ledger_messages``; nothing here knows about rows or files.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's leap-year bug included)
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SPLIT = re.compile(r"[、,，/;；\s]+")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")  # area code 0xx / 0xxx and 7–8 digits
CATEGORY_NAMES = {
    "留守儿童": "left_behind", "留守": "left_behind", "孤儿": "orphan",
    "事实无人抚养儿童": "de_facto_unsupported", "事实无人抚养": "de_facto_unsupported",
    "监护缺失": "guardianship_missing", "监护缺失儿童": "guardianship_missing",
    "受侵害": "victimised", "受侵害儿童": "victimised", "无户籍": "unregistered",
    "辍学或不在校": "out_of_school", "辍学": "out_of_school", "不在校": "out_of_school",
    "患重病": "seriously_ill", "重病": "seriously_ill", "重病儿童": "seriously_ill",
    "残疾": "disabled", "残疾儿童": "disabled", "困境儿童": "", "困境": "", "无": "",
    "否": "",
}
GENDERS = {"男": "male", "女": "female", "男性": "male", "女性": "female", "男孩": "male",
           "女孩": "female", "male": "male", "female": "female", "m": "male", "f": "female"}
DATUMS = {"wgs84": "wgs84", "gps": "wgs84", "天地图": "wgs84", "cgcs2000": "wgs84",
          "gcj02": "gcj02", "gcj-02": "gcj02", "高德": "gcj02", "腾讯": "gcj02",
          "微信": "gcj02", "火星坐标": "gcj02"}
NO_GUARDIAN = frozenset({"无", "独居", "无人监护", "本人", "自己"})

# The parents' situation: who is meant, and what state the words put them in.
_BOTH = ("父母均", "父母都", "父母双方", "父母双", "双亲", "父母")
_FATHER = ("父亲", "爸爸", "父")
_MOTHER = ("母亲", "妈妈", "母")
_STATES = (  # first match wins: incapacity words before "在家" ("残疾在家" is incapable)
    ("deceased", ("去世", "死亡", "已故", "病故", "过世", "亡")),
    ("incapable", ("残疾", "重病", "患病", "服刑", "羁押", "智力", "精神", "失能", "瘫痪",
                   "无监护能力", "失联", "下落不明", "离家出走")),
    ("away", ("外出", "务工", "打工", "在外", "外地")),
    ("home", ("在家", "在本地", "本地", "在村")),
)
_WHOLE = {"是": ("away", "away"), "否": ("home", "home"), "双留守": ("away", "away")}


class CellProblem(ValueError):
    """Why a cell cannot be read: a message code and its parameters."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code, self.params = code, params


def text(cell: Any) -> str:
    """The cell as clean text: NFKC (full-width → half-width), no stray or full-width
    spaces at either end, runs of inner spaces as one."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    value = str(cell)
    if not unicodedata.is_normalized("NFKC", value):
        value = unicodedata.normalize("NFKC", value)
    return " ".join(value.split())


def compact(cell: Any) -> str:
    """The cell without any space: names, ID numbers and codes ('张 三' → '张三')."""
    return text(cell).replace(" ", "")


def birth_date(cell: Any) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and 1 <= cell < 100000:  # an Excel serial number
        return EXCEL_EPOCH + timedelta(days=int(cell))
    value = compact(cell)
    m = _DATE.match(value) or _COMPACT_DATE.match(value)
    if not m:
        raise CellProblem("bad_date", value=value)
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise CellProblem("impossible_date", value=value) from exc


def gender(cell: Any) -> str:
    value = compact(cell).lower()
    if value not in GENDERS:
        raise CellProblem("bad_gender", value=value)
    return GENDERS[value]


def id_number(cell: Any) -> str:
    """Full-width digits and a small x made right; a number Excel stored as a float
    has lost its last digits, which no check can recover."""
    if isinstance(cell, float) or (isinstance(cell, int) and not 10**17 <= cell < 10**18):
        raise CellProblem("id_number_float")
    return compact(cell).upper()


def phone(cell: Any) -> str | None:
    """A mobile (11 digits) or landline with area code, digits only; None when empty."""
    raw = text(cell)
    if not raw:
        return None
    digits = re.sub(r"[\s\-–—()（）.]", "", raw)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 10:
            digits = digits[len(prefix):]
            break
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return digits
    raise CellProblem("phone_invalid", value=raw)


def categories(cell: Any) -> tuple[list[str], list[str]]:
    """Categories named in the cell (split on 、，,/ and spaces), and the words unknown."""
    known: list[str] = []
    unknown: list[str] = []
    for part in _SPLIT.split(text(cell)):
        if not part:
            continue
        if part not in CATEGORY_NAMES:
            unknown.append(part)
        elif CATEGORY_NAMES[part] and CATEGORY_NAMES[part] not in known:
            known.append(CATEGORY_NAMES[part])
    return known, unknown


def parents(cell: Any) -> dict[str, str] | None:
    """Father's and mother's state from words like 父母均外出, 父亲外出, 母亲外出，父亲残疾.

    A parent the cell does not mention is taken to be at home: ledgers name who is
    away. None for an empty cell; CellProblem when no parent or state is recognised.
    """
    value = compact(cell)
    if not value:
        return None
    if value in _WHOLE:
        father, mother = _WHOLE[value]
        return {"father": father, "mother": mother}
    found: dict[str, str] = {}
    for part in _SPLIT.split(value):
        who, rest = _who(part)
        state = _state(rest)
        if who is None or state is None:
            raise CellProblem("parents_unclear", value=value)
        found.update({w: state for w in who})
    return {"father": found.get("father", "home"), "mother": found.get("mother", "home")}


def _who(part: str) -> tuple[tuple[str, ...] | None, str]:
    for words, who in ((_BOTH, ("father", "mother")), (_FATHER, ("father",)),
                       (_MOTHER, ("mother",))):
        for word in words:
            if part.startswith(word):
                return who, part[len(word):]
    return None, part


def _state(words: str) -> str | None:
    for state, keys in _STATES:
        if any(k in words for k in keys):
            return state
    return None


def datum(cell: Any, default: str) -> str:
    value = compact(cell).lower()
    if not value:
        return default
    if value not in DATUMS:
        raise CellProblem("bad_datum", value=value)
    return DATUMS[value]


def decimal_degrees(cell: Any) -> float:
    if isinstance(cell, int | float):
        return float(cell)
    value = compact(cell).rstrip("°")
    try:
        return float(value)
    except ValueError as exc:
        raise CellProblem("bad_coordinates", value=value) from exc


def whole_number(cell: Any) -> int | None:
    value = compact(cell).removesuffix("岁")
    if not value:
        return None
    if not value.isdigit():
        raise CellProblem("bad_number", value=value)
    return int(value)
