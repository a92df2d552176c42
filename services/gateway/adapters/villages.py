"""Village names for the pages: a 12-digit NBS 2023 code → its short name (石足村).

Read from the Qijiang district division list the demo already ships
(``infra/data/qijiang_villages.json``, NBS 2023); a code it does not hold is shown as
the code. Once the shared NBS gazetteer is on main, this reads it instead."""

from __future__ import annotations

from functools import cache

from infra.demogen.places import load, short_name


@cache
def village_names() -> dict[str, str]:
    return {code: short_name(name) for t in load()["townships"]
            for code, name in t["villages"]}


def village_name(code: str) -> str:
    return village_names().get(code, code)
