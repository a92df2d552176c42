"""Event handlers that build the read model; each runs in the consumer's transaction."""

from __future__ import annotations

from sqlalchemy import Connection

from services.gateway.adapters.read_model_store import ReadModelStore
from services.gateway.domain.read_model import ChildHome, HazardShape
from shared.events.envelope import CloudEvent


def child_registered(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    ReadModelStore(conn).put_child(ChildHome(
        child_id=d["child_id"], village_code=d["village_code"], lon=d["home"]["lon"],
        lat=d["home"]["lat"], age_band=d["age_band"], risk_grade=d["risk_grade"],
    ))


def hazard_created(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    ReadModelStore(conn).put_hazard(HazardShape(
        hazard_id=d["hazard_id"], kind=d["kind"], name=d["name"], geometry=d["geometry"],
    ))


HANDLERS = {
    "registry.child.registered.v1": child_registered,
    "hazards.hazard.created.v1": hazard_created,
}
