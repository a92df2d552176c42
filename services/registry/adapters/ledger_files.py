"""Reading and writing ledger files: XLSX (openpyxl) and CSV in UTF-8 or GBK."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from services.registry.domain.exceptions import InvalidImport
from shared.exports import row_cells

XLSX_MAGIC = b"PK\x03\x04"
ENCODINGS = ("utf-8-sig", "gb18030")  # GB 18030 is a superset of GBK


def read_table(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Headers and (spreadsheet row number, header → cell) for every non-empty row."""
    rows = _xlsx_rows(data) if data.startswith(XLSX_MAGIC) else _csv_rows(data)
    if not rows:
        raise InvalidImport("the file is empty")
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    out = []
    for number, values in enumerate(rows[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        out.append((number, dict(zip(headers, values, strict=False))))
    return headers, out


def _xlsx_rows(data: bytes) -> list[Sequence[Any]]:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InvalidImport(f"not a readable XLSX file ({type(exc).__name__})") from exc
    try:
        return [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def _csv_rows(data: bytes) -> list[Sequence[Any]]:
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return list(csv.reader(io.StringIO(text)))
        except csv.Error as exc:
            raise InvalidImport(f"not a readable CSV file ({exc})") from exc
    raise InvalidImport("CSV is neither UTF-8 nor GBK")


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM, so that Excel on a station's PC opens the Chinese correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(row_cells(r) for r in rows)
    return buf.getvalue().encode("utf-8-sig")


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(list(headers))
    for r in rows:
        ws.append(row_cells(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
