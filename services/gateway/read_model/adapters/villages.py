"""Village names by NBS code, for pages that must say 石足村, not 500110120200.

The read model learns villages as codes only (events carry no place names); the names
are public NBS 2023 data from the gazetteer the repository ships (``shared.gazetteer``).
A code it does not hold is shown as it is, so a village outside it still appears."""

from __future__ import annotations

from functools import cache

from shared.gazetteer import UnknownDivision, short_name, township


@cache
def _names(township_code: str) -> dict[str, str]:
    try:
        _name, villages = township(township_code)
    except UnknownDivision:
        return {}
    return {code: short_name(name) for code, name in villages.items()}


def village_name(code: str) -> str:
    """The village's short name, or its code when the gazetteer does not know it."""
    return _names(code[:9]).get(code, code)
