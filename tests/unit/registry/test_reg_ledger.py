"""Ledger rows with Chinese headers: parsed facts, and every bad cell named."""

from datetime import date, datetime

import pytest

from services.registry.domain.ledger import extra_headers, missing_headers, parse_row

VILLAGES = {"石龙村": "500110120201"}


def row(**over):
    cells = {"姓名": "测试甲", "性别": "男", "出生日期": "2015-03-02", "所在村": "石龙村",
             "监护人": "测试乙", "与儿童关系": "祖母", "监护人年龄": "68",
             "联系电话": "13800001234",
             "困境类型": "留守儿童、残疾", "经度": "106.651", "纬度": "28.951", "父母外出": "是"}
    cells.update(over)
    return parse_row(2, cells, VILLAGES)


def test_a_good_row_becomes_facts():
    r = row()
    assert r.errors == []
    f = r.facts
    assert (f["name"], f["gender"], f["birth_date"]) == ("测试甲", "male", date(2015, 3, 2))
    assert f["village_code"] == "500110120201" and f["categories"] == ["left_behind", "disabled"]
    assert f["home"] == {"lon": 106.651, "lat": 28.951, "datum": "wgs84"}
    assert f["parents"] == {"father": "away", "mother": "away"}
    assert f["guardians"][0] == {"name": "测试乙", "relation": "祖母", "age": 68,
                                 "phone": "13800001234"}


@pytest.mark.parametrize("cell", ["2015/3/2", "2015.03.02", "20150302", "2015年3月2日",
                                  datetime(2015, 3, 2), date(2015, 3, 2)])
def test_dates_in_the_forms_ledgers_use(cell):
    assert row(出生日期=cell).facts["birth_date"] == date(2015, 3, 2)


@pytest.mark.parametrize(("over", "header", "reason"), [
    ({"出生日期": "2015-02-30"}, "出生日期", "impossible"),
    ({"出生日期": "去年"}, "出生日期", "not a date"),
    ({"性别": "X"}, "性别", "not one of"),
    ({"所在村": "不存在村"}, "村代码", "unknown village"),
    ({"村代码": "5001"}, "村代码", "12-digit"),
    ({"经度": ""}, "经度", "required"),
    ({"困境类型": "富裕"}, "困境类型", "unknown category"),
    ({"父母外出": "也许"}, "父母外出", "是 or 否"),
    ({"姓名": ""}, "姓名", "empty"),
])
def test_bad_cells_are_named(over, header, reason):
    r = row(**over)
    assert any(h == header and reason in why for h, why in r.errors), r.errors


def test_an_empty_required_cell_is_reported_once():
    r = row(所在村="")
    assert r.errors == [("所在村", "required cell is empty")]


def test_village_code_wins_over_the_name_and_no_guardian_means_living_alone():
    r = row(村代码="500110120299", 所在村="新村", 监护人="无")
    assert r.facts["village_code"] == "500110120299" and r.facts["living_alone"] is True
    assert "guardians" not in r.facts


def test_headers():
    assert missing_headers(["姓名", "性别"]) == ["出生日期", "所在村"]
    assert extra_headers(["姓名", "备注", ""]) == ["备注"]
