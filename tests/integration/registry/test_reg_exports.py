"""Bulk exports need a supervisor's approval; searches and exports are rate limited."""

from __future__ import annotations

import csv
import io

import pytest
from reg_helpers import KEYS, register_many

from shared.auth import Principal, Role
from shared.auth.approvals import HEADER, issue_approval
from shared.auth.ratelimit import EXPORTS_PER_MINUTE, SEARCHES_PER_MINUTE

SUPERVISOR = Principal("sup-1", Role.CHILD_SUPERVISOR, "500110120")
ROSTER = "/rosters/in_difficulty"


def _approval(requester: str, max_rows: int,
              export: str = "roster:in_difficulty") -> dict[str, str]:
    return {HEADER: issue_approval(KEYS, SUPERVISOR, requester, "县民政局季度报送", max_rows,
                                   export)}


def _exports(client, auth):  # type: ignore[no-untyped-def]
    return client.get("/audit?action=export&object_type=child&page_size=100",
                      headers=auth()).json


def test_a_roster_of_more_than_50_children_needs_an_approval_for_its_requester(client, auth):
    register_many(client, auth(), 51, categories=["disabled"])

    refused = client.get(ROSTER, headers=auth())
    assert refused.status_code == 403 and HEADER in refused.json["message"]
    for wrong in (_approval("someone-else", 100), _approval("u-admin", 50)):
        for fmt in ("json", "csv"):
            resp = client.get(f"{ROSTER}?format={fmt}", headers={**auth(), **wrong})
            assert resp.status_code == 403, (fmt, resp.json)
    other_roster = _approval("u-admin", 100, "roster:orphan")
    assert client.get(ROSTER, headers={**auth(), **other_roster}).status_code == 403
    forged = {HEADER: _approval("u-admin", 100)[HEADER][:-4] + "AAAA"}
    assert client.get(ROSTER, headers={**auth(), **forged}).status_code == 403
    assert _exports(client, auth)["total"] == 0  # nothing refused was audited as exported

    approved = {**auth(), **_approval("u-admin", 60), "X-Purpose": "quarterly report"}
    assert len(client.get(ROSTER, headers=approved).json) == 51
    again = client.get(f"{ROSTER}?format=csv", headers=approved)  # single use
    assert again.status_code == 403 and "used already" in again.json["message"]
    fresh = {**approved, **_approval("u-admin", 60)}
    text = client.get(f"{ROSTER}?format=csv", headers=fresh).data.decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(text)))) == 51
    rows = _exports(client, auth)
    assert rows["total"] == 102
    assert {r["purpose"] for r in rows["items"]} == {
        "approved by sup-1: 县民政局季度报送 | quarterly report"}


def test_an_approval_is_capped_and_names_one_known_export():
    for export, rows in (("roster:orphan", 10_001), ("everything", 60)):
        with pytest.raises(ValueError):
            issue_approval(KEYS, SUPERVISOR, "u-admin", "x", rows, export)


def test_fifty_children_are_a_roster_anyone_on_staff_may_take(client, auth):
    register_many(client, auth(), 50, categories=["disabled"])
    director = auth(Role.CHILD_DIRECTOR, frozenset({"500110120201"}), "dir-a")
    assert len(client.get(ROSTER, headers=director).json) == 50
    assert {r["purpose"] for r in _exports(client, auth)["items"]} == {""}


def test_children_pages_hold_at_most_50(client, auth):
    assert client.get("/children?page_size=50", headers=auth()).status_code == 200
    assert client.get("/children?page_size=51", headers=auth()).status_code == 422


def test_exports_are_limited_per_person_with_429(client, auth):
    for path in ("/rosters/orphan?format=csv", "/ledgers/hotline", "/audit/export"):
        codes = [client.get(path, headers=auth()).status_code
                 for _ in range(EXPORTS_PER_MINUTE + 1)]
        assert codes == [200] * EXPORTS_PER_MINUTE + [429], path
        last = client.get(path, headers=auth())
        assert "too many exports" in last.json["message"]
        assert 0 < int(last.headers["Retry-After"]) <= 60
        other = auth(Role.STATION_ADMIN, user="u-admin-2")
        assert client.get(path, headers=other).status_code == 200  # counted per person


@pytest.mark.parametrize("path", ["/children?category=orphan", "/cases?step=report"])
def test_searches_are_limited_with_429(client, auth, path):
    codes = [client.get(path, headers=auth()).status_code
             for _ in range(SEARCHES_PER_MINUTE + 1)]
    assert codes == [200] * SEARCHES_PER_MINUTE + [429]
    assert "too many searches" in client.get(path, headers=auth()).json["message"]
    other = auth(Role.STATION_ADMIN, user="u-admin-2")
    assert client.get(path, headers=other).status_code == 200  # counted per person
