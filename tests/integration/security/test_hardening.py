"""The medium and low findings of issue 13, each an attack that must fail: open
redirects, 500s on malformed input, oversized bodies and geometries, a webhook's
non-ASCII signature, the delivery log for liaisons, log redaction of UUIDs."""

from __future__ import annotations

import json
import logging
from urllib.parse import unquote

import pytest

from shared.auth import Principal, Role
from shared.privacy import install_redaction, redact
from tests.integration.security.conftest import GATEWAY_KEYS, PASSWORD, TOWNSHIP, token

NESTED = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("target", [
    "/%09/evil.example", "%2F%09%2Fevil.example", "/%0d%0aSet-Cookie:%20a=b",
    "/%0a/evil.example", "/%5Cevil.example", "https://evil.example/", "//evil.example"])
def test_sign_in_goes_on_to_a_local_page_only(identity_gateway, target):
    gateway = identity_gateway
    gateway.service.create_user(Principal("a", Role.STATION_ADMIN, TOWNSHIP), "planner.a",
                                PASSWORD, Role.PLANNER, TOWNSHIP, frozenset())
    page = gateway.get(f"/login?next={target}")
    assert page.status_code == 200 and "evil" not in page.get_data(as_text=True)
    csrf = gateway.get_cookie("shouhu_csrf").value
    resp = gateway.post("/login", data={"username": "planner.a", "password": PASSWORD,
                                        "csrf_token": csrf, "next": unquote(target)})
    assert resp.status_code == 303 and resp.headers["Location"] == "/map"


def test_deeply_nested_json_is_a_400_everywhere_even_signed_out(service_apps):
    for service, path in (("gateway", "/login"), ("registry", "/children"),
                          ("hazards", "/hazards"), ("notifier", "/directory/p-1")):
        client = service_apps[service].test_client()
        send = client.put if service == "notifier" else client.post
        headers = {} if service == "gateway" else {
            "Authorization": f"Bearer {token(Role.STATION_ADMIN, frozenset())}"}
        resp = send(path, data=NESTED, content_type="application/json", headers=headers)
        assert resp.status_code == 400, (service, resp.status_code)


@pytest.mark.parametrize("geometry", [
    {"type": "Polygon", "coordinates": [[[106.6, 28.9]]]},
    {"type": "Polygon", "coordinates": "x"},
    {"type": "LineString", "coordinates": [[106.6, 28.9]]},
    {"type": "Point", "coordinates": [106.6, 28.9, 1, 2]},
    {"type": "Point", "coordinates": [True, 28.9]},
    {"type": "MultiPolygon", "coordinates": [[[]]]},
])
def test_malformed_geometries_are_refused_naming_the_field(service_apps, geometry):
    client = service_apps["hazards"].test_client()
    resp = client.post("/hazards", json={"kind": "pond", "geometry": geometry}, headers={
        "Authorization": f"Bearer {token(Role.STATION_ADMIN, frozenset())}"})
    assert resp.status_code == 422 and "geometry" in resp.json["errors"]["json"]


def test_hazard_bodies_and_geometries_are_bounded_and_the_webhook_most(service_apps):
    client = service_apps["hazards"].test_client()
    admin = {"Authorization": f"Bearer {token(Role.STATION_ADMIN, frozenset())}"}
    ring = [[106.6 + i * 1e-6, 28.9 + (i % 2) * 1e-6] for i in range(25_000)]
    many = client.post("/hazards", headers=admin, json={"kind": "river", "geometry": {
        "type": "LineString", "coordinates": ring}})
    assert many.status_code == 422 and "vertices" in json.dumps(many.json)
    huge = client.post("/hazards", headers=admin, data=b"{" + b" " * (3 * 1024 * 1024) + b"}",
                       content_type="application/json")
    assert huge.status_code == 413
    alarm = client.post("/devices/cam-1/alarms", data=b" " * (64 * 1024),
                        content_type="application/json",
                        headers={"X-Shouhu-Signature": "sha256=00"})
    assert alarm.status_code == 413
    accented = client.post("/devices/cam-1/alarms", data=b"{}", content_type="application/json",
                           headers={"X-Shouhu-Signature": "sha256=é"})
    assert accented.status_code == 401


def test_paging_past_any_real_page_and_an_empty_user_patch_are_refused_not_500(
        service_apps, identity_gateway):
    notifier = service_apps["notifier"].test_client()
    resp = notifier.get(f"/deliveries?page={2 ** 60}", headers={
        "Authorization": f"Bearer {token(Role.STATION_ADMIN, frozenset())}"})
    assert resp.status_code == 422
    user = identity_gateway.service.create_user(Principal("a", Role.STATION_ADMIN, TOWNSHIP),
                                                "planner.b", PASSWORD, Role.PLANNER, TOWNSHIP,
                                                frozenset())
    admin = {"Authorization": "Bearer " + GATEWAY_KEYS.issue(
        Principal("a", Role.STATION_ADMIN, TOWNSHIP))}
    empty = identity_gateway.patch(f"/api/users/{user.user_id}", json={}, headers=admin)
    assert empty.status_code == 422 and "at least one" in json.dumps(empty.json)


def test_liaisons_do_not_read_the_townships_delivery_log(service_apps):
    notifier = service_apps["notifier"].test_client()
    for role in (Role.POLICE_LIAISON, Role.SCHOOL_LIAISON):
        resp = notifier.get("/deliveries", headers={"Authorization": f"Bearer {token(role)}"})
        assert resp.status_code == 403, role
    assert notifier.get("/deliveries", headers={
        "Authorization": f"Bearer {token(Role.CHILD_DIRECTOR)}"}).status_code == 200


def test_log_redaction_keeps_uuids_and_still_hides_phones(caplog):
    ids = ["b1391234-5678-4817-9abc-def012345678", "12345678-1391-2345-6789-012345678901"]
    for uid in ids:
        assert redact(f"child {uid} updated") == f"child {uid} updated"
    assert redact("guardian 13912345678, office 023-12345678") == \
        "guardian [PHONE], office [PHONE]"
    install_redaction()  # what every service's app does
    with caplog.at_level(logging.INFO):
        logging.getLogger("shouhu.test").info("visit %s by %s", ids[0], "13912345678")
    assert ids[0] in caplog.text and "13912345678" not in caplog.text


def _attempt(gateway, username, address, password="wrong password x"):
    return gateway.post("/login", json={"username": username, "password": password},
                        environ_base={"REMOTE_ADDR": address}).status_code


def test_sign_in_backoff_reveals_no_names_and_a_stranger_locks_only_themself(
        identity_gateway):
    gateway = identity_gateway
    gateway.service.create_user(Principal("a", Role.STATION_ADMIN, TOWNSHIP), "patrol.a",
                                PASSWORD, Role.PATROL_MEMBER, TOWNSHIP, frozenset())
    known = [_attempt(gateway, "patrol.a", "10.0.0.1") for _ in range(7)]
    unknown = [_attempt(gateway, "nobody.here", "10.0.0.3") for _ in range(7)]
    assert known == unknown == [401] * 5 + [429] * 2
    # the owner, elsewhere, is not locked out by the stranger at 10.0.0.1
    assert _attempt(gateway, "patrol.a", "10.0.0.2", PASSWORD) == 200
    # a guess spread over many addresses: the account backs off for everyone, briefly,
    # and an unknown name the same
    for name in ("patrol.a", "nobody.else"):
        spread = [_attempt(gateway, name, f"10.1.{i}.1") for i in range(21)]
        assert spread[:20] == [401] * 20 and spread[20] == 429, name


def _inline_styles_allowed_by_hash(resp) -> bool:  # type: ignore[no-untyped-def]
    import base64
    import hashlib
    import re

    csp = resp.headers["Content-Security-Policy"]
    styles = re.findall(r"<style>(.*?)</style>", resp.get_data(as_text=True), re.S)
    return bool(styles) and "'unsafe-inline'" not in csp and "cdn" not in csp and all(
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        in csp for css in styles)


def test_the_sign_in_page_allows_its_own_style_by_hash_and_nothing_inline(identity_gateway):
    page = identity_gateway.get("/login")
    assert _inline_styles_allowed_by_hash(page)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    api = identity_gateway.get("/api/users/me")  # JSON answers get the strict default
    assert "'unsafe-inline'" not in api.headers["Content-Security-Policy"]
