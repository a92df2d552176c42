"""The demo generator: deterministic, realistic in shape, and valid for the importers."""

from __future__ import annotations

import json
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from infra.demogen import generate, places
from infra.demogen.ledger import HEADERS
from infra.demogen.names import check_digits, id_numbers

AS_OF = date(2026, 5, 20)
FILES = ("ledger/500110120.xlsx", "hazards.geojson", "hazards.gpkg", "roads.geojson",
         "schools.geojson", "visits.json", "cases.json", "checkins.json", "devices.json",
         "manifest.json")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo")
    generate("township", 7, path, AS_OF)
    return path


@pytest.fixture(scope="module")
def ledger(out):
    return pd.read_excel(out / "ledger/500110120.xlsx", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def hazards(out):
    return gpd.read_file(out / "hazards.geojson")


def test_same_seed_same_bytes_and_another_seed_differs(out, tmp_path):
    generate("township", 7, tmp_path / "again", AS_OF)
    for name in FILES:
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    generate("township", 8, tmp_path / "other", AS_OF)
    assert (out / FILES[0]).read_bytes() != (tmp_path / "other" / FILES[0]).read_bytes()


def test_ledger_has_the_contract_headers_and_township_scale(ledger):
    assert tuple(ledger.columns) == HEADERS
    assert 5_000 <= len(ledger) <= 7_000


def test_id_numbers_are_valid_and_match_birth_date_and_gender(ledger):
    with_id = ledger[ledger["身份证号"] != ""]
    assert len(with_id) > 0.99 * len(ledger)
    ids = with_id["身份证号"].to_numpy()
    assert (check_digits(np.array([i[:17] for i in ids])) == np.array([i[17] for i in ids])).all()
    assert all(i.startswith("500110") for i in ids)
    assert (with_id["出生日期"].str.replace("-", "") == with_id["身份证号"].str[6:14]).all()
    odd = with_id["身份证号"].str[16].astype(int) % 2 == 1
    assert ((with_id["性别"] == "男") == odd).all()
    assert with_id["身份证号"].is_unique


def test_id_check_digit_known_example():
    # GB 11643-1999's worked example: 11010519491231002 → X
    assert check_digits(np.array(["11010519491231002"]))[0] == "X"
    ids = id_numbers("500110", np.array(["2015-01-01"] * 3, dtype="datetime64[D]"),
                     np.array([True, True, False]))
    assert len(set(ids)) == 3


def test_no_duplicate_children_by_name_birth_date_and_village(ledger):
    assert not ledger.duplicated(["姓名", "出生日期", "村代码"]).any()


def test_every_village_has_children_and_real_codes(ledger, out):
    codes = {v.code for v in places.townships("township")[0].villages}
    assert set(ledger["村代码"]) == codes
    assert len(codes) == 16 and all(c.startswith("500110120") and len(c) == 12 for c in codes)


def test_guardians_mostly_grandparents_and_some_children_live_alone(ledger):
    away = ledger[ledger["困境类型"].str.contains("留守儿童")]
    grand = away["与儿童关系"].isin(["祖父", "祖母", "外祖父", "外祖母"]).mean()
    assert 0.8 < grand < 0.97
    alone = ledger[ledger["与儿童关系"] == "无"]
    assert len(alone) > 0 and (alone["监护人"] == "无").all()
    age = AS_OF.year - pd.to_datetime(alone["出生日期"]).dt.year
    assert (age >= 12).all()
    assert (ledger.loc[ledger["困境类型"].str.contains("留守儿童"), "父母外出"] == "是").all()


def test_homes_lie_in_the_region(ledger):
    lon, lat = ledger["经度"].astype(float), ledger["纬度"].astype(float)
    assert lon.between(106.5, 106.8).all() and lat.between(28.85, 29.05).all()


def test_hazards_have_real_shapes_in_every_village(hazards):
    kinds = hazards["kind"].value_counts()
    assert 450 <= len(hazards) <= 550
    assert kinds["pond"] >= 100 and kinds["ditch"] >= 20
    for kind in ("river", "stream", "canal", "reservoir", "dam", "swimming_spot",
                 "road_sharp_bend", "road_crossing", "road_no_barrier", "road_play_area"):
        assert kinds.get(kind, 0) >= 1, kind
    assert hazards.geometry.is_valid.all()
    assert hazards.crs.to_epsg() == 4326
    villages = places.townships("township")[0].villages
    assert set(hazards["village_code"]) == {v.code for v in villages}
    assert hazards["name"].is_unique
    assert set(hazards["barrier"]) <= {"present", "damaged", "missing"}


def test_river_meanders(hazards):
    river = hazards[hazards["kind"] == "river"].to_crs(32648).union_all()
    a, b = river.boundary.geoms[0], river.boundary.geoms[-1]
    assert river.length / a.distance(b) > 1.3  # sinuosity of a meandering river


def test_activity_refers_to_ledger_rows_and_hazards(out, ledger, hazards):
    visits = json.loads((out / "visits.json").read_text())
    assert len(visits) == len(ledger)
    row = visits[0]["child"]
    assert ledger.iloc[row["row"] - 2]["姓名"] == row["name"]
    checkins = json.loads((out / "checkins.json").read_text())
    assert {c["hazard_ref"] for c in checkins} <= set(range(len(hazards)))
    assert any(c["findings"] for c in checkins)
    cases = json.loads((out / "cases.json").read_text())
    assert {c["step"] for c in cases} >= {"monitoring", "report", "emergency", "assessment"}
    devices = json.loads((out / "devices.json").read_text())
    assert devices and all(hazards.iloc[d["hazard_ref"]]["kind"] == "pond" for d in devices)


def test_province_scale_gives_event_volumes(tmp_path):
    manifest = generate("province", 1, tmp_path, AS_OF)
    assert manifest["province"]["villages"] > 10_000
    assert all(v > 0 for v in manifest["events_per_s"].values())


@pytest.mark.parametrize("as_of", [date(2026, 12, 6), date(2028, 2, 29), date(2027, 3, 1)])
def test_every_generated_child_is_under_18_on_the_calendar(as_of):
    """The demo seeding once had the registry refuse a row as an adult: 17.999 years of
    365.25 days was an 18th birthday. Every drawn age is a minor's on the calendar."""
    from infra.demogen.people import ages

    days = ages(np.random.default_rng(11), 200_000)
    births = [as_of - pd.Timedelta(days=int(d)).to_pytimedelta() for d in days]
    oldest = min(births)
    years = as_of.year - oldest.year - ((as_of.month, as_of.day) < (oldest.month, oldest.day))
    assert years < 18
