"""Real places for the demo: Qijiang district's townships and villages (NBS 2023 codes).

The demo township is Fuhuan town (扶欢镇), NBS code 500110120; its villages carry their
real names and codes (ADR 0600).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "qijiang_villages.json"
DEMO_TOWNSHIP = "500110120"  # Fuhuan town, NBS 2023
DEMO_CENTRE = (106.65, 28.95)  # lon, lat (WGS 84) of the demo township's seat
_SUFFIXES = ("村民委员会", "居民委员会")


@dataclass(frozen=True)
class Village:
    code: str  # 12-digit NBS 2023 statistical division code
    name: str  # short name, e.g. 石足村

    @property
    def is_seat(self) -> bool:
        """Codes 001-199 are urban communities (the seat); 200-399 rural villages."""
        return int(self.code[9:]) < 200


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    villages: tuple[Village, ...]


def short_name(name: str) -> str:
    """'石足村村民委员会' → '石足村'; '扶欢社区居民委员会' → '扶欢社区'."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def load() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def _township(raw: dict) -> Township:
    villages = tuple(Village(v[0], short_name(v[1])) for v in raw["villages"])
    return Township(raw["code"], raw["name"], villages)


def townships(scale: str) -> list[Township]:
    """The township scale is Fuhuan alone; county and province scale all of Qijiang."""
    raw = load()["townships"]
    if scale == "township":
        return [_township(t) for t in raw if t["code"] == DEMO_TOWNSHIP]
    fuhuan_first = sorted(raw, key=lambda t: (t["code"] != DEMO_TOWNSHIP, t["code"]))
    return [_township(t) for t in fuhuan_first]


def province_totals() -> dict:
    """Chongqing's township and village counts (NBS 2023), for province-scale volumes."""
    return dict(load()["province"])
