"""Command handlers: one function per command, each one transaction."""

from __future__ import annotations

from datetime import date

from services.registry.domain.exceptions import InvalidChild
from services.registry.domain.model import Child, age_band
from services.registry.service_layer.commands import RegisterChild
from services.registry.service_layer.unit_of_work import RegistryUnitOfWork
from shared.config import Region
from shared.geo import CoordinateError, check_in_region, to_wgs84


def register_child(uow: RegistryUnitOfWork, cmd: RegisterChild, region: Region,
                   today: date | None = None) -> Child:
    lon, lat = to_wgs84(cmd.home_lon, cmd.home_lat, cmd.home_datum)
    try:
        check_in_region(lon, lat, region, "home")
    except CoordinateError as exc:
        raise InvalidChild("home", str(exc)) from exc
    today = today or date.today()
    if cmd.birth_date > today:
        raise InvalidChild("birth_date", "lies in the future")
    child = Child(name=cmd.name, gender=cmd.gender, birth_date=cmd.birth_date,
                  village_code=cmd.village_code, home_lon=lon, home_lat=lat,
                  categories=list(cmd.categories))
    with uow:
        uow.children.add(child)
        uow.publish("registry.child.registered.v1", {
            "child_id": child.id,
            "village_code": child.village_code,
            "home": {"lon": child.home_lon, "lat": child.home_lat},
            "age_band": age_band(child.birth_date, today),
            "risk_grade": child.risk_grade,
            "categories": child.categories,
        })
    return child
