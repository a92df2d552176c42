"""The ledger import's report: one entry per data row, what was ignored, what changed.

Messages are rendered here in the caller's language (Chinese unless it asked for
English); a row's ``problems`` name the ledger's own header, so the clerk finds the cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.registry.domain.ledger import LedgerRow
from services.registry.domain.ledger_cells import text
from services.registry.domain.ledger_layout import Layout
from services.registry.domain.ledger_messages import MESSAGES, REFUSE, message
from services.registry.domain.model import Child
from shared.privacy import mask_id_number, mask_phone

IGNORED = {  # reason → (zh, en)
    "title": ("标题或说明行，不是儿童", "a title or note row, not a child"),
    "blank": ("空行", "a blank row"),
    "footer": ("落款（填表人、审核人、日期等），不是儿童", "a signature footer, not a child"),
    "header_repeated": ("重复的表头", "the header repeated"),
    "merged": ("合并单元格：值用于所覆盖的每一行", "merged cells: the value counts for every row"),
    "no_header": ("前 20 行里没有找到台账表头（姓名、性别、出生日期、所在村），整张表未读",
                  "no ledger header (姓名, 性别, 出生日期, 所在村) in the first 20 rows; "
                  "sheet not read"),
    "missing_columns": ("缺少必需的列：{columns}，整张表未读",
                        "required columns missing: {columns}; sheet not read"),
}
REFUSING = frozenset(code for code, (outcome, *_) in MESSAGES.items() if outcome == REFUSE)
CHANGE_FIELDS = ("name", "gender", "birth_date", "id_number", "village_code", "address",
                 "school", "categories", "parents", "guardian", "phone", "home")
STATES = {"home": "在家", "away": "外出", "incapable": "无监护能力", "deceased": "去世",
          "unknown": "不详"}
FIELD_HEADERS = {"village_code": "village", "guardian": "guardian", "home": "lon"}
UNWRITTEN = {"lon": "坐标"}  # what a problem names when the ledger has no such column


@dataclass
class RowReport:
    sheet: str
    row: int
    outcome: str
    problems: list[dict[str, str]]
    cells: dict[str, str]  # the row as the ledger wrote it: header → text
    categories: list[str] = field(default_factory=list)
    risk_grade: str | None = None
    match: str = "new"  # new | update | unchanged
    child_id: str | None = None
    changes: list[dict[str, str]] = field(default_factory=list)


@dataclass
class ImportReport:
    dry_run: bool
    all_or_nothing: bool
    stored: bool = False
    message: str = ""
    counts: dict[str, int] = field(default_factory=lambda: {"accept": 0, "flag": 0,
                                                            "refuse": 0})
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: list[RowReport] = field(default_factory=list)
    ignored: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)


def row_report(layout: Layout, number: int, original: tuple[Any, ...], parsed: LedgerRow,
               lang: str) -> RowReport:
    problems = [{"field": layout.headers.get(p.field) or UNWRITTEN.get(p.field, p.field),
                 "code": p.code, "message": message(p.code, p.params, lang)}
                for p in parsed.problems]
    cells = {h: text(c) for h, c in zip(layout.original, original, strict=False) if h}
    return RowReport(layout.sheet, number, parsed.outcome, problems, cells,
                     parsed.facts.get("categories", []))


def add_ignored(report: ImportReport, layout: Layout, lang: str) -> None:
    """The layout's ignored rows and columns, and the sheet itself when it is unreadable."""
    index = 1 if lang == "en" else 0
    if not layout.fields or layout.missing:
        reason = "missing_columns" if layout.fields else "no_header"
        report.ignored.append({"sheet": layout.sheet, "row": layout.header_row or None,
                               "reason": reason, "message": IGNORED[reason][index].format(
                                   columns="、".join(layout.missing))})
        return
    report.ignored += [{"sheet": layout.sheet, "row": n, "reason": reason,
                        "message": IGNORED[reason][index]
                        + (f"：{detail}" if detail and index == 0 else
                           f": {detail}" if detail else "")}
                       for n, reason, detail in layout.ignored]
    report.ignored_columns += [c for c in layout.ignored_columns
                               if c not in report.ignored_columns]


def changes(before: Child, after: Child, headers: dict[str, str]) -> list[dict[str, str]]:
    """Each field the new ledger changes, as the ledger names it: old → new (ID and
    phone numbers masked: the preview is not the place to read them)."""
    old, new = _shown(before), _shown(after)
    return [{"field": headers.get(FIELD_HEADERS.get(f, f), f), "old": old[f], "new": new[f]}
            for f in CHANGE_FIELDS if old[f] != new[f]]


def _shown(child: Child) -> dict[str, str]:
    first = child.caregiver() or (child.guardians[0] if child.guardians else None)
    return {
        "name": child.name, "gender": {"male": "男", "female": "女"}.get(child.gender, ""),
        "birth_date": child.birth_date.isoformat(),
        "id_number": mask_id_number(child.id_number) or "",
        "village_code": child.village_name or child.village_code,
        "address": child.address, "school": child.school,
        "categories": "、".join(child.categories),
        "parents": f"父亲{STATES[child.parents.father]}，母亲{STATES[child.parents.mother]}",
        "guardian": first.name if first else "",
        "phone": (mask_phone(first.phone) if first else None) or "",
        "home": "" if child.home_lon is None else f"{child.home_lon:.6f}, {child.home_lat:.6f}",
    }


def summarise(report: ImportReport, lang: str) -> None:
    """Counts by outcome and one plain sentence saying what was (or was not) stored."""
    for r in report.rows:
        report.counts[r.outcome] += 1
    stored = report.imported + report.updated
    refused = report.counts["refuse"]
    if lang == "en":
        report.message = (
            f"Dry run: nothing stored. {_would(report, 'en')}" if report.dry_run else
            f"Nothing stored: {refused} row(s) refused and all-or-nothing was asked."
            if report.all_or_nothing and refused else
            f"Stored {report.imported} new and {report.updated} updated children; "
            f"{report.unchanged} unchanged, {refused} refused." if stored else
            f"Nothing stored: {_none_reason(report, 'en')}")
    else:
        report.message = (
            f"预览：未保存任何儿童。{_would(report, 'zh')}" if report.dry_run else
            f"未保存任何儿童：有 {refused} 行被拒绝，且选择了“全部无误才导入”。"
            if report.all_or_nothing and refused else
            f"已保存：新增 {report.imported} 名、更新 {report.updated} 名；"
            f"{report.unchanged} 名无变化，{refused} 行被拒绝。" if stored else
            f"未保存任何儿童：{_none_reason(report, 'zh')}")
    report.stored = stored > 0 and not report.dry_run


def _would(report: ImportReport, lang: str) -> str:
    c = report.counts
    if lang == "en":
        return (f"{c['accept']} row(s) accepted, {c['flag']} flagged (stored, to check), "
                f"{c['refuse']} refused.")
    return f"可接受 {c['accept']} 行，需核实 {c['flag']} 行（会保存），拒绝 {c['refuse']} 行。"


def _none_reason(report: ImportReport, lang: str) -> str:
    refused = report.counts["refuse"]
    if not report.rows:
        return ("no child rows were found in the file." if lang == "en"
                else "文件里没有找到儿童数据行。")
    if lang == "en":
        return (f"{report.unchanged} child(ren) already registered with the same facts, "
                f"{refused} row(s) refused.")
    return f"{report.unchanged} 名儿童已登记且信息没有变化，{refused} 行被拒绝。"


def error_sheets(report: ImportReport, lang: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """The refused rows, sheet by sheet, with their original columns, the row number
    and a reason column: the clerk fixes them in Excel and imports the file again."""
    reason, row_no = ("problems", "row") if lang == "en" else ("问题（改正后请重新导入）", "原行号")
    sheets: dict[str, tuple[list[str], list[list[str]]]] = {}
    for r in report.rows:
        if r.outcome != "refuse":
            continue
        headers, rows = sheets.setdefault(r.sheet, (list(r.cells), []))
        why = "；".join(f"{p['field']}：{p['message']}" for p in r.problems
                       if p["code"] in REFUSING)
        rows.append([r.cells.get(h, "") for h in headers] + [str(r.row), why])
    return [(name or "ledger", headers + [row_no, reason], rows)
            for name, (headers, rows) in sheets.items()]
