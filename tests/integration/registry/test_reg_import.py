"""Ledger import from XLSX and GBK CSV files holding bad rows."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from services.registry.adapters.tables import audit_log, outbox
from services.registry.domain.identity import check_character
from services.registry.service_layer import assessment
from shared.audit import verify_chain

HEADERS = ["姓名", "性别", "出生日期", "身份证号", "监护人", "与儿童关系", "家庭住址", "所在村",
           "联系电话", "就读学校", "困境类型", "经度", "纬度", "父母外出", "监护人年龄", "备注"]


def idn(born: str, seq: str = "002") -> str:
    first = "500110" + born.replace("-", "") + seq
    return first + check_character(first)


def good(name: str, born: str = "2015-03-02", **over: str) -> list[str]:
    row = {"姓名": name, "性别": "女", "出生日期": born, "身份证号": idn(born),
           "监护人": "测试祖母", "与儿童关系": "祖母", "家庭住址": "崇恩村3组", "所在村": "崇恩村",
           "联系电话": "13800001234", "就读学校": "扶欢小学", "困境类型": "留守儿童",
           "经度": "106.651", "纬度": "28.951", "父母外出": "是", "监护人年龄": "66",
           "备注": "extra column"}
    row.update(over)
    return [row[h] for h in HEADERS]


ROWS = [
    good("甲", "2015-03-02"),
    good("乙", "2016-04-03"),
    good("丙", "2017-05-04", 身份证号=idn("2017-05-04")[:17] + "0"
         if idn("2017-05-04")[17] != "0" else idn("2017-05-04")[:17] + "1"),  # check digit
    good("丁", "2015-02-30", 身份证号=""),  # impossible date
    good("戊", "2014-06-05", 身份证号=idn("2014-06-05"), 经度="28.951", 纬度="106.651"),
    good("己", "2013-07-06", 身份证号=idn("2013-07-06"), 所在村="火星村"),
    good("乙", "2016-04-03"),  # duplicate of row 3
    good("", "2012-08-07", 身份证号=idn("2012-08-07")),  # empty required cell
]


def xlsx(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def gbk_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS)
    w.writerows(rows)
    return buf.getvalue().encode("gbk")


def upload(client, headers, data: bytes, name: str, **query: str):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(f"/children/import?{qs}", headers=headers,
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def problems(report: dict) -> dict[tuple[int, str], str]:
    return {(r["row"], p["field"]): p["message"] for r in report["rows"] for p in r["problems"]}


def test_dry_run_reports_every_row_in_chinese_and_stores_nothing(client, auth):
    resp = upload(client, auth(), xlsx(ROWS), "ledger.xlsx", dry_run="true")
    assert resp.status_code == 200, resp.json
    report = resp.json
    assert [r["row"] for r in report["rows"]] == list(range(2, 10))
    assert report["counts"] == {"accept": 2, "flag": 0, "refuse": 6}
    assert report["imported"] == 0 and report["stored"] is False
    assert report["message"].startswith("预览：未保存任何儿童")
    assert report["ignored_columns"] == ["备注"]
    by_row = problems(report)
    assert "校验位" in by_row[(4, "身份证号")]
    assert "不存在" in by_row[(5, "出生日期")]
    assert "经纬度好像填反了" in by_row[(6, "经度")]
    assert "本镇（扶欢镇）没有「火星村」" in by_row[(7, "所在村")]
    assert "第3行" in by_row[(8, "姓名")]
    assert "必填" in by_row[(9, "姓名")]
    first = report["rows"][0]
    assert (first["sheet"], first["outcome"], first["categories"], first["problems"]) == (
        "Sheet", "accept", ["left_behind"], [])
    assert first["risk_grade"] in ("high", "medium", "low")
    english = client.post("/children/import", headers={**auth(), "Accept-Language": "en"},
                          data={"file": (io.BytesIO(xlsx(ROWS)), "l.xlsx")},
                          content_type="multipart/form-data").json
    assert "check digit" in problems(english)[(4, "身份证号")]
    assert english["message"].startswith("Dry run: nothing stored")


def test_all_or_nothing_stores_nothing_and_says_so(client, auth):
    real = upload(client, auth(), xlsx(ROWS), "ledger.xlsx", dry_run="false",
                  all_or_nothing="true")
    assert real.status_code == 200
    assert real.json["imported"] == 0 and real.json["stored"] is False
    assert "未保存任何儿童" in real.json["message"] and "6 行被拒绝" in real.json["message"]
    assert client.get("/children", headers=auth()).json["total"] == 0


def test_accepted_rows_are_stored_then_a_reimport_changes_nothing(client, auth, registry):
    data = gbk_csv(ROWS)
    first = upload(client, auth(), data, "ledger.csv", dry_run="false")
    assert first.status_code == 200, first.json
    assert first.json["imported"] == 2 and first.json["stored"] is True
    listed = client.get("/children", headers=auth()).json
    assert sorted(c["name"] for c in listed["items"]) == ["乙", "甲"]
    assert all(c["categories"] == ["left_behind"] for c in listed["items"])
    assert listed["items"][0]["guardians"][0]["age"] == 66
    again = upload(client, auth(), data, "ledger.csv", dry_run="false")
    assert again.json["imported"] == 0 and again.json["unchanged"] == 2
    assert again.json["message"] == "未保存任何儿童：2 名儿童已登记且信息没有变化，6 行被拒绝。"
    assert client.get("/children", headers=auth()).json["total"] == 2
    with registry.engine.connect() as conn:
        assert verify_chain(conn) == []
        imported = conn.execute(select(audit_log.c.object_id).where(
            audit_log.c.action == "import")).scalars().all()
    assert sorted(imported) == sorted(c["id"] for c in listed["items"])


def test_next_quarter_updates_known_children_and_lists_the_missing(client, auth, registry):
    upload(client, auth(), xlsx([good("甲"), good("乙", "2016-04-03")]), "q3.xlsx",
           dry_run="false")
    moved = good("甲", 联系电话="139 0000 5678", 父母外出="否")  # phone changed, parents back
    preview = upload(client, auth(), xlsx([moved]), "q4.xlsx").json
    row = preview["rows"][0]
    assert row["match"] == "update" and row["child_id"]
    shown = {c["field"]: (c["old"], c["new"]) for c in row["changes"]}
    assert shown["联系电话"] == ("138****1234", "139****5678")
    assert shown["困境类型"] == ("留守儿童", "") or shown["困境类型"][0] == "left_behind"
    assert [m["name"] for m in preview["missing"]] == ["乙"]
    done = upload(client, auth(), xlsx([moved]), "q4.xlsx", dry_run="false").json
    assert done["updated"] == 1 and done["imported"] == 0
    child = client.get(f"/children/{row['child_id']}", headers=auth()).json
    assert child["guardians"][0]["phone"] == "13900005678"
    assert child["categories"] == [] and child["version"] == 2
    assert client.get("/children", headers=auth()).json["total"] == 2  # 乙 kept
    with registry.engine.connect() as conn:
        audited = conn.execute(select(audit_log.c.fields).where(
            audit_log.c.action == "import", audit_log.c.object_id == row["child_id"])).all()
    assert len(audited) == 2  # registered, then updated


def test_a_sheet_without_a_ledger_header_is_a_400_naming_the_columns(client, auth):
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADERS, good("甲"), good("乙", "2016-04-03")])
    ok = upload(client, auth(), buf.getvalue().encode("utf-8-sig"), "l.csv", dry_run="false")
    assert ok.json["imported"] == 2 and ok.json["counts"]["accept"] == 2
    assert upload(client, auth(), b"\xff\xfe\x00garbage\x81", "x.csv").status_code == 400
    no_name = "性别,出生日期\n男,2015-01-01\n".encode()
    missing = upload(client, auth(), no_name, "x.csv")
    assert missing.status_code == 400 and "姓名" in missing.json["message"]


def test_files_that_are_neither_xlsx_nor_csv_are_a_400(client, auth):
    for junk in (b"PK\x03\x04not really a zip", b"\x00\x00\x00", "姓名,性别\n甲\x00,男\n".encode()):
        resp = upload(client, auth(), junk, "x.bin")
        assert resp.status_code == 400, (junk, resp.json)
    assert client.get("/children?page=99999999999999999999", headers=auth()).status_code == 422


def test_rows_without_coordinates_are_stored_flagged_and_graded_without_water(
        client, auth, registry):
    no_columns = [h for h in HEADERS if h not in ("经度", "纬度")]
    bare = [dict(zip(HEADERS, good("甲"), strict=True))[h] for h in no_columns]
    first = upload(client, auth(), xlsx([bare], no_columns), "a.xlsx", dry_run="false").json
    second = upload(client, auth(), xlsx([good("乙", "2016-04-03", 经度="", 纬度="")]),
                    "b.xlsx", dry_run="false").json
    for report, field in ((first, "坐标"), (second, "经度")):
        assert report["counts"] == {"accept": 0, "flag": 1, "refuse": 0}, report["rows"]
        assert report["imported"] == 1
        assert problems(report) == {(2, field): "没有坐标：离水距离未知，请补充家庭位置"}
    errors = client.post("/children/import/errors", headers=auth(),
                         data={"file": (io.BytesIO(xlsx([bare], no_columns)), "a.xlsx")},
                         content_type="multipart/form-data")
    assert load_workbook(io.BytesIO(errors.data)).worksheets[0].max_row <= 1  # nothing refused
    child = client.get(f"/children/{first['rows'][0]['child_id']}", headers=auth()).json
    assert child["home"] is None and child["water_distance_m"] is None
    assert child["risk_grade"] == first["rows"][0]["risk_grade"]
    assert not any("water" in r or "水" in r for r in child["risk_reasons"])
    with registry.uow() as uow:
        assert assessment.reassess_all(uow, registry.policy) == 0
    with registry.engine.connect() as conn:
        events = [json.loads(r.payload)["data"] for r in conn.execute(
            select(outbox.c.payload).where(outbox.c.type == "registry.child.registered.v1"))]
    assert [e["home"] for e in events] == [None, None]
    placed = upload(client, auth(), xlsx([good("甲")]), "c.xlsx", dry_run="false").json
    assert placed["updated"] == 1
    home = client.get(f"/children/{first['rows'][0]['child_id']}", headers=auth()).json["home"]
    assert home == {"lon": 106.651, "lat": 28.951}
    upload(client, auth(), xlsx([bare], no_columns), "a.xlsx", dry_run="false")
    assert client.get(f"/children/{first['rows'][0]['child_id']}",
                      headers=auth()).json["home"] == home  # a ledger without one keeps it
