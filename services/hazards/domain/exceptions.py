"""The hazards service's error vocabulary (mapped to HTTP in entrypoints/errors.py)."""

from __future__ import annotations


class HazardsError(Exception):
    """Base of the hazards service's domain errors."""


class InvalidHazard(HazardsError):
    """A hazard that cannot be stored; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(HazardsError):
    """No such hazard, patrol point, check-in or device (or outside the caller's scope)."""


class ImportRefused(HazardsError):
    """A whole uploaded file is refused (unreadable, hostile, too large, no usable CRS)."""


class FileTooLarge(ImportRefused):
    """An upload or an archive member exceeds a configured size limit."""


class InvalidCheckIn(HazardsError):
    """A check-in that cannot be recorded; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DeviceRefused(HazardsError):
    """A device call that is unsigned, wrongly signed, stale or from an unknown device."""


class FixTaskRefused(HazardsError):
    """A fix task cannot be made or moved that way; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DuplicateFixTask(HazardsError):
    """The protection already has an open fix task; ``task_id`` is that task."""

    def __init__(self, task_id: str):
        super().__init__(f"this protection already has an open fix task: {task_id}")
        self.task_id = task_id
