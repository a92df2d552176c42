"""The gateway's error vocabulary; entrypoints/errors.py maps it to HTTP."""


class GatewayError(Exception):
    """Base of the gateway's errors."""


class NotFound(GatewayError):
    """No such plan, team or table (or not in the caller's scope)."""


class InvalidPlan(GatewayError):
    """A patrol plan request that cannot be planned; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UpstreamUnavailable(GatewayError):
    """The owning service of a forwarded write did not answer; the phone retries."""


class InvalidRoads(InvalidPlan):
    """A road network file that cannot be imported; ``field`` names what is wrong."""
