"""Who is acting and under which policy: passed to every handler.

Handlers check object scope themselves (an out-of-scope record is NotFound, as the
API reports it) and write the audit row in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from services.registry.domain.exceptions import NotFound
from services.registry.domain.ports import UnitOfWork
from services.registry.domain.risk import RiskModel
from services.registry.domain.villages import VillageDirectory
from shared.access import UNIT_OF_ROLE, Relation, relation, roles, visible_fields
from shared.auth.principal import Principal
from shared.config import Region

APPROVERS = frozenset(roles("case", "approve"))


class InVillage(Protocol):
    """A record that belongs to one village (a child, a case)."""

    @property
    def village_code(self) -> str: ...


@dataclass(frozen=True)
class Policy:
    """The township's configuration: region, risk model, its villages by name."""

    region: Region
    model: RiskModel = field(default_factory=RiskModel)
    villages: VillageDirectory = field(default_factory=VillageDirectory)

    @property
    def centre(self) -> tuple[float, float]:
        r = self.region
        return (r.min_lon + r.max_lon) / 2, (r.min_lat + r.max_lat) / 2


@dataclass(frozen=True)
class Actor:
    principal: Principal
    remote_addr: str = ""
    purpose: str = ""

    @property
    def id(self) -> str:
        return self.principal.user_id

    @property
    def can_approve(self) -> bool:
        return self.principal.role in APPROVERS

    @property
    def referral_unit(self) -> str:
        """The unit a liaison answers for, as referrals name it ("" for other roles)."""
        return UNIT_OF_ROLE.get(self.principal.role, "")

    def relation(self, resource: str) -> Relation | None:
        """What relates a record to this caller (shared.access); None: no access."""
        return relation(self.principal.role, resource)

    def fields(self, resource: str) -> list[str]:
        """The fields of a record this caller is sent: what a read's audit row lists."""
        return list(visible_fields(self.principal.role, resource))

    def sees(self, record: InVillage) -> bool:
        """The caller's places include the record's village."""
        return self.principal.sees_village(record.village_code)

    def check_scope(self, village_code: str, what: str) -> None:
        if not self.principal.sees_village(village_code):
            raise NotFound(f"no {what}")

    def audit(self, uow: UnitOfWork, action: str, object_type: str, object_id: str,
              fields: tuple[str, ...] | list[str] = ()) -> None:
        uow.audit.record(self.principal, action, object_type, object_id, fields,
                         self.purpose, self.remote_addr)

    def audit_many(self, uow: UnitOfWork, action: str, object_type: str,
                   object_ids: list[str], fields: tuple[str, ...] | list[str] = ()) -> None:
        uow.audit.record_many(self.principal, action, object_type, object_ids, fields,
                              self.purpose, self.remote_addr)


