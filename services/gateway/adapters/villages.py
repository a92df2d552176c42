"""Village names by NBS code, for pages that must say 石足村, not 500110120200.

The read model learns villages as codes only (events carry no place names); the names
are public NBS 2023 data, read from the gazetteer file the repository ships for the
Qijiang district (``infra/data/qijiang_villages.json``). A code it does not hold is
shown as it is, so a village outside it still appears."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "infra" / "data" / "qijiang_villages.json"
_SUFFIXES = ("村民委员会", "居民委员会")


def _short(name: str) -> str:
    """'石足村村民委员会' → '石足村': the name people use."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


@cache
def _names() -> dict[str, str]:
    if not DATA.exists():
        return {}
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return {code: _short(name) for town in raw["townships"] for code, name in town["villages"]}


def village_name(code: str) -> str:
    """The village's short name, or its code when the gazetteer does not know it."""
    return _names().get(code, code)
