"""The words of the ledger page, in Chinese (the default) and English."""

from __future__ import annotations

from typing import Any

OUTCOMES = ("accept", "flag", "refuse")

LEDGER: dict[str, dict[str, Any]] = {
    "zh": {
        "intro": "选择本站的儿童台账（Excel 或 CSV，可有标题行、多个工作表）。先预览，"
                 "确认无误后再导入；不会删除任何已登记的儿童。",
        "file": "台账文件", "datum": "经纬度来源",
        "datums": {"wgs84": "GPS / 天地图（WGS84）", "gcj02": "高德、腾讯地图（GCJ-02）"},
        "preview": "预览", "no_file": "请选择一个台账文件。",
        "too_big": "文件太大（超过 {mb} MB），请分成几个文件。",
        "outcomes": {"accept": "可接受", "flag": "需核实", "refuse": "拒绝"},
        "all": "全部", "rows": "行", "sheet": "工作表", "row": "行号", "outcome": "结果",
        "categories": "类别", "grade": "风险等级", "match": "处理",
        "matches": {"new": "新增", "update": "更新", "unchanged": "无变化"},
        "changes": "变化", "ignored": "未读取的行", "ignored_columns": "未使用的列",
        "missing": "新台账里没有的已登记儿童（请核实：迁走、满16岁等）；不会删除",
        "import": "导入可接受和需核实的行",
        "all_or_nothing": "全部无误才导入（有拒绝行时什么都不保存）",
        "errors": "下载错误表（被拒绝的行和原因，改好后重新上传）",
        "again": "换一个文件", "shown_of": "显示前 {shown} 行，共 {total} 行。",
        "done": "导入结果", "categories_names": {
            "left_behind": "留守", "orphan": "孤儿", "de_facto_unsupported": "事实无人抚养",
            "guardianship_missing": "监护缺失", "victimised": "受侵害", "unregistered": "无户籍",
            "out_of_school": "辍学", "seriously_ill": "重病", "disabled": "残疾"},
        "grades": {"high": "高", "medium": "中", "low": "低"},
    },
    "en": {
        "intro": "Choose the station's ledger of children (Excel or CSV; title rows and "
                 "several sheets are fine). Preview first, then import; no registered "
                 "child is ever deleted.",
        "file": "Ledger file", "datum": "Coordinates from",
        "datums": {"wgs84": "GPS / Tianditu (WGS 84)", "gcj02": "AMap, Tencent maps (GCJ-02)"},
        "preview": "Preview", "no_file": "Please choose a ledger file.",
        "too_big": "The file is too large (over {mb} MB); split it into several.",
        "outcomes": {"accept": "accepted", "flag": "to check", "refuse": "refused"},
        "all": "all", "rows": "rows", "sheet": "Sheet", "row": "Row", "outcome": "Outcome",
        "categories": "Categories", "grade": "Risk", "match": "Action",
        "matches": {"new": "new", "update": "update", "unchanged": "unchanged"},
        "changes": "Changes", "ignored": "Rows not read", "ignored_columns": "Columns not used",
        "missing": "Registered children the new ledger omits (check: moved, turned 16…); "
                   "never deleted",
        "import": "Import the accepted and flagged rows",
        "all_or_nothing": "All or nothing (store nothing while a row is refused)",
        "errors": "Download the error workbook (refused rows and why; fix and upload again)",
        "again": "Another file", "shown_of": "The first {shown} of {total} rows.",
        "done": "Import result", "categories_names": {},
        "grades": {"high": "high", "medium": "medium", "low": "low"},
    },
}
