"""The hazards service's error vocabulary; each kind becomes an HTTP status in
shared/web.py."""

from __future__ import annotations

from typing import Any

from shared.errors import DomainError, FieldError, Kind


class HazardsError(DomainError):
    """Base of the hazards service's domain errors."""


class InvalidHazard(FieldError, HazardsError):
    """A hazard that cannot be stored; ``field`` names what is wrong."""


class NotFound(HazardsError):
    """No such hazard, patrol point, check-in or device (or outside the caller's scope)."""

    kind = Kind.NOT_FOUND


class ImportRefused(HazardsError):
    """A whole uploaded file is refused (unreadable, hostile, too large, no usable CRS)."""

    kind = Kind.INVALID
    location = "files"
    field: str | None = "file"


class FileTooLarge(ImportRefused):
    """An upload or an archive member exceeds a configured size limit."""

    kind = Kind.TOO_LARGE
    field = None


class InvalidCheckIn(FieldError, HazardsError):
    """A check-in that cannot be recorded; ``field`` names what is wrong."""


class DeviceRefused(HazardsError):
    """A device call that is unsigned, wrongly signed, stale or from an unknown device."""

    kind = Kind.UNAUTHORIZED

    def __init__(self, reason: str):
        super().__init__(f"device call refused: {reason}")


class FixTaskRefused(FieldError, HazardsError):
    """A fix task cannot be made or moved that way; ``field`` names what is wrong."""

    kind = Kind.CONFLICT


class DuplicateFixTask(HazardsError):
    """The protection already has an open fix task; ``task_id`` is that task."""

    kind = Kind.CONFLICT

    def __init__(self, task_id: str):
        super().__init__(f"this protection already has an open fix task: {task_id}")
        self.task_id = task_id

    @property
    def details(self) -> dict[str, Any]:
        return {"task_id": self.task_id}
