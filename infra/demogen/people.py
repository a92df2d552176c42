"""Children and their guardians, one household per home (proportions: docs/demo-data.md)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from infra.demogen import names as nm
from infra.demogen.geography import Geography
from infra.demogen.places import Township

REGION = "500110"  # Qijiang district: the ID numbers' region prefix
# Household situations and their shares.
SITUATIONS = np.array(["both_away", "one_away", "parents_home", "orphaned", "de_facto"])
SITUATION_P = [0.66, 0.13, 0.16, 0.015, 0.035]
# Who looks after the children when both parents are away (MCA 2016 shares, rounded).
CARERS = np.array(["祖父", "祖母", "外祖父", "外祖母", "其他亲属", "委托照护人", "无"])
CARER_P = [0.22, 0.40, 0.09, 0.18, 0.04, 0.035, 0.035]
AGE_BANDS = ((0, 3, 0.08), (3, 6, 0.17), (6, 12, 0.45), (12, 16, 0.24), (16, 18, 0.06))
EXTRA = {"disabled": 0.035, "seriously_ill": 0.025, "out_of_school": 0.012,
         "unregistered": 0.004, "victimised": 0.003}
FALLBACK = (("disabled", 0.45), ("seriously_ill", 0.35), ("out_of_school", 0.20))
LABELS = {"left_behind": "留守儿童", "orphan": "孤儿", "de_facto_unsupported": "事实无人抚养儿童",
          "guardianship_missing": "监护缺失", "victimised": "受侵害", "unregistered": "无户籍",
          "out_of_school": "辍学或不在校", "seriously_ill": "患重病", "disabled": "残疾"}
MALE_CARERS = {"祖父", "外祖父", "父亲"}


def households(rng: np.random.Generator, n_homes: int) -> pd.DataFrame:
    """One row per home: situation, carer, family surname."""
    situation = SITUATIONS[rng.choice(len(SITUATIONS), n_homes, p=SITUATION_P)]
    carer = CARERS[rng.choice(len(CARERS), n_homes, p=CARER_P)]
    parent = np.where(rng.random(n_homes) < 0.7, "母亲", "父亲")
    carer = np.where(np.isin(situation, ["one_away", "parents_home"]), parent, carer)
    kin = np.where(rng.random(n_homes) < 0.8, "祖母", "其他亲属")
    carer = np.where(np.isin(situation, ["orphaned", "de_facto"]), kin, carer)
    return pd.DataFrame({"situation": situation, "carer": carer,
                         "surname": rng.integers(0, len(nm.SURNAMES), n_homes),
                         "children": 1 + (rng.random(n_homes) < 0.2)})


def ages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Ages in days, drawn by age band; each under its band's upper age on the calendar
    (a year is not 365.25 days for every birth date: 17.999 years of 365.25 days can be an
    18th birthday, and the ledger rightly refuses an adult)."""
    band = rng.choice(len(AGE_BANDS), n, p=[b[2] for b in AGE_BANDS])
    lo = np.array([b[0] for b in AGE_BANDS])[band]
    hi = np.array([b[1] for b in AGE_BANDS])[band]
    return np.minimum((rng.uniform(lo, hi) * 365.25).astype(np.int64), hi * 365 - 1)


def categories(rng: np.random.Generator, situation: np.ndarray, alone: np.ndarray,
               age_y: np.ndarray) -> list[list[str]]:
    """Category codes per child: from the household's situation, then random extras."""
    n = situation.size
    flags = {"left_behind": (situation == "both_away") & (age_y < 16),
             "orphan": situation == "orphaned",
             "de_facto_unsupported": situation == "de_facto",
             "guardianship_missing": alone}
    for code, p in EXTRA.items():
        flags[code] = rng.random(n) < p
    flags["out_of_school"] &= age_y >= 6
    empty = ~np.any(np.column_stack(list(flags.values())), axis=1)
    fallback = np.array([c for c, _ in FALLBACK])[
        rng.choice(len(FALLBACK), n, p=[p for _, p in FALLBACK])]
    for code, _ in FALLBACK:
        flags[code] |= empty & (fallback == code)
    matrix = np.column_stack(list(flags.values()))
    codes = list(flags)
    return [[codes[j] for j in np.flatnonzero(row)] for row in matrix]


def children(rng: np.random.Generator, township: Township, geo: Geography,
             home_village: np.ndarray, as_of: date) -> pd.DataFrame:
    """One row per child with everything the ledger needs (not yet in ledger form)."""
    hh = households(rng, home_village.size)
    home = np.repeat(np.arange(len(hh)), hh["children"].to_numpy())
    n = home.size
    age_d = ages(rng, n)
    age_y = age_d // 365
    youngest = np.minimum.reduceat(age_y, np.r_[0, np.flatnonzero(np.diff(home)) + 1])
    situation = hh["situation"].to_numpy()[home]
    carer = hh["carer"].to_numpy()[home].copy()
    carer[(carer == "无") & (youngest[home] < 12)] = "祖母"  # no child under 12 lives alone
    alone = carer == "无"
    male = rng.random(n) < 0.52
    birth = np.datetime64(as_of, "D") - age_d
    surname = hh["surname"].to_numpy()[home]
    return pd.DataFrame({
        "home": home, "village": home_village[home], "male": male, "birth": birth,
        "age_y": age_y, "surname": surname, "name": nm.names(rng, male, surname),
        "carer": carer,
        "situation": situation, "alone": alone,
        "categories": categories(rng, situation, alone, age_y),
    })


def dedupe_names(rng: np.random.Generator, kids: pd.DataFrame) -> None:
    """Redraw names until no two children share name, birth date and village.

    The registry refuses such a pair as a duplicate, and rightly so.
    """
    for _ in range(20):
        dup = kids.duplicated(["name", "birth", "village"]).to_numpy()
        if not dup.any():
            return
        kids.loc[dup, "name"] = nm.names(rng, kids["male"].to_numpy()[dup],
                                         kids["surname"].to_numpy()[dup])
    raise RuntimeError("could not make children's names unique")
