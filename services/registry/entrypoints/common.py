"""What every registry view needs: the acting person, and the child as a role may see it."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from flask import request
from flask_smorest import abort

from services.registry.domain.model import Child, age_band
from services.registry.service_layer.assessment import home_of
from services.registry.service_layer.context import Actor
from shared.access import roles, shape
from shared.auth.flask import current_principal

STAFF = roles("child", "write")
READERS = roles("child", "read")


def actor() -> Actor:
    """The caller, with where the request came from and why (X-Purpose header)."""
    return Actor(current_principal(), request.remote_addr or "",
                 request.headers.get("X-Purpose", "")[:200])


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def if_match_version() -> int:
    """The version named by If-Match ('"3"' or 'W/"3"'); 428 when absent or unreadable,
    so a change never lands on a record its sender did not read."""
    raw = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        abort(428, message="send If-Match with the ETag you last read")
    return int(raw)


def page_of(items: list[dict[str, Any]], total: int, q: dict[str, Any]) -> dict[str, Any]:
    """A paged list's body (``shared.schemas.PageOut``): the items shown and where they stand."""
    return {"items": items, "page": q["page"], "page_size": q["page_size"], "total": total}


def child_view(child: Child, who: Actor, today: date) -> dict[str, Any]:
    """The child as this caller may see it: the policy's fields, masked where it says."""
    view = asdict(child)
    view.update(age=child.age(today), age_band=age_band(child.birth_date, today),
                living_alone=child.living_alone(today),
                home=home_of(child))
    return shape(who.principal.role, "child", view)
