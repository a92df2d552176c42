"""The registry's error vocabulary; entrypoints map it to HTTP in one place."""


class RegistryError(Exception):
    """Base of the registry's domain errors."""


class InvalidChild(RegistryError):
    """Input that cannot describe a child; ``field`` names the offending field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ChildNotFound(RegistryError):
    pass
