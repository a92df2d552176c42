"""Messy ledgers (every quirk of issue 12, XLSX and GBK CSV) through POST /children/import:
the right outcome per row, rule 1 on every stored row, the error workbook to fix."""

from __future__ import annotations

import io
from datetime import date

import messy_ledger
import pytest
from openpyxl import load_workbook

from shared.clock import township_today


def upload(client, headers, data: bytes, path: str = "/children/import", **query: str):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(f"{path}?{qs}", headers=headers, data={"file": (io.BytesIO(data), "f")},
                       content_type="multipart/form-data")


def right(report: dict, expected: dict) -> tuple[int, list]:
    wrong = []
    for r in report["rows"]:
        exp = expected[(r["sheet"], r["row"])]
        left = "left_behind" in r["categories"]
        if r["outcome"] != exp.outcome or (r["outcome"] != "refuse"
                                           and left != exp.left_behind):
            wrong.append((r["sheet"], r["row"], r["outcome"], exp, r["problems"]))
    return len(report["rows"]) - len(wrong), wrong


@pytest.mark.parametrize("kind", ["xlsx", "gbk_csv"])
def test_every_quirk_gets_the_right_outcome(client, auth, kind):
    today = township_today()
    data, expected = getattr(messy_ledger, kind)(96, today=today)
    report = upload(client, auth(), data).json
    assert len(report["rows"]) == len(expected)  # no title, blank or footer row read as a child
    ok, wrong = right(report, expected)
    assert wrong == []
    reasons = {i["reason"] for i in report["ignored"]}
    assert {"title", "blank", "footer"} <= reasons
    if kind == "xlsx":
        assert "merged" in reasons and {r["sheet"] for r in report["rows"]} == {"石足片区",
                                                                               "其他村"}
    flagged = [p["message"] for r in report["rows"] for p in r["problems"]
               if r["outcome"] == "flag"]
    assert any("不是电话号码" in m for m in flagged)
    assert any("不算留守儿童" in m for m in flagged)
    assert all(r["risk_grade"] for r in report["rows"] if r["outcome"] != "refuse")


def test_flagged_and_accepted_rows_are_stored_with_rule_1(client, auth):
    data, expected = messy_ledger.xlsx(60, today=township_today())
    report = upload(client, auth(), data, dry_run="false").json
    stored = [r for r in report["rows"] if r["outcome"] != "refuse"]
    assert report["imported"] == len(stored) and report["stored"] is True
    assert client.get("/children", headers=auth()).json["total"] == len(stored)
    roster = client.get("/rosters/left_behind", headers=auth()).json
    assert len(roster) == sum(1 for r in stored
                              if expected[(r["sheet"], r["row"])].left_behind)
    for r in stored[:10]:
        child = client.get(f"/children/{r['child_id']}", headers=auth()).json
        assert child["risk_grade"] == r["risk_grade"]
        assert sorted(child["categories"]) == sorted(r["categories"])


def test_the_error_workbook_holds_the_refused_rows_and_why(client, auth):
    data, expected = messy_ledger.xlsx(48, today=township_today())
    resp = upload(client, auth(), data, "/children/import/errors")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(resp.data))
    refused = sorted(k for k, e in expected.items() if e.outcome == "refuse")
    rows = [(ws.title, list(r)) for ws in wb.worksheets
            for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted((t, int(r[-2])) for t, r in rows) == refused
    header = next(wb.worksheets[0].iter_rows(max_row=1, values_only=True))
    assert header[0] == "姓名" and header[-1].startswith("问题")
    assert all(r[-1] for _, r in rows)  # every row says why
    english = client.post("/children/import/errors", headers={**auth(), "Accept-Language": "en"},
                          data={"file": (io.BytesIO(data), "f")},
                          content_type="multipart/form-data")
    assert next(load_workbook(io.BytesIO(english.data)).worksheets[0].iter_rows(
        max_row=1, values_only=True))[-1] == "problems"


def test_a_ledger_with_nothing_to_store_says_so(client, auth):
    data, _ = messy_ledger.gbk_csv(12, today=date.today())
    first = upload(client, auth(), data, dry_run="false").json
    again = upload(client, auth(), data, dry_run="false").json
    assert first["imported"] == 11 and again["imported"] == 0 and again["stored"] is False
    assert again["message"] == "未保存任何儿童：11 名儿童已登记且信息没有变化，1 行被拒绝。"
