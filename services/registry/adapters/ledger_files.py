"""Reading and writing ledger files: XLSX (openpyxl, every sheet) and CSV in UTF-8 or GBK."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any
from zipfile import BadZipFile, ZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from services.registry.domain.exceptions import InvalidImport
from services.registry.domain.ledger_layout import Sheet
from shared.exports import row_cells

XLSX_MAGIC = b"PK\x03\x04"
ENCODINGS = ("utf-8-sig", "gb18030")  # GB 18030 is a superset of GBK
_MERGE = re.compile(r'<mergeCell[^>]*\bref="([A-Z]+\d+:[A-Z]+\d+)"')


def read_sheets(data: bytes) -> list[Sheet]:
    """Every sheet of a workbook (a CSV is one sheet named ''): numbered rows as the
    spreadsheet shows them, and the merged ranges the XLSX declares."""
    return _xlsx_sheets(data) if data.startswith(XLSX_MAGIC) else [_csv_sheet(data)]


def _xlsx_sheets(data: bytes) -> list[Sheet]:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InvalidImport(f"不是可读的 XLSX 文件 (not a readable XLSX file: "
                            f"{type(exc).__name__})") from exc
    try:
        with ZipFile(io.BytesIO(data)) as archive:
            return [Sheet(ws.title, [(n, tuple(r)) for n, r in
                                     enumerate(ws.iter_rows(values_only=True), start=1)],
                          _merged(archive, ws._worksheet_path))
                    for ws in wb.worksheets]
    finally:
        wb.close()


def _merged(archive: ZipFile, path: str) -> list[tuple[int, int, int, int]]:
    """The sheet's <mergeCell ref="A1:P1"/> ranges (read-only openpyxl does not list them)."""
    try:
        xml = archive.read(path.lstrip("/")).decode("utf-8", "replace")
    except KeyError:
        return []
    out = []
    for ref in _MERGE.findall(xml):
        c0, r0, c1, r1 = range_boundaries(ref)
        out.append((int(r0 or 1), int(c0 or 1), int(r1 or r0 or 1), int(c1 or c0 or 1)))
    return out


def _csv_sheet(data: bytes) -> Sheet:
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return Sheet("", [(n, tuple(r)) for n, r in
                              enumerate(csv.reader(io.StringIO(text)), start=1)])
        except csv.Error as exc:
            raise InvalidImport(f"不是可读的 CSV 文件 (not a readable CSV file: {exc})") from exc
    raise InvalidImport("CSV 文件既不是 UTF-8 也不是 GBK 编码 (CSV is neither UTF-8 nor GBK)")


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM, so that Excel on a station's PC opens the Chinese correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(row_cells(r) for r in rows)
    return buf.getvalue().encode("utf-8-sig")


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str) -> bytes:
    return write_sheets([(title, headers, rows)])


def write_sheets(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook with one sheet per (title, headers, rows), cells as given (text stays
    text, so an ID number keeps its 18 digits in the error workbook)."""
    wb = Workbook(write_only=True)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(list(headers))
        for r in rows:
            ws.append(row_cells(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
