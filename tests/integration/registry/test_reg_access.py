"""The attacks of issue 13 against the registry, on SQLite and PostgreSQL: each must fail.

Rebuilding an ID number from its mask, reading or overwriting another village's child
through a duplicate, a 409 naming an out-of-scope record, the police reading a case
never referred to them, a school answering a police referral, a planner reading a child,
unlimited registrations; and cases audited when opened automatically or refused a step.
"""

from __future__ import annotations

import csv
import io
import json

from reg_helpers import KEYS, OTHER_VILLAGE, VILLAGE, child_body
from sqlalchemy import select
from test_reg_import import HEADERS, good

from services.registry.entrypoints.children_api import REGISTRATIONS_PER_MINUTE
from shared.access import POLICE_CASE, POLICE_CHILD, SCHOOL_CASE, SCHOOL_CHILD
from shared.audit import AUDIT
from shared.auth import Principal, Role

ID_NUMBER = "500110201605010023"  # invented; valid check digit, born 2016-05-01, female
SCHOOL = "石龙小学"


def bearer(role: Role, user: str, unit: str = "",
           villages: frozenset[str] = frozenset()) -> dict[str, str]:
    token = KEYS.issue(Principal(user, role, "500110120", villages, unit))
    return {"Authorization": f"Bearer {token}"}


ADMIN = bearer(Role.STATION_ADMIN, "u-admin")
DIRECTOR = bearer(Role.CHILD_DIRECTOR, "u-director", villages=frozenset({VILLAGE}))
POLICE = bearer(Role.POLICE_LIAISON, "u-police")
TEACHER = bearer(Role.SCHOOL_LIAISON, "u-teacher", SCHOOL)


def register(client, headers=ADMIN, **over):  # type: ignore[no-untyped-def]
    resp = client.post("/children", json=child_body(**over), headers=headers)
    assert resp.status_code == 201, resp.json
    return resp.json


def audit_rows(registry, **where):  # type: ignore[no-untyped-def]
    with registry.engine.connect() as conn:
        rows = conn.execute(select(AUDIT).where(*(AUDIT.c[k] == v for k, v in where.items())))
        return [dict(r._mapping) for r in rows]


def test_a_masked_id_number_cannot_be_rebuilt(client):
    child = register(client, id_number=ID_NUMBER, school=SCHOOL, phone="13912345678")
    seen = client.get(f"/children/{child['id']}", headers=TEACHER)
    assert seen.status_code == 200, seen.json
    body = seen.json
    assert body["id_number"] == "500110************"  # birth date, sequence, check: hidden
    assert "birth_date" not in body and "home" not in body and "address" not in body
    assert set(body) <= set(SCHOOL_CHILD)
    assert ID_NUMBER[6:] not in str(body) and "13912345678" not in str(body)


def test_no_merge_or_409_reaches_another_villages_child(client):
    other = register(client, id_number=ID_NUMBER, village_code=OTHER_VILLAGE,
                     address="龙泉村三组", phone="13912345678")
    for query in ("", "?on_duplicate=merge"):
        resp = client.post("/children" + query, headers=DIRECTOR, json=child_body(
            id_number=ID_NUMBER, address="石龙村一组", phone="13800000000"))
        assert resp.status_code == 409, resp.json
        assert other["id"] not in str(resp.json) and "龙泉村三组" not in str(resp.json)
        assert "existing_id" not in (resp.json.get("errors") or {})
    kept = client.get(f"/children/{other['id']}", headers=ADMIN).json
    assert kept["address"] == "龙泉村三组" and kept["phone"] == "13912345678"
    assert kept["version"] == other["version"]


def test_a_ledger_import_never_names_another_villages_child(client):
    other = register(client, id_number=ID_NUMBER, village_code=OTHER_VILLAGE)
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADERS, good("别村儿童", "2016-05-01", 身份证号=ID_NUMBER)])
    report = client.post("/children/import?dry_run=true", headers=DIRECTOR, data={
        "file": (io.BytesIO(buf.getvalue().encode("utf-8-sig")), "l.csv")},
        content_type="multipart/form-data")
    assert report.status_code == 200, report.json
    rows = report.json["rows"]
    assert [(r["outcome"], [p["field"] for p in r["problems"]]) for r in rows] == [
        ("refuse", ["身份证号"])]
    assert rows[0]["child_id"] is None and rows[0]["changes"] == []
    assert other["id"] not in str(report.json) and "负责范围以外" in str(report.json)


def test_a_duplicate_in_scope_is_named(client):
    mine = register(client, DIRECTOR, id_number=ID_NUMBER)
    again = client.post("/children", headers=DIRECTOR, json=child_body(id_number=ID_NUMBER))
    assert again.status_code == 409 and again.json["errors"]["existing_id"] == mine["id"]


def test_duplicate_answers_are_rate_limited_per_person(client):
    register(client, id_number=ID_NUMBER)
    codes = [client.post("/children", json=child_body(id_number=ID_NUMBER),
                         headers=DIRECTOR).status_code for _ in range(21)]
    assert codes[:20] == [409] * 20 and codes[20] == 429
    assert client.post("/children", json=child_body(id_number=ID_NUMBER),
                       headers=ADMIN).status_code == 409  # another person is not held up


def test_registration_is_rate_limited_per_person(client):
    codes = {client.post("/children", json={}, headers=DIRECTOR).status_code
             for _ in range(REGISTRATIONS_PER_MINUTE)}
    assert codes == {422}
    assert client.post("/children", json={}, headers=DIRECTOR).status_code == 429
    assert client.post("/children", json={}, headers=ADMIN).status_code == 422


def _case(client, child_id, situation="domestic_violence"):  # type: ignore[no-untyped-def]
    resp = client.post("/cases", json={"child_id": child_id, "situation": situation},
                       headers=ADMIN)
    assert resp.status_code == 201, resp.json
    return resp.json


def test_police_read_only_cases_referred_to_them(client):
    child = register(client, id_number=ID_NUMBER)
    case = _case(client, child["id"])
    url = f"/cases/{case['id']}"
    assert client.get(url, headers=POLICE).status_code == 404
    assert client.get(f"/children/{child['id']}", headers=POLICE).status_code == 404
    assert client.get("/cases", headers=POLICE).json["total"] == 0
    assert client.get("/children", headers=POLICE).json["total"] == 0
    school_ref = client.post(url + "/referrals", json={"unit": "school"}, headers=ADMIN)
    assert client.get(url, headers=POLICE).status_code == 404  # referred, not to police
    client.post(url + "/referrals", json={"unit": "police"}, headers=ADMIN)
    seen = client.get(url, headers=POLICE)
    assert seen.status_code == 200 and set(seen.json) <= set(POLICE_CASE)
    assert "history" not in seen.json
    assert [r["unit"] for r in seen.json["referrals"]] == ["police"]
    assert school_ref.json["id"] not in str(seen.json)
    listed = client.get("/cases", headers=POLICE).json
    assert [c["id"] for c in listed["items"]] == [case["id"]]
    kid = client.get(f"/children/{child['id']}", headers=POLICE)
    assert kid.status_code == 200 and set(kid.json) <= set(POLICE_CHILD)
    assert kid.json["id_number"] == ID_NUMBER and "home" not in kid.json


def test_a_school_cannot_answer_a_police_referral(client):
    child = register(client, school=SCHOOL)
    case = _case(client, child["id"])
    url = f"/cases/{case['id']}"
    police_ref = client.post(url + "/referrals", json={"unit": "police"}, headers=ADMIN).json
    school_ref = client.post(url + "/referrals", json={"unit": "school"}, headers=ADMIN).json
    refused = client.post(f"{url}/referrals/{police_ref['id']}/feedback",
                          json={"feedback": "已处理"}, headers=TEACHER)
    assert refused.status_code == 404 and "report" not in str(refused.json)
    assert client.get(url, headers=ADMIN).json["referrals"][0]["open"] is True
    answered = client.post(f"{url}/referrals/{school_ref['id']}/feedback",
                           json={"feedback": "已复学"}, headers=TEACHER)
    assert answered.status_code == 200, answered.json
    assert set(answered.json) <= set(SCHOOL_CASE) and "report" not in answered.json
    assert [r["unit"] for r in answered.json["referrals"]] == ["school"]


def test_a_school_sees_only_its_pupils(client):
    pupil = register(client, school=SCHOOL)
    other = register(client, name="别校学生", school="龙泉中学")
    assert client.get(f"/children/{other['id']}", headers=TEACHER).status_code == 404
    listed = client.get("/children", headers=TEACHER).json
    assert [c["id"] for c in listed["items"]] == [pupil["id"]] and listed["total"] == 1
    no_unit = bearer(Role.SCHOOL_LIAISON, "u-unitless")
    assert client.get("/children", headers=no_unit).json["total"] == 0


def test_a_planner_never_receives_a_child(client):
    child = register(client)
    planner = bearer(Role.PLANNER, "u-planner")
    assert client.get(f"/children/{child['id']}", headers=planner).status_code == 403
    assert client.get("/children", headers=planner).status_code == 403


def test_reads_audit_exactly_the_fields_sent(client, registry):
    child = register(client, school=SCHOOL)
    body = client.get(f"/children/{child['id']}", headers=TEACHER).json
    row = audit_rows(registry, user_id="u-teacher", action="read", object_id=child["id"])[0]
    assert json.loads(row["fields"]) == sorted(body)


def test_the_automatic_case_is_audited(client, registry):
    child = register(client, living_alone=True)
    case = client.get(f"/cases?child_id={child['id']}", headers=ADMIN).json["items"][0]
    rows = audit_rows(registry, action="create", object_type="case", object_id=case["id"])
    assert len(rows) == 1 and rows[0]["purpose"].startswith("automatic")
    assert rows[0]["user_id"] == "u-admin"


def test_a_refused_step_is_audited(client, registry):
    child = register(client)
    case = _case(client, child["id"], "missing")
    refused = client.post(f"/cases/{case['id']}/transitions", headers=DIRECTOR,
                          json={"to_step": "guardianship_intervention"})
    assert refused.status_code == 409
    rows = audit_rows(registry, action="transition_refused", object_id=case["id"])
    assert [r["user_id"] for r in rows] == ["u-director"]
    assert client.get(f"/cases/{case['id']}", headers=ADMIN).json["step"] == "report"
