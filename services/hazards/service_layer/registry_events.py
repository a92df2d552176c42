"""Registry events the hazards worker consumes: home locations for patrol planning.

Only the opaque child id, the village and the point are kept; nothing else about
the child reaches this service's database.
"""

from __future__ import annotations

from sqlalchemy import Connection

from services.hazards.adapters.patrol_repository import HomeRepository
from shared.events.envelope import CloudEvent


def child_located(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    if d["home"] is None:  # no coordinates: nothing to plan patrols around
        HomeRepository(conn).remove(d["child_id"])
        return
    HomeRepository(conn).put(d["child_id"], d["village_code"], d["home"]["lon"],
                             d["home"]["lat"])


def child_archived(conn: Connection, event: CloudEvent) -> None:
    HomeRepository(conn).remove(event.data["child_id"])


HANDLERS = {
    "registry.child.registered.v1": child_located,
    "registry.child.updated.v1": child_located,
    "registry.child.archived.v1": child_archived,
}
