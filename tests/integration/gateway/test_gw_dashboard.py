"""The dashboard's folium map: its layers for station staff, privacy by role (no child
ids, no home coordinates, small cells hidden from planners), no CDN, a CSP without
'unsafe-inline' for scripts whose hashes match the map's inline scripts, and a cached
map that still follows the read model."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from gw_helpers import apply, event, gateway, token, township_events

from services.gateway.entrypoints.api import create_app
from services.gateway.planning.entrypoints.dashboard_map import LABELS
from shared.auth import Role

CDNS = ("cdn", "jquery", "bootstrap", "unpkg", "googleapis", "cloudflare", "awesome")


class FakeService:
    def post(self, path, tok, body):  # type: ignore[no-untyped-def]
        return 201, {}


@pytest.fixture
def gw_client(tmp_path):
    gw = gateway(f"sqlite:///{tmp_path / 'gw.db'}")
    events = township_events()
    apply(gw, events)
    homes = [e.data["home"] for e in events if e.type == "registry.child.registered.v1"]
    return gw, create_app(gw, FakeService(), FakeService()).test_client(), homes


def _get(client, role=Role.STATION_ADMIN, lang="zh"):  # type: ignore[no-untyped-def]
    resp = client.get(f"/dashboard?lang={lang}", headers=token(role))
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    found = re.search(r'<iframe class="map" id="dashboard-map"[^>]* srcdoc="([^"]*)"', page)
    assert found, "the dashboard embeds its map"
    return resp, page, html.unescape(found.group(1))


def _text(document: str) -> str:
    """folium writes non-ASCII text as JSON escapes in its script: read it as text."""
    return re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), document)


def _tips(document: str) -> list[str]:
    return re.findall(r'"tip": "([^"]*)"', _text(document))


def test_station_staff_see_every_layer_with_exposure_and_missing_protections(gw_client):
    _, client, _ = gw_client
    _, page, doc = _get(client)
    t = LABELS["zh"]
    for name in ("hazards", "top", "lacking", "zones", "points", "cells"):
        assert f'"{t[name]}" :' in _text(doc), name  # listed in the layer control
    assert 'src="/static/leaflet/leaflet.js"' in doc and "L.control.layers" in doc
    tips = _tips(doc)
    assert any("测试塘1" in tip and "缺少: 护栏" in tip for tip in tips)
    assert any(tip.startswith("#1 ") for tip in tips)
    assert sum(tip.endswith("名儿童") for tip in tips) >= 2  # every cell, however small
    english = _get(client, lang="en")[2]
    assert "Top 10 by exposure" in english and "Lacking protection: fix first" in english
    assert 'href="?lang=zh"' in _get(client, lang="en")[1] and 'href="?lang=en"' in page


@pytest.mark.parametrize("role", [Role.PLANNER, Role.STATION_ADMIN, Role.CHILD_SUPERVISOR])
def test_no_role_gets_child_ids_or_home_coordinates(gw_client, role):
    _, client, homes = gw_client
    _, page, doc = _get(client, role, "en")
    assert "child-" not in page
    for home in homes:
        for value in (home["lon"], home["lat"]):
            assert f"{value:.6f}" not in page, "a home's coordinate"


def test_planners_see_only_cells_of_five_or_more(gw_client):
    _, client, _ = gw_client
    staff = [t for t in _tips(_get(client, lang="en")[2]) if t.endswith(" children")]
    planner = [t for t in _tips(_get(client, Role.PLANNER, "en")[2])
               if t.endswith(" children")]
    assert planner and all(int(t.split()[0]) >= 5 for t in planner)
    assert any(int(t.split()[0]) < 5 for t in staff) and len(staff) > len(planner)


def test_no_cdn_and_scripts_allowed_only_by_hash(gw_client):
    _, client, _ = gw_client
    resp, page, doc = _get(client)
    assert not [c for c in CDNS if c in page.lower()]
    assert not re.findall(r"<script", page.split("<iframe")[0] + page.split("</iframe>")[1])
    script_src = next(d for d in resp.headers["Content-Security-Policy"].split(";")
                      if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    inline = re.findall(r"<script>(.*?)</script>", doc, flags=re.S)
    assert len(inline) == 2 and "L.map(" in inline[1]
    allowed = set(re.findall(r"'sha256-([^']+)'", script_src))
    assert allowed == {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()
                       for s in inline}
    assert set(re.findall(r'<script src="([^"]+)"', doc)) == {"/static/leaflet/leaflet.js"}


def test_the_cached_map_follows_the_read_model(gw_client):
    gw, client, _ = gw_client
    first = _get(client)[2]
    assert _get(client)[2] == first
    assert any("测试塘3" in t for t in _tips(first))
    apply(gw, [event("hazards.hazard.retired.v1", {"hazard_id": "hz-3"})])
    tips = _tips(_get(client)[2])
    assert not any("测试塘3" in t for t in tips) and any("测试塘1" in t for t in tips)


def test_markup_in_a_hazard_name_stays_text(gw_client):
    gw, client, _ = gw_client
    name = '</script><script>alert(1)</script><img src=x onerror="alert(2)">'
    apply(gw, [event("hazards.hazard.updated.v1", {
        "hazard_id": "hz-1", "kind": "pond", "name": name, "village_code": "500110120201",
        "geometry": {"type": "Point", "coordinates": [106.652, 28.952]},
        "protections": {"barrier": "missing"}})])
    _, page, doc = _get(client)
    outside = page.split("<iframe")[0] + page.split("</iframe>")[1]
    assert "<script" not in outside and "<img" not in outside
    assert len(re.findall(r"<script", doc)) == 3  # Leaflet and folium's two, no more
    assert "<img" not in doc and "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in _text(doc)


def test_an_urgent_message_that_found_nobody_is_an_alarm_on_the_dashboard(gw_client):
    gw, client, _ = gw_client
    beijing = timezone(timedelta(hours=8))
    raised = (datetime.now(UTC) - timedelta(hours=1)).replace(second=0, microsecond=0)
    apply(gw, [event("notifier.directory.gap.v1", {
        "gap_id": "gap-1", "event_id": "ev-1", "event_type": "hazards.finding.reported.v1",
        "rule": "children-at-water", "village_code": "500110120209", "recipients": 1,
        "raised_at": raised.astimezone(beijing).isoformat()})])
    figures = client.get("/api/dashboard", headers=token()).get_json()
    [gap] = figures["directory_gaps"]
    assert gap["village_code"] == "500110120209" and gap["recipients"] == 1
    assert gap["raised_at"] == raised.isoformat()  # an instant, with its offset
    _, page, _ = _get(client)
    assert "通讯录缺口" in page  # shown in township time
    assert raised.astimezone(beijing).strftime("%Y-%m-%d %H:%M") in page
    other = token(Role.PLANNER, frozenset({"500110120201"}))  # a planner of one village
    assert client.get("/api/dashboard", headers=other).get_json()["directory_gaps"] == []
