"""Hazards events the registry's worker consumes: the water hazards of the risk model.

A hazard change only records the new geometry and asks for a reassessment: a hazards
import sends hundreds of events, and one reassessment after them is enough (the
worker's scanner serves the request, ``assessment.reassess_if_requested``).
"""

from __future__ import annotations

from services.registry.service_layer.unit_of_work import RegistryUnitOfWork
from shared.events.envelope import CloudEvent
from shared.events.vocabulary import WATER_KINDS
from shared.messaging.handlers import EventHandler


def on_hazard_changed(uow: RegistryUnitOfWork, event: CloudEvent) -> None:
    data = event.data
    if data["kind"] in WATER_KINDS:
        uow.water.upsert(data["hazard_id"], data["kind"], data["geometry"])
    elif not uow.water.remove(data["hazard_id"]):
        return  # a road or terrain hazard: no water factor changes
    uow.water.request_reassessment()


def on_hazard_retired(uow: RegistryUnitOfWork, event: CloudEvent) -> None:
    if uow.water.remove(event.data["hazard_id"]):
        uow.water.request_reassessment()


def on_zone_changed(uow: RegistryUnitOfWork, event: CloudEvent) -> None:
    if uow.water.set_zone(event.data["hazard_id"], event.data["zone"]):
        uow.water.request_reassessment()


HANDLERS: dict[str, EventHandler[RegistryUnitOfWork]] = {
    "hazards.hazard.created.v1": on_hazard_changed,
    "hazards.hazard.updated.v1": on_hazard_changed,
    "hazards.hazard.retired.v1": on_hazard_retired,
    "hazards.zone.changed.v1": on_zone_changed,
}
