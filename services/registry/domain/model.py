"""Children as the registry knows them: plain Python, no framework.

Age is derived from the birth date on the day it is needed, never stored.
Left-behind status and living alone follow docs/domain.md rule 1.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date

from services.registry.domain.exceptions import InvalidChild
from services.registry.domain.identity import validate_id_number

AGE_BANDS = ((0, 2, "0-2"), (3, 5, "3-5"), (6, 11, "6-11"), (12, 15, "12-15"), (16, 17, "16-17"))
IN_DIFFICULTY = ("orphan", "de_facto_unsupported", "guardianship_missing", "victimised",
                 "unregistered", "out_of_school", "seriously_ill", "disabled")
CATEGORIES = ("left_behind", *IN_DIFFICULTY)
PARENT_STATES = ("home", "away", "incapable", "deceased", "unknown")
CAPACITIES = ("full", "limited", "none")
LEFT_BEHIND_MAX_AGE = 16  # exclusive: rule 1 covers children under 16


def age_on(birth_date: date, today: date) -> int:
    """Whole years completed on ``today``."""
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)


def age_band(birth_date: date, today: date) -> str:
    age = age_on(birth_date, today)
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return "16-17" if age > 17 else "0-2"


@dataclass(frozen=True)
class Guardian:
    """A guardian or the entrusted caregiver parents named before leaving (seed 002)."""

    name: str
    relation: str  # 祖父母, father, aunt… as the station writes it
    age: int | None = None
    capacity: str = "full"  # full | limited | none
    present: bool = True  # lives with the child now
    entrusted: bool = False
    phone: str | None = None


@dataclass(frozen=True)
class Parents:
    father: str = "unknown"  # one of PARENT_STATES
    mother: str = "unknown"
    work_place: str = ""
    weekly_contact: bool | None = None  # rule 2: at least once a week

    def leave_child_behind(self) -> bool:
        """Both away, or one away and the other unable to act as guardian (rule 1)."""
        states = {self.father, self.mother}
        if "away" not in states:
            return False
        other = self.mother if self.father == "away" else self.father
        return other in ("away", "incapable", "deceased")

    @property
    def known(self) -> bool:
        return self.father != "unknown" or self.mother != "unknown"


@dataclass
class Child:
    name: str
    gender: str
    birth_date: date
    village_code: str
    home_lon: float | None  # None: the ledger gave no coordinates (distance to water unknown)
    home_lat: float | None
    categories: list[str] = field(default_factory=list)
    risk_grade: str = "medium"
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    id_number: str | None = None
    village_name: str = ""
    address: str = ""
    school: str = ""
    phone: str | None = None
    guardians: list[Guardian] = field(default_factory=list)
    parents: Parents = field(default_factory=Parents)
    declared_living_alone: bool = False
    child_director_id: str = ""
    risk_score: int = 0
    risk_reasons: list[str] = field(default_factory=list)
    water_distance_m: float | None = None
    next_visit_due: date | None = None
    last_visited_at: date | None = None
    reviewed_quarter: str = ""
    archived: bool = False
    version: int = 1

    def age(self, today: date) -> int:
        return age_on(self.birth_date, today)

    def living_alone(self, today: date) -> bool:
        """Under 16 and no guardian or caregiver lives with the child (rule 1)."""
        if self.age(today) >= LEFT_BEHIND_MAX_AGE:
            return False
        if self.declared_living_alone:
            return True
        return bool(self.guardians) and not any(g.present for g in self.guardians)

    def caregiver(self) -> Guardian | None:
        """The adult who actually looks after the child: a present guardian, entrusted first."""
        present = [g for g in self.guardians if g.present]
        present.sort(key=lambda g: not g.entrusted)
        return present[0] if present else None

    def with_changes(self, **changes: object) -> Child:
        return replace(self, **changes)  # type: ignore[arg-type]  # fields named at run time


def check_child(child: Child, today: date) -> Child:
    """Validate a child's facts; return it with derived categories filled in.

    Raises InvalidChild naming the field. Left-behind is added when the parents'
    situation implies it and refused when the facts contradict it.
    """
    if child.birth_date > today:
        raise InvalidChild("birth_date", "lies in the future")
    if child.age(today) >= 18:
        raise InvalidChild("birth_date", "the registry keeps children under 18")
    if child.id_number:
        reason = validate_id_number(child.id_number, child.birth_date, child.gender)
        if reason:
            raise InvalidChild("id_number", reason)
        child = child.with_changes(id_number=child.id_number.strip().upper())
    unknown = sorted(set(child.categories) - set(CATEGORIES))
    if unknown:
        raise InvalidChild("categories", f"unknown categories {unknown}; use {list(CATEGORIES)}")
    for attr in ("father", "mother"):
        if getattr(child.parents, attr) not in PARENT_STATES:
            raise InvalidChild("parents", f"{attr} must be one of {list(PARENT_STATES)}")
    for g in child.guardians:
        if g.capacity not in CAPACITIES:
            raise InvalidChild("guardians", f"capacity must be one of {list(CAPACITIES)}")
    return child.with_changes(categories=_left_behind(child, today))


def _left_behind(child: Child, today: date) -> list[str]:
    cats = list(dict.fromkeys(child.categories))
    under_16 = child.age(today) < LEFT_BEHIND_MAX_AGE
    implied = under_16 and child.parents.leave_child_behind()
    if "left_behind" in cats:
        if not under_16:
            raise InvalidChild("categories", "left_behind applies to children under 16 (rule 1)")
        if child.parents.known and not implied:
            raise InvalidChild("categories", "left_behind needs both parents away, or one "
                                             "away and the other unable to care (rule 1)")
    elif implied:
        cats.insert(0, "left_behind")
    return cats
