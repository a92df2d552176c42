"""The hazards service's error vocabulary."""


class HazardsError(Exception):
    """Base of the hazards service's domain errors."""


class InvalidHazard(HazardsError):
    """A hazard that cannot be stored; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
