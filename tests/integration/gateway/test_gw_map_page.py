"""The phone map page: a page after an event shows the new data, scopes never see each
other's pages (the page carries exactly what the layers API gives the same caller), the
page cache's warmer, and the assets inline on a first visit, allowed by their hashes."""

from __future__ import annotations

import base64
import gc
import hashlib
import itertools
import json
import re
import threading
from datetime import UTC, datetime

import pytest
from gw_helpers import apply, event, gateway, token, township_events

from services.gateway.entrypoints.api import create_app
from services.gateway.entrypoints.map_page import ASSETS, ASSETS_COOKIE
from services.gateway.read_model.service_layer.map_views import PageCache
from shared.auth import Role
from shared.testing.fixtures import eventually

SCOPES = {"staff": (Role.STATION_ADMIN, frozenset()),
          "director 201": (Role.CHILD_DIRECTOR, frozenset({"500110120201"})),
          "director 202": (Role.CHILD_DIRECTOR, frozenset({"500110120202"})),
          "patrol": (Role.PATROL_MEMBER, frozenset())}


class FakeService:
    def post(self, path, tok, body):  # type: ignore[no-untyped-def]
        return 201, {}


def _element(page: str, element_id: str):  # type: ignore[no-untyped-def]
    found = re.search(f'<script id="{element_id}" type="application/json">(.*?)</script>', page)
    assert found, f"the page carries {element_id}"
    return json.loads(found.group(1))


def _unsteps(d: list, q: int) -> list:  # what phone_map.js does
    if d and not isinstance(d[0], int):
        return [_unsteps(x, q) for x in d]
    xs, ys = itertools.accumulate(d[0::2]), itertools.accumulate(d[1::2])
    return [[x / q, y / q] for x, y in zip(xs, ys, strict=True)]


def _layers(page: str) -> dict:
    """The layers the page carries, unpacked: the zones come last, on their own."""
    config = _element(page, "shouhu-config")
    layers = {**config["layers"], "zones": _element(page, "shouhu-zones")}
    for layer in layers.values():
        for f in layer["features"] if isinstance(layer, dict) else []:
            if "d" in (f["geometry"] or {}):
                g = f["geometry"]
                f["geometry"] = {"type": g["type"], "coordinates": _unsteps(g["d"], config["q"])}
    return layers


def _homes(layers: dict) -> set[str]:
    return {f["id"] for f in layers["homes"]["features"]}


@pytest.fixture
def gw_client(tmp_path):
    gw = gateway(f"sqlite:///{tmp_path / 'gw.db'}")
    apply(gw, township_events())
    return gw, create_app(gw, FakeService(), FakeService()).test_client()


def _checkin(n: int) -> tuple[object, str]:
    at = datetime(2026, 7, 21, 8, n, tzinfo=UTC)
    return event("hazards.patrol.checked_in.v1", {
        "checkin_id": f"ci-new-{n}", "point_id": "pt-1", "hazard_id": "hz-1", "member_id": "m1",
        "checked_at": at.isoformat(), "location": {"lon": 106.652, "lat": 28.952},
        "duration_s": 60, "track_m": 10.0}), at.isoformat()[:16]


def _last_checkin(page: str) -> str | None:
    point = next(f for f in _layers(page)["points"]["features"] if f["id"] == "pt-1")
    return point["properties"]["last_checkin"]


def test_a_request_after_an_event_shows_the_new_data(gw_client):
    gw, client = gw_client
    before = client.get("/map", headers=token(Role.PATROL_MEMBER)).get_data(as_text=True)
    again = client.get("/map", headers=token(Role.PATROL_MEMBER)).get_data(as_text=True)
    assert _layers(again) == _layers(before)
    assert _last_checkin(before) is None
    for n in range(3):  # right after the event, and again while the warmer may be busy
        ev, at = _checkin(n)
        apply(gw, [ev])
        after = client.get("/map", headers=token(Role.PATROL_MEMBER)).get_data(as_text=True)
        assert _last_checkin(after).startswith(at)
    apply(gw, [event("hazards.hazard.retired.v1", {"hazard_id": "hz-3"})])
    hazards = _layers(client.get("/map", headers=token()).get_data(as_text=True))["hazards"]
    assert "hz-3" not in {f["id"] for f in hazards["features"]}
    assert "hz-2" in {f["id"] for f in hazards["features"]}


def test_two_scopes_never_see_each_others_pages(gw_client):
    gw, client = gw_client
    headers = {name: token(role, villages) for name, (role, villages) in SCOPES.items()}
    expected = {name: client.get("/api/map/layers", headers=h).get_json()
                for name, h in headers.items()}
    assert _homes(expected["director 201"]) and _homes(expected["director 202"])
    assert not _homes(expected["director 201"]) & _homes(expected["director 202"])
    assert not _homes(expected["patrol"]) and expected["patrol"]["home_cells"]["features"]
    for round_ in range(3):  # rendered, then from the cache, then after an event
        if round_ == 2:
            apply(gw, [_checkin(9)[0]])
            expected = {name: client.get("/api/map/layers", headers=h).get_json()
                        for name, h in headers.items()}
        for name in [*SCOPES, *reversed(SCOPES)]:
            page = client.get("/map", headers=headers[name]).get_data(as_text=True)
            assert _layers(page) == expected[name], (round_, name)
            if name == "patrol":
                assert "child-" not in page


def test_the_warmer_renders_after_an_event_before_anyone_asks():
    version, made = [1], []

    def make():  # type: ignore[no-untyped-def]
        made.append(threading.current_thread().name)
        return f"page at version {version[0]}"

    cache = PageCache(lambda: version[0], poll_s=0.01, recent_s=1.0)
    assert cache.get("scope", make) == "page at version 1" and len(made) == 1
    assert cache.get("scope", make) == "page at version 1" and len(made) == 1
    version[0] = 2
    eventually(lambda: cache.cached("scope"), 5, 0.01, message="the warmer rendered")
    assert made[1] == "map-page-warmer"
    assert cache.get("scope", make) == "page at version 2" and len(made) == 2
    eventually(lambda: not cache.warming, 5, 0.05, message="the warmer stops when idle")
    version[0] = 3
    assert not cache.cached("scope")
    assert cache.get("scope", make) == "page at version 3" and len(made) == 3


def test_the_warmer_tries_a_version_once_and_says_so_once(caplog):
    version, polls, tries = [1], [0], []

    def current():  # type: ignore[no-untyped-def]
        polls[0] += 1
        return version[0]

    def make():  # type: ignore[no-untyped-def]
        tries.append(version[0])
        if version[0] > 1:
            raise RuntimeError("read model unavailable")
        return "page"

    cache = PageCache(current, poll_s=0.01, recent_s=60.0)
    cache.get("scope", make)
    version[0] = 2
    eventually(lambda: 2 in tries, 5, 0.01, message="the warmer tried version 2")
    seen = polls[0]
    eventually(lambda: polls[0] > seen + 5, 5, 0.01, message="the warmer kept polling")
    assert tries == [1, 2]  # not retried at every poll
    warnings = [r.getMessage() for r in caplog.records if "warmer" in r.getMessage()]
    assert warnings == ["map page warmer: RuntimeError"]


def test_the_warmer_ends_with_its_cache():
    cache = PageCache(lambda: 1, poll_s=0.01, recent_s=600.0)
    cache.get("scope", lambda: "page")
    warmer = cache._warmer
    assert warmer is not None and warmer.is_alive()
    del cache
    gc.collect()
    warmer.join(5)
    assert not warmer.is_alive()


def test_a_key_is_rendered_once_at_a_time_and_a_failed_render_is_retried():
    release, made = threading.Event(), []

    def slow():  # type: ignore[no-untyped-def]
        made.append(1)
        release.wait(5)
        return "page"

    cache = PageCache(lambda: 1, poll_s=60)
    results: list[str] = []
    callers = [threading.Thread(target=lambda: results.append(cache.get("s", slow)))
               for _ in range(3)]
    for c in callers:
        c.start()
    eventually(lambda: made, 5, 0.01)
    release.set()
    for c in callers:
        c.join(5)
    assert results == ["page"] * 3 and made == [1]

    def broken():  # type: ignore[no-untyped-def]
        raise RuntimeError("read model unavailable")

    with pytest.raises(RuntimeError):
        cache.get("other", broken)
    assert cache.get("other", lambda: "recovered") == "recovered"


def _inline_scripts(page: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", page, flags=re.S)


def test_a_first_visit_gets_the_assets_inline_allowed_by_hash_then_links(gw_client):
    _, client = gw_client
    first = client.get("/map", headers=token(Role.PATROL_MEMBER))
    page = first.get_data(as_text=True)
    csp = first.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    scripts = _inline_scripts(page)
    assert len(scripts) == 2 and "Leaflet 1.9.4" in scripts[0]
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src
    assert "url(/static/leaflet/images/layers.png)" in page
    assert page.index("Leaflet 1.9.4") < page.index('id="shouhu-zones"')  # drawn first
    zones = _element(page, "shouhu-zones")["features"]
    assert zones and "coordinates" not in zones[0]["geometry"]  # packed as steps
    assert f"{ASSETS_COOKIE}={ASSETS.version}" in first.headers["Set-Cookie"]
    assert "HttpOnly" in first.headers["Set-Cookie"]

    again = client.get("/map", headers=token(Role.PATROL_MEMBER)).get_data(as_text=True)
    assert not _inline_scripts(again) and _layers(again) == _layers(page)
    linked = re.findall(r'<script src="([^"]+)"></script>', again)
    assert [u.split("?")[0] for u in linked] == ["/static/leaflet/leaflet.js",
                                                  "/static/phone_map.js"]
    assert again.index("phone_map.js") < again.index('id="shouhu-zones"')
    for url in linked + re.findall(r'<link rel="stylesheet" href="([^"]+)">', again):
        assert client.get(url).status_code == 200, url
    client.set_cookie(ASSETS_COOKIE, "an-older-release")
    assert len(_inline_scripts(
        client.get("/map", headers=token(Role.PATROL_MEMBER)).get_data(as_text=True))) == 2


def test_the_map_opens_on_the_callers_villages(gw_client):
    """A director's map is fitted to their village's hazards and points; a township-wide
    role's to everything drawn."""
    _, client = gw_client
    page = client.get("/map", headers=token(Role.CHILD_DIRECTOR, frozenset({"500110120202"})))
    config = _element(page.get_data(as_text=True), "shouhu-config")
    assert config["fit"] is None  # no hazard or point lies in 202: the whole map instead
    mine = client.get("/map", headers=token(Role.CHILD_DIRECTOR, frozenset({"500110120201"})))
    config = _element(mine.get_data(as_text=True), "shouhu-config")
    points = [f["geometry"]["coordinates"] for f in config["layers"]["points"]["features"]
              if f["properties"]["village_code"] == "500110120201"]
    (south, west), (north, east) = config["fit"]
    assert points and all(west <= lon <= east and south <= lat <= north for lon, lat in points)
    assert config["fit"] != config["bounds"]  # the homes of other villages lie outside
    patrol = client.get("/map", headers=token(Role.PATROL_MEMBER)).get_data(as_text=True)
    assert _element(patrol, "shouhu-config")["fit"] is None
