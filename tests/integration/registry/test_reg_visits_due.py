"""Children due a visit, paged, filtered and ordered by the database on SQLite and
PostgreSQL: a page holds only its children, the total counts every child due, the
longest overdue come first, and only the children shown are audited reads."""

from __future__ import annotations

from datetime import date, timedelta

from reg_helpers import OTHER_VILLAGE, register_many
from sqlalchemy import func, select, update

from services.registry.adapters.tables import audit_log, children
from shared.auth import Role


def _due_on(registry, ids: list[str], day: date) -> None:  # type: ignore[no-untyped-def]
    with registry.engine.begin() as conn:
        conn.execute(update(children).where(children.c.id.in_(ids)).values(next_visit_due=day))


def _reads(registry) -> int:  # type: ignore[no-untyped-def]
    with registry.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit_log).where(
            audit_log.c.action == "read")).scalar_one()


def test_visits_due_are_paged_in_the_database_and_only_shown_ones_audited(client, auth,
                                                                          registry):
    ids = register_many(client, auth(), 56)
    later = register_many(client, auth(), 3, village_code=OTHER_VILLAGE)
    today = date.today()
    _due_on(registry, ids, today + timedelta(days=3))
    _due_on(registry, ids[:2], today - timedelta(days=10))  # overdue: listed first
    _due_on(registry, later, today + timedelta(days=60))  # not due within the period
    until = (today + timedelta(days=7)).isoformat()
    before = _reads(registry)
    first = client.get(f"/visits/due?until={until}&page=1&page_size=50", headers=auth()).json
    assert first["total"] == 56 and len(first["items"]) == 50
    assert {i["child_id"] for i in first["items"][:2]} == set(ids[:2])
    assert all(i["overdue"] for i in first["items"][:2]) and not first["items"][2]["overdue"]
    assert _reads(registry) - before == 50  # the children shown, not all 56 due
    second = client.get(f"/visits/due?until={until}&page=2&page_size=50", headers=auth()).json
    shown = [i["child_id"] for i in first["items"] + second["items"]]
    assert len(second["items"]) == 6 and sorted(shown) == sorted(ids)  # none twice, none lost
    director = auth(Role.CHILD_DIRECTOR, frozenset({OTHER_VILLAGE}), "u-other")
    far = (today + timedelta(days=90)).isoformat()
    theirs = client.get(f"/visits/due?until={far}", headers=director).json
    assert theirs["total"] == 3 and {i["child_id"] for i in theirs["items"]} == set(later)
    assert set(theirs["items"][0]) == {"child_id", "name", "village_code", "risk_grade",
                                       "next_visit_due", "child_director_id", "overdue"}
    too_big = client.get(f"/visits/due?until={until}&page_size=500", headers=auth())
    assert too_big.status_code == 422 and "page_size" in str(too_big.json)
