"""The inbox, visit and case pages against the real registry and notifier apps, each on
its own HTTP port, as a person signed in by cookie uses them: forms with their CSRF
token, each success a 303 to the page that shows it (a reload sends nothing again), the
registry deciding and scoping, the notifier's inbox, a service down, a browser whose
session expired sent to sign in."""

from __future__ import annotations

import gzip
import re
from datetime import date
from html import unescape
from urllib.parse import urlencode

import pytest
from gw_helpers import KEYS, TOWNSHIP, gateway
from peers import DIRECTOR_ID, Served, notifier, published, registry, relay

from services.gateway.adapters.forwarding import Forwarder
from services.gateway.entrypoints.api import create_app
from services.gateway.field.entrypoints.case_pages import short_ref
from shared.auth import Principal, Role
from shared.auth.flask import COOKIE, CSRF_COOKIE, session_csrf
from tests.integration.registry.reg_helpers import OTHER_VILLAGE, VILLAGE, child_body

SIGN_IN = "director-sign-in"  # the browsers' session: forms carry its own CSRF token
CSRF = session_csrf({"sid": SIGN_IN})


@pytest.fixture
def stack(tmp_path, monkeypatch):
    """(gateway app, registry, notifier, registry's own test client)."""
    reg, ntf = registry(f"sqlite:///{tmp_path / 'registry.db'}"), notifier(tmp_path, monkeypatch)
    from services.notifier.entrypoints.api import create_app as notifier_app
    from services.registry.entrypoints.api import create_app as registry_app

    reg_app = registry_app(reg)
    peers = Served(reg_app), Served(notifier_app(ntf))
    app = create_app(gateway(f"sqlite:///{tmp_path / 'gw.db'}"),
                     registry=Forwarder("registry", peers[0].url),
                     notifier=Forwarder("notifier", peers[1].url))
    yield app, reg, ntf, reg_app.test_client()
    for peer in peers:
        peer.stop()


def browser(app, role=Role.CHILD_DIRECTOR, villages=frozenset({VILLAGE}), user=DIRECTOR_ID):
    """A phone signed in by the session cookie, holding the CSRF cookie."""
    client = app.test_client()
    client.set_cookie(COOKIE, KEYS.issue(Principal(user, role, TOWNSHIP, villages),
                                         sid=SIGN_IN, check_until=date.max))
    client.set_cookie(CSRF_COOKIE, CSRF)
    return client


def admin_child(registry_client, **over) -> str:
    admin = {"Authorization": "Bearer " + KEYS.issue(Principal("admin", Role.STATION_ADMIN,
                                                               TOWNSHIP))}
    resp = registry_client.post("/children", json=child_body(**over), headers=admin)
    assert resp.status_code == 201, resp.json
    return resp.json["id"]


def text(resp) -> str:
    return unescape(resp.get_data(as_text=True))


def admin_get(registry_client, path: str):
    admin = KEYS.issue(Principal("a", Role.STATION_ADMIN, TOWNSHIP))
    return registry_client.get(path, headers={"Authorization": "Bearer " + admin}).json


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


VISIT = {"csrf_token": CSRF, "visited_at": "2026-07-03T15:30", "guardianship": "祖母照料",
         "living_conditions": "", "home_safety": "屋后池塘无护栏", "mental_state": "",
         "next_steps": "下周联系村委会"}


def test_a_director_records_a_visit_from_the_list_of_children_due(stack):
    app, reg, _, registry_client = stack
    child_id = admin_child(registry_client, name="走访测试")
    phone = browser(app)
    due = phone.get("/visits?days=90")
    assert due.status_code == 200 and "走访测试" in text(due)
    assert f'href="/children/{child_id}?lang=zh"' in text(due)
    page = phone.get(f"/children/{child_id}")
    assert page.status_code == 200 and f'name="csrf_token" value="{CSRF}"' in text(page)
    done = phone.post(f"/children/{child_id}/visits", data=VISIT)
    assert done.status_code == 303, text(done)
    assert done.location == f"/children/{child_id}?lang=zh&recorded=1"
    [visit] = admin_get(registry_client, f"/children/{child_id}/visits")
    next_due = visit["next_due"]  # the confirmation shows the registry's date
    for _ in range(2):  # the phone reloads the answer on weak signal: one visit still
        shown = text(phone.get(done.location))
        assert f"走访已记录。下次走访应于 {next_due} 前。" in shown
        assert 'href="/visits?lang=zh"' in shown
        assert f'href="/children/{child_id}/cases/new?lang=zh"' in shown
        assert 'name="visited_at"' not in shown  # the confirmation, not the form again
    assert f"<dd>{next_due}</dd>" in text(phone.get(f"/children/{child_id}"))  # the registry's
    resent = phone.post(f"/children/{child_id}/visits", data=VISIT)  # the answer was lost
    assert resent.status_code == 303 and resent.location == done.location
    [visit] = admin_get(registry_client, f"/children/{child_id}/visits")
    assert visit["findings"] == {"guardianship": "祖母照料", "home_safety": "屋后池塘无护栏"}
    assert visit["visitor_id"] == DIRECTOR_ID
    [event] = [e for e in published(reg) if e.type == "registry.visit.recorded.v1"]
    assert event.data["visited_at"] == "2026-07-03T15:30:00+08:00"  # the phone's clock


def test_the_registrys_refusal_names_the_field_and_keeps_what_was_typed(stack):
    app, *_, registry_client = stack
    child_id = admin_child(registry_client)
    phone = browser(app)
    typed = {**VISIT, "visited_at": "不是时间", "home_safety": "池" * 2001}
    refused = phone.post(f"/children/{child_id}/visits?lang=en", data=typed)
    page = text(refused)
    assert refused.status_code == 422
    assert re.search(r'<span class="error" id="visited_at-error">[^<]*datetime', page)
    assert re.search(r'<span class="error" id="home_safety-error">[^<]*2000', page)
    assert re.search(r'<textarea id="home_safety"[^>]*aria-invalid="true"[^>]*>池{2001}<', page)
    assert 'value="不是时间"' in page and "下周联系村委会" in page
    assert 'id="guardianship-error"' not in page
    assert admin_get(registry_client, f"/children/{child_id}/visits") == []
    assert phone.get(f"/children/{child_id}?recorded=<b>").status_code == 422  # a flag only
    case = phone.post(f"/children/{child_id}/cases", data={
        "csrf_token": CSRF, "situation": "flood", "severity": "", "note": "母亲外出"})
    assert case.status_code == 422 and 'id="situation-error"' in text(case)
    assert "母亲外出</textarea>" in text(case)


def test_a_child_of_another_village_is_not_found(stack):
    app, *_, registry_client = stack
    child_id = admin_child(registry_client, village_code=OTHER_VILLAGE, name="别村儿童")
    phone = browser(app)
    for resp in (phone.get(f"/children/{child_id}"),
                 phone.get(f"/children/{child_id}/cases/new"),
                 phone.post(f"/children/{child_id}/visits", data=VISIT)):
        assert resp.status_code == 404
        assert "未找到" in text(resp) and "别村儿童" not in text(resp)
    assert "别村儿童" not in text(phone.get("/visits?days=90"))
    assert "别村儿童" in text(browser(app, Role.CHILD_SUPERVISOR, frozenset()).get(
        "/visits?days=90"))


def test_a_form_without_its_csrf_token_changes_nothing(stack):
    app, reg, _, registry_client = stack
    child_id = admin_child(registry_client)
    phone = browser(app)
    forged = phone.post(f"/children/{child_id}/visits", data={**VISIT, "csrf_token": "x"})
    assert forged.status_code == 403 and "CSRF" in forged.json["message"]
    assert phone.post(f"/children/{child_id}/cases",
                      data={"situation": "none"}).status_code == 403
    assert phone.post("/inbox/00000000-0000-4000-8000-000000000000/ack").status_code == 403
    written = {e.type for e in published(reg)}
    assert "registry.child.registered.v1" in written  # what was done is there
    assert not {"registry.visit.recorded.v1", "registry.case.opened.v1"} & written


def test_patrol_members_have_an_inbox_but_no_visit_or_case_pages(stack):
    app, *_, registry_client = stack
    child_id = admin_child(registry_client)
    patrol = browser(app, Role.PATROL_MEMBER, frozenset(), "patrol-1")
    assert patrol.get("/inbox").status_code == 200
    for path in ("/visits", f"/children/{child_id}", f"/children/{child_id}/cases/new",
                 "/dashboard"):
        assert patrol.get(path).json["code"] == 403, path  # an API client: JSON
        page = patrol.get(path, headers=BROWSER)  # a browser: a page saying why
        assert page.status_code == 403 and page.mimetype == "text/html", path
        assert "您的角色不能执行此操作。" in text(page), path
    refused = patrol.post(f"/children/{child_id}/visits", data=VISIT, headers=BROWSER)
    assert refused.status_code == 403 and "您的角色不能执行此操作。" in text(refused)
    assert patrol.get("/api/dashboard", headers=BROWSER).json["code"] == 403  # not a page
    assert 'href="/visits' not in text(patrol.get("/inbox"))  # no link to a page refused
    assert 'href="/visits' in text(browser(app).get("/inbox"))


def test_a_director_opens_a_case_and_acknowledges_its_alert_in_the_inbox(stack):
    app, reg, ntf, registry_client = stack
    child_id = admin_child(registry_client)
    phone = browser(app)
    opened = phone.post(f"/children/{child_id}/cases?lang=en", data={
        "csrf_token": CSRF, "situation": "guardian_incapable", "severity": "",
        "note": "grandmother in hospital"})
    assert opened.status_code == 303, text(opened)
    case_path, query = opened.location.split("?")
    assert re.fullmatch(r"/cases/[0-9a-f-]{36}", case_path) and query == "lang=en&opened=1"
    case = text(phone.get(opened.location))
    assert "Case opened." in case and "guardian incapable" in case and "urgent" in case
    assert "contact parents or relatives" in case  # the situation's checklist
    assert admin_get(registry_client, f"/cases?child_id={child_id}")["total"] == 1
    again = text(phone.get(case_path + "?lang=en"))
    assert "guardian incapable" in again and "Case opened." not in again
    resent = phone.post(f"/children/{child_id}/cases?lang=en", data={
        "csrf_token": CSRF, "situation": "guardian_incapable", "severity": "", "note": ""})
    assert resent.status_code == 303
    assert resent.location == f"{case_path}?lang=en&already_open=1"  # the same case
    assert "already has an open case of this kind" in text(phone.get(resent.location))
    assert admin_get(registry_client, f"/cases?child_id={child_id}")["total"] == 1
    assert relay(reg, ntf) >= 1
    inbox = text(phone.get("/inbox?lang=en"))
    assert f'href="{case_path}"' in inbox  # the record's link, on this gateway
    [ack_url] = re.findall(r'action="(/inbox/[^"]+/ack\?lang=en)"', inbox)
    acked = phone.post(ack_url, data={"csrf_token": CSRF})
    assert acked.status_code == 303 and acked.location == "/inbox?lang=en"
    assert "✓ Acknowledged" in text(phone.get(acked.location))
    assert "/ack?" not in text(phone.get(acked.location))
    other = browser(app, user="someone-else")
    assert other.post(ack_url, data={"csrf_token": CSRF}).status_code == 404


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_the_case_page_names_its_child_and_village_and_links_to_the_child(stack):
    app, *_, registry_client = stack
    child_id = admin_child(registry_client, name="个案名字")
    phone = browser(app)
    opened = phone.post(f"/children/{child_id}/cases", data={
        "csrf_token": CSRF, "situation": "guardian_incapable", "severity": "", "note": ""})
    case_path = opened.location.split("?")[0]
    page = text(phone.get(case_path))
    assert "<h1>个案名字的个案</h1>" in page
    about = re.search(r'<dl id="about">.*?</dl>', page, re.S).group(0)
    assert f'<a href="/children/{child_id}?lang=zh">个案名字</a>' in about
    assert "<dd>崇恩村</dd>" in about  # the village's name, not its code
    ref = re.search(r"<dd>(\d{8})</dd>", about).group(1)  # a short reference beside the name
    assert ref == short_ref(case_path.rsplit("/", 1)[1])
    main = re.sub(r"<[^>]+>", " ", page.split("<main")[1])  # what a reader sees
    assert not UUID.search(main), UUID.search(main)
    assert "<h1>Case of 个案名字</h1>" in text(phone.get(case_path + "?lang=en"))


def test_a_service_down_is_a_page_that_says_so(tmp_path):
    app = create_app(gateway(f"sqlite:///{tmp_path / 'gw.db'}"))  # peers at closed ports
    phone = browser(app)
    for path, service in (("/inbox?lang=en", "notifier"), ("/visits?lang=en", "registry")):
        down = phone.get(path)
        assert down.status_code == 503 and down.mimetype == "text/html"
        assert f"The {service} service is unavailable" in text(down)
        assert "Traceback" not in text(down)


def test_pages_are_small_strict_and_in_both_languages(stack):
    app, *_, registry_client = stack
    child_id = admin_child(registry_client)
    phone = browser(app)
    phone.delete_cookie(CSRF_COOKIE)
    assert CSRF_COOKIE in phone.get("/inbox").headers["Set-Cookie"]  # handed out once
    for path in ("/inbox", "/visits", f"/children/{child_id}",
                 f"/children/{child_id}/cases/new"):
        zh = phone.get(path)
        switch = re.search(r'<a class="lang" href="([^"]+)"', text(zh)).group(1)
        en = phone.get(switch)
        assert zh.status_code == en.status_code == 200, path
        csp = zh.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "script-src" not in csp  # no script at all
        assert "default-src 'none'" in csp and "<script" not in text(zh)
        assert zh.headers["Cache-Control"] == "no-store"
        assert '<html lang="zh">' in text(zh) and '<html lang="en">' in text(en)
        assert len(gzip.compress(zh.get_data())) < 3_000, path
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      text(phone.get(f"/children/{child_id}"))).group(1)
    assert token == CSRF  # the sign-in's own, whatever cookie the phone held
    done = phone.post(f"/children/{child_id}/visits", data={**VISIT, "csrf_token": token})
    assert done.status_code == 303
    shown = phone.get(done.location, headers={"Accept-Encoding": "gzip"})
    assert shown.status_code == 200 and shown.headers["Content-Encoding"] == "gzip"


def test_the_map_links_to_the_pages_the_role_may_use(tmp_path):
    app = create_app(gateway(f"sqlite:///{tmp_path / 'gw.db'}"))
    director = text(browser(app).get("/map?lang=en"))
    bar = re.search(r'<div id="shouhu-bar".*?</div>', director).group(0)
    assert '<a href="/visits?lang=en">Visits</a>' in bar and 'href="/inbox?lang=en"' in bar
    assert '"child_url":"/children/{id}?lang=en"' in director  # a home's popup link
    patrol = text(browser(app, Role.PATROL_MEMBER, frozenset(), "patrol-1").get("/map"))
    assert '<a href="/inbox?lang=zh">收件箱</a>' in patrol and "/visits" not in patrol


def test_a_browser_without_a_session_is_sent_to_sign_in_and_back(stack):
    app, *_, registry_client = stack
    child_id = admin_child(registry_client)
    pages = ("/map?lang=en", "/visits?days=30&lang=en", "/inbox", f"/children/{child_id}",
             f"/children/{child_id}/cases/new?lang=en",
             "/cases/00000000-0000-4000-8000-000000000000",
             "/dashboard?lang=en", "/plans/p-1/teams/t-1/sheet")  # the planners' pages too
    anonymous, expired = app.test_client(), app.test_client()
    expired.set_cookie(COOKIE, KEYS.issue(  # past its expiry and the leeway for clocks
        Principal(DIRECTOR_ID, Role.CHILD_DIRECTOR, TOWNSHIP, frozenset({VILLAGE})), -120))
    for client in (anonymous, expired):
        for path in pages:
            resp = client.get(path, headers=BROWSER)
            assert resp.status_code == 303, path
            assert resp.location == "/login?" + urlencode({"next": path})
            api = client.get(path, headers={"Accept": "application/json"})
            assert api.status_code == 401 and api.json["code"] == 401, path
        bearer = client.get("/visits", headers={**BROWSER, "Authorization": "Bearer expired"})
        assert bearer.status_code == 401 and bearer.json["code"] == 401
        for path in ("/api/map/layers", "/api/overlay/hazards"):  # not pages: JSON
            assert client.get(path, headers=BROWSER).json["code"] == 401, path
        form = client.post(f"/children/{child_id}/visits?lang=en", data=VISIT, headers=BROWSER)
        assert form.status_code == 401 and form.mimetype == "text/html"
        assert "Your sign-in has expired" in text(form)
        assert 'href="/login?next=/map"' in text(form) and "下周联系村委会" not in text(form)
    assert admin_get(registry_client, f"/children/{child_id}/visits") == []
    sign_in = anonymous.get(anonymous.get("/visits?days=30", headers=BROWSER).location)
    assert 'name="next" value="/visits?days=30"' in text(sign_in)  # the login form's


def test_the_childs_page_lists_the_childs_cases_and_links_to_each(stack):
    app, *_, registry_client = stack
    child_id = admin_child(registry_client)
    phone = browser(app)
    assert "No case." in text(phone.get(f"/children/{child_id}?lang=en"))
    opened = phone.post(f"/children/{child_id}/cases?lang=en", data={
        "csrf_token": CSRF, "situation": "guardian_incapable", "severity": "", "note": ""})
    case_path = opened.location.split("?")[0]
    page = text(phone.get(f"/children/{child_id}?lang=en"))
    assert "No case." not in page
    assert f'<a href="{case_path}?lang=en">guardian incapable</a>' in page
    step = admin_get(registry_client, f"/cases?child_id={child_id}")["items"][0]["step"]
    label = {"report": "report", "emergency": "emergency", "assessment": "assessment"}[step]
    assert re.search(rf"guardian incapable</a>\s* · {label} · Opened \d{{4}}-\d\d-\d\d \d\d:\d\d",
                     page), page
