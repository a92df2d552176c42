"""A station's ledger (台账) row → the facts of a child, and every problem with them.

A row's outcome is ``refuse`` when a problem means it cannot be stored, ``flag`` when it
is stored but the clerk should check something, else ``accept``. The left-behind
category follows docs/domain.md rule 1 from the parents' situation, whatever the row says.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.registry.domain import ledger_cells as cells
from services.registry.domain.identity import id_number_problem
from services.registry.domain.ledger_messages import FLAG, REFUSE, outcome_of
from services.registry.domain.model import LEFT_BEHIND_MAX_AGE, age_on
from services.registry.domain.villages import AmbiguousVillage, VillageDirectory, VillageNotFound
from shared.config import Region

REQUIRED = ("name", "gender", "birth_date")
DEFAULT_RELATION = "监护人"  # what a guardian is when the ledger has no relation column


@dataclass(frozen=True)
class Problem:
    field: str  # the registry's field name; the report shows the ledger's own header
    code: str  # a key of ledger_messages.MESSAGES
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def outcome(self) -> str:
        return outcome_of(self.code)


@dataclass
class LedgerRow:
    """One parsed row: the facts for RegisterChild, and what is wrong with them."""

    facts: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        outcomes = {p.outcome for p in self.problems}
        return REFUSE if REFUSE in outcomes else FLAG if FLAG in outcomes else "accept"

    def add(self, field_name: str, code: str, **params: Any) -> None:
        self.problems.append(Problem(field_name, code, params))


def parse_row(row: dict[str, Any], villages: VillageDirectory, today: date,
              default_datum: str = "wgs84", region: Region | None = None) -> LedgerRow:
    """Turn one ledger row (field → cell) into RegisterChild facts, WGS 84 or GCJ-02
    home as the row or ``default_datum`` says, inside ``region`` (degrees), collecting
    every problem."""
    out = LedgerRow()
    for name in REQUIRED:
        if not cells.text(row.get(name)):
            out.add(name, "required_empty")
    out.facts["name"] = cells.compact(row.get("name"))
    _read(out, "gender", cells.gender, row)
    _read(out, "birth_date", cells.birth_date, row)
    _age_limits(out, today)
    _village(out, row, villages)
    _read(out, "id_number", cells.id_number, row)
    _read(out, "phone", cells.phone, row)
    _read(out, "guardian_age", cells.whole_number, row)
    _read(out, "parents", cells.parents, row)
    out.facts.update(address=cells.text(row.get("address")),
                     school=cells.text(row.get("school")))
    _identity(out)
    _home(out, row, default_datum)
    _in_region(out, region)
    _guardian(out, row)
    _categories(out, row, today)
    return out


def _read(out: LedgerRow, name: str, reader: Any, row: dict[str, Any]) -> None:
    cell = row.get(name)
    if not cells.text(cell):
        return
    try:
        value = reader(cell)
    except cells.CellProblem as exc:
        out.add(name, exc.code, **exc.params)
        return
    if value is not None:
        out.facts[name] = value


def _age_limits(out: LedgerRow, today: date) -> None:
    born = out.facts.get("birth_date")
    if born is None:
        return
    if born > today:
        out.add("birth_date", "future_birth")
    elif age_on(born, today) >= 18:
        out.add("birth_date", "too_old")
    else:
        return
    del out.facts["birth_date"]


def _village(out: LedgerRow, row: dict[str, Any], villages: VillageDirectory) -> None:
    code = cells.compact(row.get("village_code"))
    name = cells.compact(row.get("village"))
    if code:
        if len(code) != 12 or not code.isdigit():
            out.add("village_code", "bad_village_code", value=code)
            return
        out.facts.update(village_code=code, village_name=name or villages.name_of(code))
        return
    if not name:
        out.add("village", "required_empty")
        return
    try:
        code = villages.resolve(name)
    except AmbiguousVillage as exc:
        out.add("village", "village_ambiguous", value=name, candidates=exc.candidates)
        return
    except VillageNotFound as exc:
        out.add("village", "village_unknown", value=name, near=exc.candidates,
                township=villages.township_name)
        return
    out.facts.update(village_code=code, village_name=villages.name_of(code))


def _identity(out: LedgerRow) -> None:
    number, born = out.facts.get("id_number"), out.facts.get("birth_date")
    if not number or not born or "gender" not in out.facts:
        return
    problem = id_number_problem(number, born, out.facts["gender"])
    if problem:
        out.add("id_number", problem[0], **problem[1])


def _home(out: LedgerRow, row: dict[str, Any], default_datum: str) -> None:
    lon, lat = cells.text(row.get("lon")), cells.text(row.get("lat"))
    if not lon and not lat:
        out.add("lon", "no_home")
        return
    try:
        datum = cells.datum(row.get("datum"), default_datum)
    except cells.CellProblem as exc:
        out.add("datum", exc.code, **exc.params)
        return
    for name in ("lon", "lat"):
        if not cells.text(row.get(name)):
            out.add(name, "required_empty")
            return
    try:
        out.facts["home"] = {"lon": cells.decimal_degrees(row.get("lon")),
                             "lat": cells.decimal_degrees(row.get("lat")), "datum": datum}
    except cells.CellProblem as exc:
        out.add("lon", exc.code, **exc.params)


def _in_region(out: LedgerRow, region: Region | None) -> None:
    """Swapped or stray coordinates, said in the clerk's words (the GCJ-02 offset of a
    few hundred metres does not matter at the scale of the region's box)."""
    home = out.facts.get("home")
    if home is None or region is None or region.contains(home["lon"], home["lat"]):
        return
    swapped = region.contains(home["lat"], home["lon"])
    out.add("lon", "home_swapped" if swapped else "home_outside", lon=home["lon"],
            lat=home["lat"])
    del out.facts["home"]


def _guardian(out: LedgerRow, row: dict[str, Any]) -> None:
    guardian = cells.compact(row.get("guardian"))
    age = out.facts.pop("guardian_age", None)
    phone = out.facts.pop("phone", None)
    if guardian in cells.NO_GUARDIAN:
        out.facts["living_alone"] = True
    elif guardian:
        out.facts["guardians"] = [{"name": guardian, "age": age, "phone": phone,
                                   "relation": cells.text(row.get("relation"))
                                   or DEFAULT_RELATION}]


def _categories(out: LedgerRow, row: dict[str, Any], today: date) -> None:
    """The row's categories, left-behind decided by rule 1 when the parents are known."""
    listed, unknown = cells.categories(row.get("categories"))
    for word in unknown:
        out.add("categories", "unknown_category", value=word)
    parents = out.facts.get("parents")
    born = out.facts.get("birth_date")
    if born is None:
        out.facts["categories"] = listed
        return
    rest = [c for c in listed if c != "left_behind"]
    if age_on(born, today) >= LEFT_BEHIND_MAX_AGE:
        if "left_behind" in listed or (parents and "away" in parents.values()):
            out.add("parents" if parents else "categories", "over_16")
        out.facts["categories"] = rest
        return
    if parents is None:
        out.facts["categories"] = listed  # the ledger's word stands when it gives no reason
        return
    states = (parents["father"], parents["mother"])
    if "away" in states:
        other = states[1] if states[0] == "away" else states[0]
        if other in ("away", "incapable", "deceased"):
            out.facts["categories"] = ["left_behind", *rest]
            return
        if other == "home":
            away, home = ("father", "mother") if states[0] == "away" else ("mother", "father")
            out.add("parents", "left_behind_confirm", away=away, home=home)
    out.facts["categories"] = rest
