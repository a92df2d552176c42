"""Cells that a spreadsheet shows as text, never runs (CSV and XLSX exports).

Excel, WPS and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (a tab
or carriage return first does not stop them) as a formula: ``=HYPERLINK("http://…", …)``
typed into a child's address would send whoever opens the roster elsewhere. Every
export of the registry, hazards and gateway writes its cells through ``cell`` (OWASP
"CSV injection"): such a text gets a leading apostrophe; numbers and dates stay as
they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """The value, made inert if it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def row_cells(row: Iterable[Any]) -> list[Any]:
    return [cell(v) for v in row]


def record_cells(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: cell(v) for k, v in record.items()}
