"""The gateway's error vocabulary; each kind becomes an HTTP status in shared/web.py."""

from shared.errors import DomainError, FieldError, Kind


class GatewayError(DomainError):
    """Base of the gateway's errors."""


class NotFound(GatewayError):
    """No such plan, team or table (or not in the caller's scope)."""

    kind = Kind.NOT_FOUND


class InvalidPlan(FieldError, GatewayError):
    """A patrol plan request that cannot be planned; ``field`` names what is wrong."""


class UpstreamUnavailable(GatewayError):
    """The owning service of a forwarded write did not answer; the phone retries."""

    kind = Kind.UNAVAILABLE

    def __init__(self, service: str):
        super().__init__(f"{service} service unavailable; retry")
        self.service = service


class InvalidRoads(InvalidPlan):
    """A road network file that cannot be imported; ``field`` names what is wrong."""
