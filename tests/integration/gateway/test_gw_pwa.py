"""The installable app: the manifest, the icon, and a service worker whose shell list
names only files the gateway serves; pages link the icon and the manifest, and only
pages without exact homes may be kept on the phone."""

from __future__ import annotations

import json
import re

from gw_helpers import apply, gateway, token, township_events

from services.gateway.entrypoints.api import create_app
from shared.auth import Role


def _client(tmp_path):  # type: ignore[no-untyped-def]
    gw = gateway(f"sqlite:///{tmp_path / 'gw.db'}")
    apply(gw, township_events())
    return create_app(gw).test_client()


def test_manifest_icon_and_worker_are_served_to_anyone(tmp_path):
    client = _client(tmp_path)
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    body = json.loads(manifest.get_data(as_text=True))
    assert body["start_url"] == "/map" and body["display"] == "standalone"
    assert {i["sizes"] for i in body["icons"]} == {"192x192", "512x512"}
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200, icon
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200 and favicon.data[:4] == b"\x00\x00\x01\x00"
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.headers["Cache-Control"] == "no-cache"
    shell = json.loads(re.match(r"var SHOUHU = (\{.*?\});", worker.get_data(as_text=True))
                       .group(1))["shell"]
    assert any("phone_map.js?v=" in u for u in shell)
    for url in shell:
        assert client.get(url).status_code == 200, url


def test_only_pages_without_exact_homes_may_be_kept(tmp_path):
    client = _client(tmp_path)
    patrol = client.get("/map", headers=token(Role.PATROL_MEMBER))
    staff = client.get("/map", headers=token(Role.STATION_ADMIN))
    assert patrol.headers.get("X-Shouhu-Offline") == "keep"
    assert "X-Shouhu-Offline" not in staff.headers
    assert staff.headers["Cache-Control"] == "no-store"
    page = patrol.get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert re.search(r'<meta name="shouhu-served-at" content="\d{4}-\d\d-\d\dT', page)
    login = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in login
