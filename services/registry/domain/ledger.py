"""A station's existing ledger (台账), row by row: Chinese headers to registry facts.

Parsing is pure: a row is a mapping from header to cell (text, number or date) and
comes out either as the facts of a child or as a list of (header, reason) errors.
The file formats themselves (XLSX, CSV in UTF-8 or GBK) are read in the adapters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

REQUIRED = ("姓名", "性别", "出生日期", "所在村")
OPTIONAL = ("身份证号", "监护人", "与儿童关系", "家庭住址", "联系电话", "就读学校", "困境类型",
            "经度", "纬度", "村代码", "父母外出", "监护人年龄")
HEADERS = REQUIRED + OPTIONAL
GENDERS = {"男": "male", "女": "female", "male": "male", "female": "female"}
CATEGORY_NAMES = {
    "留守儿童": "left_behind", "留守": "left_behind", "孤儿": "orphan",
    "事实无人抚养儿童": "de_facto_unsupported", "事实无人抚养": "de_facto_unsupported",
    "监护缺失": "guardianship_missing", "受侵害": "victimised", "无户籍": "unregistered",
    "辍学或不在校": "out_of_school", "辍学": "out_of_school", "不在校": "out_of_school",
    "患重病": "seriously_ill", "重病": "seriously_ill", "残疾": "disabled",
    "残疾儿童": "disabled", "困境儿童": "",
}
NO_GUARDIAN = frozenset({"无", "独居", "无人监护"})
YES_NO = {"是": True, "否": False, "": None}
_DATE = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$")
_SPLIT = re.compile(r"[、,，;；/\s]+")


@dataclass
class LedgerRow:
    """One parsed row: the facts for RegisterChild, or the reasons it cannot be."""

    number: int
    facts: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)


def missing_headers(headers: list[str]) -> list[str]:
    return [h for h in REQUIRED if h not in headers]


def extra_headers(headers: list[str]) -> list[str]:
    return [h for h in headers if h and h not in HEADERS]


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


def parse_date(cell: Any) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    m = _DATE.match(_text(cell))
    if not m:
        raise ValueError("not a date (use YYYY-MM-DD)")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise ValueError("impossible date") from exc


def parse_categories(cell: Any) -> list[str]:
    out = []
    for part in _SPLIT.split(_text(cell)):
        if part in ("", "无", "否"):
            continue
        if part not in CATEGORY_NAMES:
            raise ValueError(f"unknown category {part!r}")
        if CATEGORY_NAMES[part]:
            out.append(CATEGORY_NAMES[part])
    return out


def parse_row(number: int, cells: dict[str, Any], villages: dict[str, str]) -> LedgerRow:
    """Turn one ledger row into RegisterChild facts (WGS 84 home), collecting every error."""
    row = LedgerRow(number)
    get = {h: _text(cells.get(h)) for h in HEADERS}
    for h in REQUIRED:
        if not get[h]:
            row.errors.append((h, "required cell is empty"))
    _field(row, "出生日期", "birth_date", lambda: parse_date(cells.get("出生日期")))
    _field(row, "性别", "gender", lambda: GENDERS[get["性别"]])
    _field(row, "困境类型", "categories", lambda: parse_categories(get["困境类型"]))
    _field(row, "村代码", "village_code", lambda: _village(get, villages))
    _field(row, "经度", "home", lambda: _home(get))
    _field(row, "父母外出", "parents", lambda: _parents(get["父母外出"]))
    _field(row, "监护人年龄", "guardian_age",
           lambda: int(get["监护人年龄"]) if get["监护人年龄"] else None)
    row.facts.update(name=get["姓名"], id_number=get["身份证号"] or None,
                     village_name=get["所在村"], address=get["家庭住址"],
                     school=get["就读学校"], phone=None)
    guardian = get["监护人"]
    if guardian in NO_GUARDIAN:
        row.facts["living_alone"] = True
    elif guardian:
        row.facts["guardians"] = [{
            "name": guardian, "relation": get["与儿童关系"] or "监护人",
            "age": row.facts.get("guardian_age"), "phone": get["联系电话"] or None}]
    row.facts.pop("guardian_age", None)
    return row


def _field(row: LedgerRow, header: str, key: str, parse: Any) -> None:
    try:
        value = parse()
    except (ValueError, KeyError) as exc:
        reason = _reason(exc)
        if reason:  # an empty required cell is reported once, as empty
            row.errors.append((header, reason))
        return
    if value is not None:
        row.facts[key] = value


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):  # the gender lookup
        return f"not one of {sorted(GENDERS)}" if exc.args[0] else ""
    return str(exc)


def _village(get: dict[str, str], villages: dict[str, str]) -> str:
    code = get["村代码"]
    if code:
        if not re.fullmatch(r"\d{12}", code):
            raise ValueError("must be a 12-digit village code")
        return code
    if get["所在村"] and get["所在村"] not in villages:
        raise ValueError(f"unknown village {get['所在村']!r}: add 村代码 or configure it")
    if not get["所在村"]:
        raise ValueError("")  # already reported as an empty required cell
    return villages[get["所在村"]]


def _home(get: dict[str, str]) -> dict[str, Any]:
    if not get["经度"] or not get["纬度"]:
        raise ValueError("经度 and 纬度 (WGS 84 home location) are required")
    try:
        return {"lon": float(get["经度"]), "lat": float(get["纬度"]), "datum": "wgs84"}
    except ValueError as exc:
        raise ValueError("经度/纬度 must be decimal degrees") from exc


def _parents(cell: str) -> dict[str, str] | None:
    if cell not in YES_NO:
        raise ValueError("use 是 or 否")
    away = YES_NO[cell]
    if away is None:
        return None
    state = "away" if away else "home"
    return {"father": state, "mother": state}
