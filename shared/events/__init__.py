"""Event contracts: the CloudEvents envelope, data schemas and the catalogue."""

from shared.events.catalogue import Catalogue, Classification, EventSpec, default_catalogue
from shared.events.envelope import CONTENT_TYPE, CloudEvent, EnvelopeError

__all__ = [
    "CONTENT_TYPE",
    "Catalogue",
    "Classification",
    "CloudEvent",
    "EnvelopeError",
    "EventSpec",
    "default_catalogue",
]
