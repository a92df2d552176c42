"""The registry in the running stack: a new pond regrades a child near it; a ledger
import over HTTP; a living-alone child becomes a case."""

import io

import requests
from openpyxl import Workbook

from shared.testing.fixtures import eventually


def _auth(stack):
    return {"Authorization": f"Bearer {stack.token()}"}


def test_a_pond_next_to_a_home_raises_the_grade(stack):
    url = stack.url("registry")
    child = requests.post(url + "/children", json={
        "name": "测试近水", "gender": "male", "birth_date": "2022-03-01",
        "village_code": "500110120203", "home": {"lon": 106.6612, "lat": 28.9605}},
        headers=_auth(stack), timeout=10)
    assert child.status_code == 201, child.text
    assert "water_within_near_m" not in child.json()["risk_reasons"]
    pond = requests.post(stack.url("hazards") + "/hazards", json={
        "kind": "pond", "name": "E2E pond",
        "geometry": {"type": "Polygon", "coordinates": [[[106.6600, 28.9600],
                                                         [106.6610, 28.9600],
                                                         [106.6610, 28.9610],
                                                         [106.6600, 28.9600]]]}},
        headers=_auth(stack), timeout=10)
    assert pond.status_code == 201, pond.text

    def regraded():
        body = requests.get(f"{url}/children/{child.json()['id']}", headers=_auth(stack),
                            timeout=10).json()
        return body if "water_within_near_m" in body["risk_reasons"] else None

    body = eventually(regraded, 60, message="child regraded after the pond event")
    assert body["water_distance_m"] < 100


def test_ledger_import_and_living_alone_case(stack):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "出生日期", "所在村", "村代码", "监护人", "经度", "纬度"])
    ws.append(["测试独居", "女", "2014-09-09", "测试村", "500110120204", "无", 106.652, 28.955])
    buf = io.BytesIO()
    wb.save(buf)
    files = {"file": ("台账.xlsx", buf.getvalue())}
    url = stack.url("registry") + "/children/import"
    dry = requests.post(url, files=files, headers=_auth(stack), timeout=30).json()
    assert (dry["counts"], dry["imported"], dry["stored"]) == (
        {"accept": 1, "flag": 0, "refuse": 0}, 0, False)
    real = requests.post(url + "?dry_run=false", files=files, headers=_auth(stack),
                         timeout=30).json()
    assert real["imported"] == 1
    cases = requests.get(stack.url("registry") + "/cases", headers=_auth(stack),
                         timeout=10).json()["items"]  # newest first: this import's case
    assert any(c["situation"] == "living_alone" and c["mandatory_report"] for c in cases)
