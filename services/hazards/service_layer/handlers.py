"""Command handlers of the hazards service."""

from __future__ import annotations

from shapely.geometry import mapping

from services.hazards.domain.model import Hazard
from services.hazards.service_layer.unit_of_work import HazardsUnitOfWork
from shared.config import Region


def add_hazard(uow: HazardsUnitOfWork, hazard: Hazard, region: Region) -> Hazard:
    hazard.check(region)
    with uow:
        uow.hazards.add(hazard)
        uow.publish("hazards.hazard.created.v1", {
            "hazard_id": hazard.id, "kind": hazard.kind, "name": hazard.name,
            "geometry": mapping(hazard.geometry),
        })
    return hazard
