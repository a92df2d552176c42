"""Who may be a child's director: a person with a valid background check (docs/domain.md
rule 12, ADR 0506). The gateway's identity store is the source; the registry keeps
each person's latest standing from its events and refuses a director without one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.registry.domain.exceptions import InvalidChild

# Why not, in the two languages of the gateway's check page (its REASONS_ZH).
REASONS = {"missing": "无从业查询记录 no background check on record",
           "expired": "从业查询已过期 background check expired",
           "not_yet_valid": "查询日期在后 background check not yet valid",
           "match": "发现违法犯罪记录 background check found a record"}


@dataclass(frozen=True)
class StaffCheck:
    """A person's standing after their latest recorded check."""

    user_id: str
    result: str  # clear | match
    checked_on: date
    valid_until: date | None  # None: not valid at all
    end_by: date | None = None  # a match: the engagement ends by this day


def refusal(check: StaffCheck | None, today: date) -> str:
    """Why this person may not meet children today ("" when they may): a match is
    never valid again, whatever its dates."""
    if check is None or (check.result == "clear" and check.valid_until is None):
        return "missing"
    if check.result != "clear":
        return "match"
    if check.checked_on > today:
        return "not_yet_valid"
    return "expired" if check.valid_until is not None and check.valid_until < today else ""


def require_director(person_id: str, check: StaffCheck | None, today: date) -> None:
    """Refuse (by the field's name) making ``person_id`` a child's director without a
    valid check today."""
    why = refusal(check, today)
    if why:
        raise InvalidChild("child_director_id",
                           f"{person_id}: 不能担任儿童主任 may not be a child's director: "
                           f"{REASONS[why]}")
