"""Who is asking: a role and the places (township, villages) it may act on.

Three tiers (docs/domain.md rule 11): a child director serves one village, a supervisor
the township, and district roles the whole district.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    STATION_ADMIN = "station_admin"
    CHILD_SUPERVISOR = "child_supervisor"
    CHILD_DIRECTOR = "child_director"
    PATROL_MEMBER = "patrol_member"
    POLICE_LIAISON = "police_liaison"
    SCHOOL_LIAISON = "school_liaison"
    PLANNER = "planner"
    SERVICE = "service"  # another system: a subscribing department or a peer service


@dataclass(frozen=True)
class Principal:
    user_id: str
    role: Role
    township_code: str = ""  # 9-digit township division code; "" = whole district
    village_codes: frozenset[str] = field(default_factory=frozenset)  # empty = all in scope
    unit: str = ""  # a liaison's own unit, e.g. its school's name (shared.access relations)

    def sees_village(self, village_code: str) -> bool:
        """Object scope: may this principal see records of that village?"""
        if self.village_codes:
            return village_code in self.village_codes
        if self.township_code:
            return village_code.startswith(self.township_code)
        return True
