"""Ledger rows as stations write them: cells, villages, layout, rule 1, outcomes."""

from datetime import date, datetime

import pytest

from services.registry.domain import ledger_cells as cells
from services.registry.domain.ledger import parse_row
from services.registry.domain.ledger_layout import Sheet, lay_out
from services.registry.domain.ledger_messages import MESSAGES, message
from services.registry.domain.villages import AmbiguousVillage, VillageDirectory, VillageNotFound
from shared import gazetteer
from shared.config import Region

TODAY = date(2026, 12, 6)
FUHUAN = VillageDirectory.of("500110120", *gazetteer.township("500110120"))


REGION = Region(105.5, 28.5, 107.5, 30.5)


def row(**over):
    cells_ = {"name": "测试甲", "gender": "男", "birth_date": "2015-03-02", "village": "石足村",
              "guardian": "测试乙", "relation": "祖母", "guardian_age": "68",
              "phone": "13800001234", "categories": "留守儿童、残疾", "lon": "106.651",
              "lat": "28.951", "parents": "父母均外出"}
    cells_.update(over)
    return parse_row(cells_, FUHUAN, TODAY, region=REGION)


def codes(r):
    return [(p.field, p.code) for p in r.problems]


def test_the_gazetteer_knows_fuhuan_and_its_sixteen_villages():
    name, villages = gazetteer.township("500110120")
    assert name == "扶欢镇" and len(villages) == 16
    assert villages["500110120200"] == "石足村村民委员会"
    with pytest.raises(gazetteer.UnknownDivision):
        gazetteer.township("110101001")  # Beijing: not shipped
    assert len(gazetteer.township("370102001")[1]) > 0  # Shandong, Jinan


@pytest.mark.parametrize("name", ["石足村", "石足", "石足村村民委员会", " 石　足村 ", "石足村委会"])
def test_villages_by_name_short_names_too(name):
    assert FUHUAN.resolve(name) == "500110120200"


def test_an_ambiguous_village_is_asked_not_guessed():
    both = FUHUAN.with_extra({"500110120299": "石足社区居民委员会"})
    with pytest.raises(AmbiguousVillage) as exc:
        both.resolve("石足")
    assert exc.value.candidates == ["石足村", "石足社区"]
    assert both.resolve("石足村") == "500110120200"
    with pytest.raises(VillageNotFound) as missing:
        FUHUAN.resolve("大石")
    assert missing.value.candidates == ["大石板村"]


def test_a_good_row_becomes_facts_and_is_accepted():
    r = row()
    assert r.problems == [] and r.outcome == "accept"
    f = r.facts
    assert (f["name"], f["gender"], f["birth_date"]) == ("测试甲", "male", date(2015, 3, 2))
    assert f["village_code"] == "500110120200" and f["village_name"] == "石足村"
    assert f["categories"] == ["left_behind", "disabled"]
    assert f["home"] == {"lon": 106.651, "lat": 28.951, "datum": "wgs84"}
    assert f["parents"] == {"father": "away", "mother": "away"}
    assert f["guardians"][0] == {"name": "测试乙", "relation": "祖母", "age": 68,
                                 "phone": "13800001234"}


@pytest.mark.parametrize("cell", ["2015/3/2", "2015.3.2", "2015.03.02", "20150302",
                                  "2015年3月2日", "２０１５年３月２日", datetime(2015, 3, 2),
                                  date(2015, 3, 2), 42065])
def test_dates_in_the_forms_ledgers_use(cell):
    assert row(birth_date=cell).facts["birth_date"] == date(2015, 3, 2)


@pytest.mark.parametrize(("cell", "phone"), [
    ("+86 138 0013 4455", "13800134455"), ("138-0013-4455", "13800134455"),
    ("０２３－４８６５１２３４", "02348651234"), ("0086 13800134455", "13800134455"),
])
def test_phones_are_normalised(cell, phone):
    assert row(phone=cell).facts["guardians"][0]["phone"] == phone


def test_a_phone_that_is_not_one_is_flagged_and_not_stored():
    r = row(phone="138-2O31-5577")
    assert r.outcome == "flag" and codes(r) == [("phone", "phone_invalid")]
    assert r.facts["guardians"][0]["phone"] is None


def test_full_width_id_numbers_and_spaces_are_read():
    from services.registry.domain.identity import check_character
    first = "50011020150302001"
    number = first + check_character(first)
    wide = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    r = row(id_number=wide + "　", name="测试 甲")
    assert r.problems == [] and r.facts["id_number"] == number and r.facts["name"] == "测试甲"
    assert codes(row(id_number=5.00110201503021e17)) == [("id_number", "id_number_float")]


@pytest.mark.parametrize(("cell", "expected"), [
    ("留守儿童、残疾", ["left_behind", "disabled"]), ("孤儿，残疾", ["orphan", "disabled"]),
    ("困境儿童,孤儿", ["orphan"]), ("留守/辍学", ["left_behind", "out_of_school"]),
])
def test_categories_split_on_the_separators_clerks_use(cell, expected):
    assert cells.categories(cell) == (expected, [])


@pytest.mark.parametrize(("parents", "categories", "outcome", "left_behind"), [
    ("父母均外出", "", "accept", True),
    ("母亲外出，父亲残疾", "", "accept", True),
    ("父亲外出、母亲去世", "", "accept", True),
    ("是", "", "accept", True),
    ("父亲外出", "留守儿童", "flag", False),  # mother at home and capable: confirm
    ("父母均在家", "留守儿童", "accept", False),
    ("否", "", "accept", False),
    ("常年不在", "留守儿童", "flag", True),  # not understood: the ledger's word stands
])
def test_rule_1_decides_left_behind_from_the_parents(parents, categories, outcome, left_behind):
    r = row(parents=parents, categories=categories)
    assert r.outcome == outcome, r.problems
    assert ("left_behind" in r.facts["categories"]) is left_behind


def test_sixteen_or_older_is_not_left_behind_and_is_flagged():
    r = row(birth_date="2010-01-05", parents="父母均外出", categories="留守儿童")
    assert r.outcome == "flag" and codes(r) == [("parents", "over_16")]
    assert r.facts["categories"] == []


@pytest.mark.parametrize(("over", "field", "code"), [
    ({"birth_date": "2015-02-30"}, "birth_date", "impossible_date"),
    ({"birth_date": "去年"}, "birth_date", "bad_date"),
    ({"birth_date": "2027-01-01"}, "birth_date", "future_birth"),
    ({"birth_date": "2005-01-01"}, "birth_date", "too_old"),
    ({"gender": "X"}, "gender", "bad_gender"),
    ({"village": "不存在村"}, "village", "village_unknown"),
    ({"village_code": "5001"}, "village_code", "bad_village_code"),
    ({"lat": ""}, "lat", "required_empty"),
    ({"lon": "东经106"}, "lon", "bad_coordinates"),
    ({"datum": "百度"}, "datum", "bad_datum"),
    ({"lon": "28.951", "lat": "106.651"}, "lon", "home_swapped"),
    ({"lon": "116.4", "lat": "39.9"}, "lon", "home_outside"),
    ({"name": ""}, "name", "required_empty"),
])
def test_refused_cells_are_named(over, field, code):
    r = row(**over)
    assert r.outcome == "refuse" and (field, code) in codes(r), codes(r)


def test_a_row_without_coordinates_is_flagged_not_refused():
    for r in (row(lon="", lat=""), parse_row({"name": "甲", "gender": "女", "birth_date":
                                              "2015-01-01", "village": "崇恩"}, FUHUAN, TODAY)):
        assert r.outcome == "flag" and codes(r) == [("lon", "no_home")]
        assert "home" not in r.facts
    assert message("no_home", {}, "zh") == "没有坐标：离水距离未知，请补充家庭位置"


def test_unknown_categories_and_bad_numbers_are_flagged():
    r = row(categories="留守儿童、富裕", guardian_age="六十")
    assert r.outcome == "flag"
    assert codes(r) == [("guardian_age", "bad_number"), ("categories", "unknown_category")]


def test_gcj02_by_column_or_default_and_no_guardian_means_living_alone():
    assert row(datum="高德").facts["home"]["datum"] == "gcj02"
    assert parse_row({"name": "甲", "gender": "女", "birth_date": "2015-01-01",
                      "village": "崇恩", "lon": "106.6", "lat": "28.9"}, FUHUAN, TODAY,
                     "gcj02").facts["home"]["datum"] == "gcj02"
    r = row(village_code="500110120299", village="新村", guardian="无")
    assert r.facts["village_code"] == "500110120299" and r.facts["living_alone"] is True
    assert "guardians" not in r.facts


def test_every_message_has_chinese_and_english_with_its_parameters():
    params = {"value": "x", "township": "扶欢镇", "near": ["石足村"], "candidates": ["a", "b"],
              "born": "2015-01-01", "recorded": "2015-01-02", "id_gender": "male",
              "detail": "d", "other": "第3行", "away": "father", "home": "mother",
              "lon": 28.9, "lat": 106.6}
    for code in MESSAGES:
        zh, en = message(code, params), message(code, params, "en")
        assert zh != en and any("\u4e00" <= ch <= "\u9fff" for ch in zh), code
    assert message("left_behind_confirm", {"away": "father", "home": "mother"}) == \
        "父亲外出、母亲在家：按规定不算留守儿童，请核实母亲能否监护"


def test_the_header_is_found_below_a_title_and_non_child_rows_are_ignored():
    sheet = Sheet("台账", [
        (1, ("綦江区扶欢镇农村留守儿童信息台账（2026年第四季度）", None, None, None)),
        (2, ("填报单位：扶欢镇未保站", None, None, None)),
        (3, ("＊儿童姓名", "性别", "出生年月（必填）", "村（社区）", "备注")),
        (4, ("甲", "男", "2015.3.5", "石足", None)),
        (5, (None, None, None, None, None)),
        (6, ("乙", "女", "2016年1月2日", None, None)),
        (7, ("儿童姓名", "性别", "出生年月", "村（社区）", None)),
        (8, ("填表人：", None, "审核人：", None, None)),
    ], merged=[(1, 1, 1, 4), (4, 4, 6, 4)])
    layout = lay_out(sheet)
    assert layout.header_row == 3 and layout.missing == []
    assert layout.headers == {"name": "＊儿童姓名", "gender": "性别",
                              "birth_date": "出生年月（必填）", "village": "村（社区）"}
    assert layout.ignored_columns == ["备注"]
    assert [(n, c["village"]) for n, c, _ in layout.rows] == [(4, "石足"), (6, "石足")]
    assert sorted((n, why) for n, why, _ in layout.ignored) == [
        (1, "title"), (2, "title"), (4, "merged"), (5, "blank"), (7, "header_repeated"),
        (8, "footer")]


def test_a_sheet_without_the_required_columns_names_them():
    layout = lay_out(Sheet("x", [(1, ("姓名", "性别", "住址"))]))
    assert layout.missing == ["出生日期", "所在村"]
