"""The notifier's error vocabulary; each kind becomes an HTTP status in shared/web.py
(an internal error, such as a refused delivery transition, is a 500 if it ever reaches
a caller)."""

from __future__ import annotations

from shared.errors import DomainError, FieldError, Kind


class NotifierError(DomainError):
    """Base of the notifier's domain errors."""


class RulesError(NotifierError):
    """A rules (or directory) document is invalid.

    ``path`` locates the offending node (keys and list indexes); the adapter that
    read the YAML turns it into a line number, so ``line`` may be filled in later.
    """

    kind = Kind.INVALID

    def __init__(self, path: tuple[str | int, ...], reason: str, line: int | None = None,
                 source: str = ""):
        self.path = path
        self.reason = reason
        self.line = line
        self.source = source
        super().__init__(self.describe())

    def describe(self) -> str:
        where = ".".join(str(p) for p in self.path) or "<document>"
        at = f"{self.source or 'rules'}:{self.line}: " if self.line else ""
        return f"{at}{where}: {self.reason}"


class InvalidTransition(NotifierError):
    """A delivery was asked to move to a state its state machine forbids."""


class ChannelError(NotifierError):
    """A channel could not deliver. ``retryable`` says whether trying again may help
    (a server away, a rate limit) or not (an address the provider refuses)."""

    def __init__(self, reason: str, retryable: bool = True):
        super().__init__(reason)
        self.retryable = retryable


class NotFound(NotifierError):
    """The object does not exist or lies outside the caller's scope."""

    kind = Kind.NOT_FOUND


class AckRefused(NotifierError):
    """An acknowledgement token is invalid or was already used."""

    kind = Kind.GONE


class InvalidPerson(FieldError, NotifierError):
    """A directory entry that cannot be stored; ``field`` names what is wrong."""
