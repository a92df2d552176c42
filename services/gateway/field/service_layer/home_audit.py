"""The audit of the gateway's exact-home reads.

Station staff and child directors see homes as exact points on the map and in the
overlay (docs/adr/0403-home-privacy-cells.md). Each such answer writes one row to the
gateway's hash-chained ``audit_log`` (shared/audit.py): who, which view, which scope
(township or villages), and every field it sent. One row per answer, not per child:
a township map holds thousands of homes, and the row names the scope they came from.
Cells, which identify no home, are not audited.
"""

from __future__ import annotations

from sqlalchemy import Engine

from services.gateway.read_model.domain.privacy import HomeView, home_view
from shared import audit
from shared.auth.principal import Principal

# What each view sends of a home: the map's home features, the overlay's rows.
MAP_HOME_FIELDS = ("id", "home", "risk_grade", "age_band", "village_code", "css", "water_m")
NEAREST_FIELDS = ("child_id", "village_code", "water", "road")


def scope_of(principal: Principal) -> str:
    """The places an answer covered: the villages, else the township, else district."""
    places = ",".join(sorted(principal.village_codes)) or principal.township_code
    return (places or "district")[:64]


def audit_exact_homes(engine: Engine, principal: Principal, view: str,
                      fields: tuple[str, ...], remote_addr: str, purpose: str) -> None:
    """Record an answer that carried exact homes; nothing for callers shown cells."""
    if home_view(principal) is not HomeView.EXACT:
        return
    with engine.begin() as conn:
        audit.record(conn, principal, "read", view, scope_of(principal), fields, purpose,
                     remote_addr)
