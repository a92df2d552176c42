"""The registry's error vocabulary; each kind becomes an HTTP status in shared/web.py."""

from typing import Any

from shared.errors import DomainError, FieldError, Kind


class RegistryError(DomainError):
    """Base of the registry's domain errors."""


class InvalidChild(FieldError, RegistryError):
    """Input that cannot describe a child; ``field`` names the offending field."""


class NotFound(RegistryError):
    """No such record in the caller's reach."""

    kind = Kind.NOT_FOUND


class ChildNotFound(NotFound):
    pass


class DuplicateChild(RegistryError):
    """The child is already registered; ``existing_id`` points to that record, or is
    empty when the record lies outside the caller's scope (it is never named then)."""

    kind = Kind.CONFLICT

    def __init__(self, existing_id: str, matched_on: str):
        where = (f"as {existing_id}" if existing_id else
                 "in a village outside your scope; ask the township station to check it")
        super().__init__(f"already registered {where} (same {matched_on})")
        self.existing_id = existing_id
        self.matched_on = matched_on

    @property
    def details(self) -> dict[str, Any]:
        return {"matched_on": self.matched_on,
                **({"existing_id": self.existing_id} if self.existing_id else {})}


class DuplicateCase(RegistryError):
    """The child already has an open case of this situation; ``case_id`` is that case
    (a resent form or a second director must not report the child to the police twice)."""

    kind = Kind.CONFLICT

    def __init__(self, child_id: str, situation: str, case_id: str):
        super().__init__(f"child {child_id} already has an open case of situation "
                         f"{situation}: {case_id}")
        self.case_id = case_id

    @property
    def details(self) -> dict[str, Any]:
        return {"case_id": self.case_id}


class StaleVersion(RegistryError):
    """Someone changed the record since the caller read it (If-Match failed)."""

    kind = Kind.STALE


class TransitionRefused(RegistryError):
    """The case cannot move that way; the message says why."""

    kind = Kind.CONFLICT


class ApprovalRequired(RegistryError):
    """This step may only be closed by a supervisor (child_supervisor or station_admin)."""

    kind = Kind.FORBIDDEN


class ApprovalSpent(RegistryError):
    """This bulk-export approval was used already: each covers one export, once."""

    kind = Kind.FORBIDDEN


class InvalidImport(RegistryError):
    """A ledger file that cannot be read at all (not a bad row: a bad file)."""

    kind = Kind.MALFORMED
