"""Where the children are in a ledger sheet: the header row, the columns, the data rows.

Stations put a merged title above the header, notes and a signature footer below the
table, blank rows in between, and name columns in their own words. The header is the
first of the top rows that names the required columns (synonyms in
``ledger_columns.yaml``); every row that is not a child is reported as ignored, with why.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from services.registry.domain.ledger_cells import text

COLUMNS_FILE = Path(__file__).with_name("ledger_columns.yaml")
HEADER_SEARCH_ROWS = 20
_MARKERS = re.compile(r"[*＊]|\(必填\)|\(选填\)")


@dataclass(frozen=True)
class Columns:
    """Header synonyms (normalised) → field, the required fields, footer words."""

    synonyms: dict[str, str]
    required: tuple[str, ...]
    footer: tuple[str, ...]
    labels: dict[str, str]  # field → its usual header, to name a missing column


@lru_cache(maxsize=1)
def columns() -> Columns:
    raw = yaml.safe_load(COLUMNS_FILE.read_text(encoding="utf-8"))
    synonyms = {header_key(h): f for f, names in raw["fields"].items() for h in names}
    return Columns(synonyms, tuple(raw["required"]),
                   tuple(header_key(w) for w in raw["footer"]),
                   {f: names[0] for f, names in raw["fields"].items()})


def header_key(header: Any) -> str:
    """'＊出生日期（必填）' → '出生日期': NFKC, no spaces, no required-markers."""
    value = "".join(unicodedata.normalize("NFKC", text(header)).split())
    return _MARKERS.sub("", value)


@dataclass
class Sheet:
    """A sheet as read from the file: (row number, cells) and its merged ranges."""

    name: str
    rows: list[tuple[int, tuple[Any, ...]]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1


@dataclass
class Layout:
    sheet: str
    header_row: int = 0
    fields: dict[str, int] = field(default_factory=dict)  # field → column index
    headers: dict[str, str] = field(default_factory=dict)  # field → the ledger's header
    original: list[str] = field(default_factory=list)  # every header as written
    rows: list[tuple[int, dict[str, Any], tuple[Any, ...]]] = field(default_factory=list)
    ignored: list[tuple[int, str, str]] = field(default_factory=list)  # row, reason, detail
    ignored_columns: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required columns not found


def lay_out(sheet: Sheet) -> Layout:
    """Find the header and sort every other row into data or ignored (title, blank,
    repeated header, footer); merged cells in the table are read into each row."""
    cols = columns()
    out = Layout(sheet.name)
    header_at = _header_index(sheet.rows, cols)
    if header_at is None:
        out.missing = [cols.labels[f] for f in cols.required]
        return out
    number, cells = sheet.rows[header_at]
    out.header_row = number
    out.original = [_as_written(c) for c in cells]
    for i, cell in enumerate(cells):
        name = cols.synonyms.get(header_key(cell))
        if name and name not in out.fields:
            out.fields[name], out.headers[name] = i, _as_written(cell)
        elif text(cell):
            out.ignored_columns.append(_as_written(cell))
    out.missing = [cols.labels[f] for f in cols.required if f not in out.fields
                   and not (f == "village" and "village_code" in out.fields)]
    out.ignored += [(n, "title", _first(c)) for n, c in sheet.rows[:header_at] if _first(c)]
    filled = _fill_merged(sheet, number, out)
    for n, row in filled:
        reason = _not_a_child(row, out, cols)
        if reason:
            out.ignored.append((n, reason, _first(row)))
        else:
            out.rows.append((n, {f: row[i] if i < len(row) else None
                                 for f, i in out.fields.items()}, row))
    return out


def _header_index(rows: list[tuple[int, tuple[Any, ...]]], cols: Columns) -> int | None:
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {cols.synonyms.get(header_key(c)) for c in cells}
        if "name" in found and len(found & set(cols.required)) >= 2:
            return i
    return None


def _as_written(cell: Any) -> str:
    """A header as the clerk typed it, so the report names the column they know."""
    return "" if cell is None else str(cell).strip()


def _first(cells: tuple[Any, ...]) -> str:
    return next((t for c in cells if (t := text(c))), "")[:60]


def _fill_merged(sheet: Sheet, header_row: int,
                 out: Layout) -> list[tuple[int, tuple[Any, ...]]]:
    """Rows below the header with each merged range's value in every cell it covers."""
    rows = {n: list(c) for n, c in sheet.rows if n > header_row}
    for r0, c0, r1, c1 in sheet.merged:
        if r1 <= header_row or r0 == r1 and c0 != c1 and r0 in rows and _is_banner(rows[r0]):
            continue  # a title or a full-width note: the row is ignored whole
        top = rows.get(r0, [])
        value = top[c0 - 1] if c0 - 1 < len(top) else None
        for r in range(max(r0, header_row + 1), r1 + 1):
            row = rows.get(r)
            if row is None or not any(text(c) for c in row) and r != r0:
                continue  # a blank row inside a merged range stays blank
            row.extend([None] * (c1 - len(row)))
            for c in range(c0 - 1, c1):
                row[c] = value
        out.ignored.append((r0, "merged", f"{_cell_name(r0, c0)}:{_cell_name(r1, c1)}"))
    return [(n, tuple(rows[n])) for n, _ in sheet.rows if n in rows]


def _is_banner(row: list[Any]) -> bool:
    return sum(1 for c in row if text(c)) <= 1


def _cell_name(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _not_a_child(row: tuple[Any, ...], out: Layout, cols: Columns) -> str:
    filled = [c for c in row if c is not None and str(c).strip()]
    if not filled:
        return "blank"
    first = [header_key(c) for c in filled[:3]]
    if any(f.startswith(cols.footer) for f in first):
        return "footer"
    name_at = out.fields["name"]
    name = row[name_at] if name_at < len(row) else None
    if cols.synonyms.get(header_key(name)) == "name":
        return "header_repeated"
    if len(filled) == 1 and not text(name):
        return "title"
    return ""
