"""The one error vocabulary every service's domain speaks (plain Python, no HTTP).

A domain error says what *kind* of refusal it is; ``shared.web`` alone turns a kind
into an HTTP status, so a newcomer finds every status in one table and the domain
never names a number. Each service keeps its own exception classes (their names are
its language) but derives them from ``DomainError`` and sets ``kind``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, ClassVar, TypeVar


class Kind(StrEnum):
    """What kind of refusal an error is; ``shared.web.STATUS_OF_KIND`` gives its status."""

    INVALID = "invalid"            # the input breaks a rule; ``field`` says which part
    MALFORMED = "malformed"        # the input cannot be read at all (a file that is no ledger)
    UNAUTHORIZED = "unauthorized"  # the caller is not who it claims (password, signature)
    FORBIDDEN = "forbidden"        # known caller, not allowed to do this
    NOT_FOUND = "not_found"        # no such record, or not in the caller's scope
    CONFLICT = "conflict"          # the state forbids it (a duplicate, a refused transition)
    GONE = "gone"                  # it existed and cannot be used again (a spent ack)
    STALE = "stale"                # the record changed since the caller read it
    TOO_LARGE = "too_large"        # over a configured size limit
    TOO_MANY = "too_many"          # slow down (a locked account)
    UNAVAILABLE = "unavailable"    # a service this one needs did not answer; retry
    INTERNAL = "internal"          # a bug if it reaches a caller


T = TypeVar("T")


class DomainError(Exception):
    """Base of every service's domain errors.

    ``field`` (with ``location``: ``json``, ``query``, ``files``) names the part of the
    request at fault; ``details`` carries what a client acts on (``existing_id``,
    ``case_id``, ``task_id``). A class without its own ``kind`` is a bug when it
    reaches a caller, hence ``internal``.
    """

    kind: ClassVar[Kind] = Kind.INTERNAL
    location: ClassVar[str] = "json"
    field: str | None = None
    retry_after_s: ClassVar[int | None] = None  # how long a refused caller should wait

    @property
    def field_message(self) -> str:
        """What is wrong with ``field`` (the whole message unless a subclass splits it)."""
        return str(self)

    @property
    def details(self) -> dict[str, Any]:
        return {}


class FieldError(DomainError):
    """Input that breaks a rule; ``field`` names the offending part, ``message`` why."""

    kind = Kind.INVALID
    field: str

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    @property
    def field_message(self) -> str:
        return self.message


def found_in_scope(record: T | None, in_scope: Callable[[T], bool],
                   missing: DomainError) -> T:
    """``record`` if it exists and the caller may see it; else ``missing`` (a not-found).

    A record outside the caller's scope is reported exactly like one that does not
    exist, so an id never tells a stranger that a child or a hazard is there.
    """
    if record is None or not in_scope(record):
        raise missing
    return record
