"""A child's director needs a valid background check (ADR 0506): the registry learns
each person's standing from gateway.staff_check.recorded.v1, as its worker consumes
it, and refuses, naming the field, a director whose check is missing, expired, not yet
valid or matched, on registration, update and merge. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

from reg_helpers import child_body, staff_check

from services.registry.domain.staff_checks import StaffCheck

TODAY = date.today()


def _refused(resp, reason: str) -> None:  # type: ignore[no-untyped-def]
    assert resp.status_code == 422, resp.json
    [message] = resp.json["errors"]["json"]["child_director_id"]
    assert reason in message and "不能担任儿童主任" in message


def test_the_registry_keeps_each_persons_latest_check_once(registry):
    assert staff_check(registry, "dir-1") == "applied"
    with registry.uow() as uow:
        assert uow.staff_checks.get("dir-1") == StaffCheck(
            "dir-1", "clear", TODAY, TODAY + timedelta(days=365))
        assert uow.staff_checks.get("nobody") is None
    assert staff_check(registry, "dir-1", "match") == "applied"  # a later check's standing
    with registry.uow() as uow:
        found = uow.staff_checks.get("dir-1")
    assert found is not None and found.result == "match" and found.valid_until is None
    assert found.end_by == TODAY + timedelta(days=42)


def test_a_director_without_a_valid_check_is_refused_by_name(client, auth, registry):
    staff_check(registry, "dir-clear")
    staff_check(registry, "dir-expired", checked_on=TODAY - timedelta(days=400),
                valid_until=TODAY - timedelta(days=35))
    staff_check(registry, "dir-later", checked_on=TODAY + timedelta(days=3))
    staff_check(registry, "dir-match", "match")
    for person, reason in (("dir-none", "no background check"), ("dir-expired", "expired"),
                           ("dir-later", "not yet valid"), ("dir-match", "found a record")):
        _refused(client.post("/children", json=child_body(
            name=f"主任{person}", child_director_id=person), headers=auth()), reason)
    made = client.post("/children", json=child_body(child_director_id="dir-clear"),
                       headers=auth())
    assert made.status_code == 201 and made.json["child_director_id"] == "dir-clear"
    assert client.get("/children", headers=auth()).json["total"] == 1  # nothing else stored

    url = f"/children/{made.json['id']}"
    _refused(client.patch(url, json={"child_director_id": "dir-match"},
                          headers={**auth(), "If-Match": '"1"'}), "found a record")
    staff_check(registry, "dir-clear", "match")  # her check finds a record later
    kept = client.patch(url, json={"school": "扶欢小学"}, headers={**auth(), "If-Match": '"1"'})
    assert kept.status_code == 200  # the child's other facts can still be corrected
    assert kept.json["child_director_id"] == "dir-clear"  # /checks shows her blocked
    staff_check(registry, "dir-new")
    moved = client.patch(url, json={"child_director_id": "dir-new"},
                         headers={**auth(), "If-Match": '"2"'})
    assert moved.status_code == 200 and moved.json["child_director_id"] == "dir-new"


def test_a_merge_cannot_bring_in_a_director_without_a_check(client, auth, registry):
    first = client.post("/children", json=child_body(), headers=auth())
    assert first.status_code == 201
    again = client.post("/children?on_duplicate=merge",
                        json=child_body(child_director_id="dir-none"), headers=auth())
    _refused(again, "no background check")
    staff_check(registry, "dir-ok")
    merged = client.post("/children?on_duplicate=merge",
                         json=child_body(child_director_id="dir-ok"), headers=auth())
    assert merged.status_code == 201 and merged.json["id"] == first.json["id"]
    assert merged.json["child_director_id"] == "dir-ok"
