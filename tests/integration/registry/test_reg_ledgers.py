"""Rosters, reception/hotline ledgers and the quarterly review over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from reg_helpers import OTHER_VILLAGE, VILLAGE, child_body

from services.registry.service_layer.reports import quarter_of
from shared.auth import Role


def test_rosters_by_category_export_as_csv_and_xlsx(client, auth):
    client.post("/children", json=child_body(name="甲", categories=["disabled"]), headers=auth())
    client.post("/children", json=child_body(name="乙", categories=["left_behind"]),
                headers=auth())
    client.post("/children", json=child_body(name="丙"), headers=auth())
    names = [c["name"] for c in client.get("/rosters/in_difficulty", headers=auth()).json]
    assert names == ["甲"]
    text = client.get("/rosters/left_behind?format=csv", headers=auth()).data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == ["乙"] and rows[0]["categories"] == "left_behind"
    wb = load_workbook(io.BytesIO(client.get("/rosters/in_difficulty?format=xlsx",
                                             headers=auth()).data))
    assert [c.value for c in wb.active[2]][1] == "甲"
    assert client.get("/rosters/rich", headers=auth()).status_code == 404


def test_reception_and_hotline_ledgers_are_scoped(client, auth):
    entry = {"village_code": VILLAGE, "contact": "来电人", "summary": "反映河边无护栏"}
    assert client.post("/ledgers/hotline", json=entry, headers=auth()).status_code == 201
    other = auth(Role.CHILD_DIRECTOR, frozenset({OTHER_VILLAGE}), "u-other")
    assert client.post("/ledgers/hotline", json=entry, headers=other).status_code == 404
    assert client.get("/ledgers/hotline", headers=other).json == []
    rows = client.get("/ledgers/hotline", headers=auth()).json
    assert [r["summary"] for r in rows] == ["反映河边无护栏"]
    assert client.get("/ledgers/reception", headers=auth()).json == []
    csv_text = client.get("/ledgers/hotline?format=csv", headers=auth()).data.decode("utf-8-sig")
    assert "反映河边无护栏" in csv_text


def test_quarterly_review_per_village(client, auth):
    visited = datetime.now(UTC) - timedelta(seconds=1)   # a visit may not lie in the future
    quarter = quarter_of(visited.date())
    a = client.post("/children", json=child_body(name="甲", categories=["disabled"]),
                    headers=auth()).json
    client.post("/children", json=child_body(name="乙"), headers=auth())
    client.post("/children", json=child_body(name="丙", village_code=OTHER_VILLAGE),
                headers=auth())
    client.post(f"/children/{a['id']}/visits", json={"visited_at": visited.isoformat()},
                headers=auth())
    marked = client.post(f"/reviews/{quarter}/children/{a['id']}", headers=auth())
    assert marked.status_code == 200 and marked.json["reviewed_quarter"] == quarter
    assert client.post(f"/reviews/2001Q1/children/{a['id']}", headers=auth()).status_code == 422
    summary = {v["village_code"]: v for v in client.get(f"/reviews/{quarter}",
                                                        headers=auth()).json}
    mine = summary[VILLAGE]
    assert (mine["children"], mine["unreviewed"], mine["visits_done"]) == (2, 1, 1)
    assert mine["by_category"] == {"disabled": 1} and sum(mine["by_grade"].values()) == 2
    assert summary[OTHER_VILLAGE]["children"] == 1
    left = client.get(f"/reviews/{quarter}/unreviewed", headers=auth()).json
    assert sorted(c["name"] for c in left) == ["丙", "乙"]
    assert client.get("/reviews/2026Q5", headers=auth()).status_code == 422
