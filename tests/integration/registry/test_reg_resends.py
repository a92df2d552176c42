"""Field writes are safe to resend: a phone on weak mobile data sends a visit or a case
again when the answer was lost, or twice at once, and nothing is doubled."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone

from alembic import command
from reg_helpers import VILLAGE, alembic_config, child_body, events, migrated_to
from sqlalchemy import func, insert, select, text

from services.registry.adapters.tables import visits
from services.registry.bootstrap import MIGRATIONS
from services.registry.domain.visits import Visit
from services.registry.entrypoints.api import create_app
from shared.auth import Role
from shared.db import migrate

VISITED = "2026-11-20T10:00:00+08:00"
RECORDED = "registry.visit.recorded.v1"
OPENED = "registry.case.opened.v1"


def _visit(client, headers, child_id, visited_at=VISITED, **extra):  # type: ignore[no-untyped-def]
    return client.post(f"/children/{child_id}/visits", headers=headers,
                       json={"visited_at": visited_at, **extra})


def _each_at_once(n, send):  # type: ignore[no-untyped-def]
    """``send()`` from ``n`` threads at once: the answers, in no particular order."""
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: send(), range(n)))


def _own_client(registry):  # type: ignore[no-untyped-def]
    """A client of its own (one per thread), on the same registry and database."""
    return create_app(registry).test_client()


def test_a_resent_visit_is_answered_with_the_stored_one(client, auth, registry):
    director = auth(Role.CHILD_DIRECTOR, frozenset({VILLAGE}), "u-director")
    child = client.post("/children", json=child_body(), headers=director).json
    first = _visit(client, director, child["id"], findings={"home_safety": "井口无盖"})
    assert first.status_code == 201, first.json
    high = client.patch(f"/children/{child['id']}", headers={**director, "If-Match": '"2"'},
                        json={"categories": ["disabled", "victimised", "orphan"]})
    assert high.json["risk_grade"] == "high"  # a recomputed due date would be 7 days on
    again = _visit(client, director, child["id"], findings={"home_safety": "已加盖"})
    assert again.status_code == 200 and again.json == first.json
    assert first.json["next_due"] != (date(2026, 11, 20) + timedelta(days=7)).isoformat()
    [stored] = client.get(f"/children/{child['id']}/visits", headers=director).json
    assert stored["id"] == first.json["visit_id"]
    assert stored["findings"] == {"home_safety": "井口无盖"}  # the first findings stand
    assert [e["visit_id"] for e in events(registry, RECORDED)] == [first.json["visit_id"]]
    after = client.get(f"/children/{child['id']}", headers=director)
    assert after.headers["ETag"] == high.headers["ETag"]  # the child was not saved again


def test_another_time_or_visitor_is_another_visit_and_offsets_name_one_instant(
        client, auth, registry):
    director = auth(Role.CHILD_DIRECTOR, frozenset({VILLAGE}), "u-director")
    child_id = client.post("/children", json=child_body(), headers=director).json["id"]
    first = _visit(client, director, child_id).json["visit_id"]
    same_instant = _visit(client, director, child_id, "2026-11-20T02:00:00+00:00")
    assert same_instant.status_code == 200 and same_instant.json["visit_id"] == first
    later = _visit(client, director, child_id, "2026-11-20T10:00:00+00:00")
    colleague = _visit(client, auth(Role.CHILD_SUPERVISOR, user="u-supervisor"), child_id)
    assert (later.status_code, colleague.status_code) == (201, 201)
    ids = {first, later.json["visit_id"], colleague.json["visit_id"]}
    assert len(ids) == 3
    listed = client.get(f"/children/{child_id}/visits", headers=director).json
    assert {v["id"] for v in listed} == ids
    assert {datetime.fromisoformat(v["visited_at"]) for v in listed} == {  # read as instants
        datetime(2026, 11, 20, 2, tzinfo=UTC), datetime(2026, 11, 20, 10, tzinfo=UTC)}
    assert {e["visit_id"] for e in events(registry, RECORDED)} == ids


def test_copies_of_a_visit_sent_at_once_store_one(client, auth, registry):
    director = auth(Role.CHILD_DIRECTOR, frozenset({VILLAGE}), "u-director")
    child_id = client.post("/children", json=child_body(), headers=director).json["id"]
    answers = _each_at_once(4, lambda: _visit(_own_client(registry), director, child_id))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert len({a.json["visit_id"] for a in answers}) == 1
    assert len(client.get(f"/children/{child_id}/visits", headers=director).json) == 1
    assert len(events(registry, RECORDED)) == 1


def test_the_unique_index_refuses_a_copy_without_an_error(client, auth, registry):
    child_id = client.post("/children", json=child_body(), headers=auth()).json["id"]
    at = datetime(2026, 11, 20, 2, tzinfo=UTC)
    with registry.uow() as uow:
        assert uow.visits.add(Visit(child_id, "u1", at), VILLAGE, date(2026, 12, 20))
        copy = Visit(child_id, "u1", at.astimezone(timezone(timedelta(hours=8))))
        assert not uow.visits.add(copy, VILLAGE, date(2027, 1, 1))
        assert uow.visits.find(child_id, "u1", at)[1] == date(2026, 12, 20)


def test_migration_keeps_one_of_the_visits_stored_twice(database_url):
    engine = migrated_to(database_url, "0006_reg")
    row = {"child_id": "c1", "village_code": VILLAGE, "visitor_id": "u1", "findings": {},
           "next_steps": "", "next_due": date(2026, 12, 20)}
    with engine.begin() as conn:
        for visit_id, hour in (("v2", 2), ("v1", 2), ("v3", 3)):
            conn.execute(insert(visits).values(
                **row, id=visit_id, visited_at=datetime(2026, 11, 20, hour, tzinfo=UTC)))
    migrate(database_url, MIGRATIONS)
    with engine.connect() as conn:
        kept = conn.execute(select(visits.c.id).order_by(visits.c.id)).scalars().all()
        assert conn.execute(select(func.count()).select_from(visits)).scalar_one() == 2
        [resent] = conn.execute(text("SELECT id, child_id FROM visits_resent")).all()
    command.downgrade(alembic_config(database_url), "0006_reg")  # and back, whole
    with engine.connect() as conn:
        back = conn.execute(select(visits.c.id).order_by(visits.c.id)).scalars().all()
    engine.dispose()
    assert kept == ["v1", "v3"] and tuple(resent) == ("v2", "c1")  # moved aside, not lost
    assert back == ["v1", "v2", "v3"]


def _close(client, case_id, headers):  # type: ignore[no-untyped-def]
    return client.post(f"/cases/{case_id}/transitions", headers=headers,
                       json={"to_step": "closed", "outcome": "guardian back home"})


def test_a_second_open_case_of_a_situation_is_refused_naming_the_first(client, auth, registry):
    child_id = client.post("/children", json=child_body(), headers=auth()).json["id"]
    body = {"child_id": child_id, "situation": "guardian_incapable"}
    first = client.post("/cases", json=body, headers=auth()).json["id"]
    again = client.post("/cases", json={**body, "severity": "urgent"}, headers=auth())
    assert again.status_code == 409 and again.json["errors"] == {"case_id": first}
    assert again.json["message"] == (f"child {child_id} already has an open case of "
                                     f"situation guardian_incapable: {first}")
    other = client.post("/cases", json={**body, "situation": "missing"}, headers=auth())
    assert other.status_code == 201
    assert _close(client, first, auth()).status_code == 200
    reopened = client.post("/cases", json=body, headers=auth())
    assert reopened.status_code == 201 and reopened.json["id"] != first
    assert [e["case_id"] for e in events(registry, OPENED)] == [
        first, other.json["id"], reopened.json["id"]]


def test_copies_of_a_case_sent_at_once_open_one(client, auth, registry):
    child_id = client.post("/children", json=child_body(), headers=auth()).json["id"]
    answers = _each_at_once(4, lambda: _own_client(registry).post(
        "/cases", json={"child_id": child_id, "situation": "missing"}, headers=auth()))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    [opened] = [a.json["id"] for a in answers if a.status_code == 201]
    assert {a.json["errors"]["case_id"] for a in answers if a.status_code == 409} == {opened}
    assert len(events(registry, OPENED)) == 1


def test_the_automatic_living_alone_case_is_never_doubled(client, auth, registry):
    body = child_body(guardians=[{"name": "测试祖母", "relation": "祖母", "age": 70,
                                  "present": False}])
    child = client.post("/children", json=body, headers=auth()).json
    [auto] = [e["case_id"] for e in events(registry, OPENED)]
    by_hand = client.post("/cases", json={"child_id": child["id"], "situation": "living_alone"},
                          headers=auth())
    assert by_hand.status_code == 409 and by_hand.json["errors"]["case_id"] == auto
    merged = client.post("/children?on_duplicate=merge", json=body, headers=auth())
    assert merged.status_code == 201, merged.json
    assert _close(client, auto, auth()).status_code == 200
    patched = client.patch(f"/children/{child['id']}", json={"school": "x"},
                           headers={**auth(), "If-Match": merged.headers["ETag"]})
    assert patched.status_code == 200  # still alone: the closed case gives way to a new one
    assert [e["case_id"] for e in events(registry, OPENED)][0] == auto
    assert len(events(registry, OPENED)) == 2
