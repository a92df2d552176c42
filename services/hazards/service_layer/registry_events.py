"""Registry events the hazards worker consumes: home locations for patrol planning.

Only the opaque child id, the village and the point are kept; nothing else about
the child reaches this service's database.
"""

from __future__ import annotations

from services.hazards.service_layer.unit_of_work import HazardsUnitOfWork
from shared.events.envelope import CloudEvent
from shared.messaging.handlers import EventHandler


def child_located(uow: HazardsUnitOfWork, event: CloudEvent) -> None:
    d = event.data
    if d["home"] is None:  # no coordinates: nothing to plan patrols around
        uow.homes.remove(d["child_id"])
        return
    uow.homes.put(d["child_id"], d["village_code"], d["home"]["lon"], d["home"]["lat"])


def child_archived(uow: HazardsUnitOfWork, event: CloudEvent) -> None:
    uow.homes.remove(event.data["child_id"])


HANDLERS: dict[str, EventHandler[HazardsUnitOfWork]] = {
    "registry.child.registered.v1": child_located,
    "registry.child.updated.v1": child_located,
    "registry.child.archived.v1": child_archived,
}
