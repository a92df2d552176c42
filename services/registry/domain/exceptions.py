"""The registry's error vocabulary; entrypoints map it to HTTP in one place."""


class RegistryError(Exception):
    """Base of the registry's domain errors."""


class InvalidChild(RegistryError):
    """Input that cannot describe a child; ``field`` names the offending field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(RegistryError):
    """No such record in the caller's reach."""


class ChildNotFound(NotFound):
    pass


class DuplicateChild(RegistryError):
    """The child is already registered; ``existing_id`` points to that record, or is
    empty when the record lies outside the caller's scope (it is never named then)."""

    def __init__(self, existing_id: str, matched_on: str):
        where = (f"as {existing_id}" if existing_id else
                 "in a village outside your scope; ask the township station to check it")
        super().__init__(f"already registered {where} (same {matched_on})")
        self.existing_id = existing_id
        self.matched_on = matched_on


class DuplicateCase(RegistryError):
    """The child already has an open case of this situation; ``case_id`` is that case
    (a resent form or a second director must not report the child to the police twice)."""

    def __init__(self, child_id: str, situation: str, case_id: str):
        super().__init__(f"child {child_id} already has an open case of situation "
                         f"{situation}: {case_id}")
        self.case_id = case_id


class StaleVersion(RegistryError):
    """Someone changed the record since the caller read it (If-Match failed)."""


class TransitionRefused(RegistryError):
    """The case cannot move that way; the message says why."""


class ApprovalRequired(RegistryError):
    """This step may only be closed by a supervisor (child_supervisor or station_admin)."""


class ApprovalSpent(RegistryError):
    """This bulk-export approval was used already: each covers one export, once."""


class InvalidImport(RegistryError):
    """A ledger file that cannot be read at all (not a bad row: a bad file)."""
