"""隐患整改 end to end over events, with the real broker: the hazards, gateway and
notifier apps on real HTTP ports and their workers' relay and consumers on the embedded
Tansu broker. Station staff assign a missing barrier from the dashboard; the village
committee is told; the village reports it fixed with a phone photo; the patrol lead is
told and a patrol confirms it; the hazard's barrier is then present and the dashboard
stops listing it. A task left past its due date is announced to the station and counted
overdue on the dashboard."""

from __future__ import annotations

import dataclasses
import io
import re
import sys
import threading
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "gateway"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "hazards"))

from gw_helpers import KEYS, TOWNSHIP, gateway  # noqa: E402
from haz_helpers import settings_for  # noqa: E402
from peers import Served, notifier  # noqa: E402

from services.gateway.adapters.forwarding import Forwarder  # noqa: E402
from services.gateway.entrypoints.api import create_app  # noqa: E402
from services.gateway.entrypoints.phone_pages import local_today  # noqa: E402
from services.hazards.bootstrap import bootstrap as hazards_bootstrap  # noqa: E402
from services.hazards.entrypoints.api import create_app as hazards_app  # noqa: E402
from services.hazards.service_layer.fix_tasks import scan_overdue  # noqa: E402
from services.notifier.entrypoints.api import create_app as notifier_app  # noqa: E402
from services.notifier.entrypoints.worker import threads as notifier_threads  # noqa: E402
from shared.auth import Principal, Role  # noqa: E402
from shared.auth.flask import COOKIE, CSRF_COOKIE, session_csrf  # noqa: E402
from shared.testing.fixtures import eventually  # noqa: E402
from shared.worker import build_consumer, build_relay  # noqa: E402

pytestmark = pytest.mark.slow
VILLAGE, SIGN_IN = "500110120201", "fix-loop-sign-in"
CSRF = session_csrf({"sid": SIGN_IN})  # forms carry the sign-in's own token
DIRECTORY = f"""people:
  - {{person_id: committee, role: village_committee, scope_code: "{VILLAGE}",
     user_id: committee-1, contacts: {{}}}}
  - {{person_id: patrol-lead, role: patrol_lead, scope_code: "{VILLAGE}",
     user_id: patrol-1, contacts: {{}}}}
  - {{person_id: station, role: station, scope_code: "{TOWNSHIP}",
     user_id: station-1, contacts: {{}}}}
"""
POND = {"type": "Polygon", "coordinates": [[[106.65, 28.95], [106.651, 28.95],
                                            [106.651, 28.951], [106.65, 28.951],
                                            [106.65, 28.95]]]}


@pytest.fixture
def loop(tmp_path, broker, topic_prefix, monkeypatch):
    """(gateway app, gateway, hazards) with every worker running on the broker."""
    monkeypatch.setenv("SHOUHU_KAFKA_BOOTSTRAP", broker.bootstrap)
    monkeypatch.setenv("SHOUHU_TOPIC_PREFIX", topic_prefix)
    base = settings_for(f"sqlite:///{tmp_path / 'hazards.db'}")
    hz = hazards_bootstrap(dataclasses.replace(
        base, keys=KEYS, common=dataclasses.replace(
            base.common, bootstrap_servers=broker.bootstrap, topic_prefix=topic_prefix)))
    ntf = notifier(tmp_path, monkeypatch, DIRECTORY, awake=True)  # any hour
    gw = gateway(f"sqlite:///{tmp_path / 'gw.db'}", prefix=topic_prefix,
                 bootstrap_servers=broker.bootstrap)
    peers = Served(hazards_app(hz)), Served(notifier_app(ntf))
    app = create_app(gw, hazards=Forwarder("hazards", peers[0].url),
                     notifier=Forwarder("notifier", peers[1].url))
    stop = threading.Event()
    relay = build_relay(hz.settings.common, hz.engine, hz.catalogue)
    consumer = build_consumer(gw.settings.common, gw.engine, gw.catalogue,
                              gw.handlers())
    consumer.stop = stop
    workers = [threading.Thread(target=relay.run, args=(stop,)),
               threading.Thread(target=consumer.run), *notifier_threads(ntf, stop)]
    for t in workers:
        t.start()
    yield app, gw, hz
    stop.set()
    for t in workers:
        t.join(30)
    relay.leadership.release()
    for peer in peers:
        peer.stop()


def _browser(app, user: str, role: Role, villages=frozenset()):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.set_cookie(COOKIE, KEYS.issue(Principal(user, role, TOWNSHIP, villages),
                                         sid=SIGN_IN, check_until=date.max))
    client.set_cookie(CSRF_COOKIE, CSRF)
    return client


def _text(resp) -> str:  # type: ignore[no-untyped-def]
    return unescape(resp.get_data(as_text=True))


def _inbox(app, user: str, role: Role, villages=frozenset()) -> str:  # type: ignore[no-untyped-def]
    return _text(_browser(app, user, role, villages).get("/inbox"))


def _photo() -> bytes:
    raw = io.BytesIO()
    Image.new("RGB", (40, 30), "gray").save(raw, "JPEG")
    return raw.getvalue()


def test_a_missing_barrier_is_assigned_fixed_confirmed_and_leaves_the_dashboard(loop):
    app, gw, hz = loop
    staff = _browser(app, "staff-1", Role.CHILD_SUPERVISOR)
    hazard = hz_post(hz, "/hazards", {"kind": "pond", "name": "整改测试塘", "geometry": POND,
                                      "village_code": VILLAGE, "barrier": "missing",
                                      "warning_sign": "present",
                                      "rescue_equipment": "present"})
    dashboard = lambda: _text(staff.get("/dashboard"))  # noqa: E731
    eventually(lambda: "整改测试塘" in dashboard(), 90, message="the hazard on the dashboard")
    page = dashboard()
    assert re.search(r'name="hazard_id"\s+value="' + hazard["id"], page)  # a form on its row
    due = (local_today() + timedelta(days=14)).isoformat()
    assigned = staff.post("/fix-tasks/new", data={
        "csrf_token": CSRF, "hazard_id": hazard["id"], "protection": "barrier", "due_on": due})
    assert assigned.status_code == 303, _text(assigned)
    task_path = assigned.location.split("?")[0]
    task_id = task_path.rsplit("/", 1)[1]
    assert "已派给村委会。" in _text(staff.get(assigned.location))

    eventually(lambda: "隐患整改任务：护栏" in _inbox(app, "committee-1", Role.CHILD_DIRECTOR,
                                                 frozenset({VILLAGE})), 60,
               message="the village committee told")
    eventually(lambda: f"/fix-tasks/{task_id}" in dashboard(), 30,
               message="the dashboard shows the task on its row")
    village = _browser(app, "director-1", Role.CHILD_DIRECTOR, frozenset({VILLAGE}))
    reported = village.post(f"{task_path}/fixed", data={
        "csrf_token": CSRF, "note": "已加装护栏", "photo": (io.BytesIO(_photo()), "fix.jpg")},
        content_type="multipart/form-data")
    assert reported.status_code == 303, _text(reported)
    shown = _text(village.get(reported.location))
    assert "已上报，待巡查确认" in shown and f"{task_path}/photo" in shown
    assert village.get(f"{task_path}/photo").mimetype == "image/jpeg"
    eventually(lambda: "整改已上报，请巡查确认：护栏" in _inbox(app, "patrol-1",
                                                        Role.PATROL_MEMBER), 60,
               message="the patrol lead told")

    patrol = _browser(app, "patrol-1", Role.PATROL_MEMBER)
    confirmed = patrol.post(f"{task_path}/confirmation", data={
        "csrf_token": CSRF, "fixed": "true", "note": ""})
    assert confirmed.status_code == 303, _text(confirmed)
    assert "已确认，危险点的防护已更新。" in _text(patrol.get(confirmed.location))

    def barrier_gone() -> bool:
        rows = staff.get("/api/dashboard").get_json()["protections"]
        return not any(r["hazard_id"] == hazard["id"] for r in rows)

    eventually(barrier_gone, 60, message="the fixed barrier leaves what-to-fix")
    with gw.engine.connect() as conn:
        from services.gateway.read_model.adapters.read_model_store import ReadModelStore

        store = ReadModelStore(conn)
        assert store.hazard(hazard["id"]).protections["barrier"] == "present"
        assert store.fix_task(task_id).status == "confirmed"


def test_an_overdue_task_reaches_the_station_and_the_dashboard(loop):
    app, gw, hz = loop
    hazard = hz_post(hz, "/hazards", {"kind": "pond", "name": "逾期测试塘", "geometry": POND,
                                      "village_code": VILLAGE, "barrier": "present",
                                      "warning_sign": "missing",
                                      "rescue_equipment": "present"})
    today = local_today()
    task = hz_post(hz, "/fix-tasks", {"hazard_id": hazard["id"], "protection": "warning_sign",
                                      "due_on": today.isoformat()})
    assert scan_overdue(hz.uow(), today + timedelta(days=1)) == [task["id"]]
    eventually(lambda: "整改逾期：警示牌" in _inbox(app, "station-1", Role.STATION_ADMIN), 90,
               message="the station told")
    staff = _browser(app, "staff-1", Role.STATION_ADMIN)

    def counted() -> list:
        return staff.get("/api/dashboard").get_json()["fix_tasks"]

    eventually(lambda: counted() == [{"village_code": VILLAGE, "village_name": "崇恩村",
                                      "open": 1, "overdue": 1}], 60,
               message="counted overdue on the dashboard")
    page = _text(staff.get("/dashboard"))
    assert re.search(r"各村整改任务", page) and "已逾期" in page


def hz_post(hz, path: str, body: dict) -> dict:  # type: ignore[no-untyped-def]
    client = hazards_app(hz).test_client()
    admin = {"Authorization": "Bearer " + KEYS.issue(Principal("admin", Role.STATION_ADMIN,
                                                               TOWNSHIP))}
    resp = client.post(path, json=body, headers=admin)
    assert resp.status_code == 201, resp.json
    return resp.json


@pytest.mark.browser
def test_the_loop_on_pages_in_chromium_on_a_pc_and_phones(loop, tmp_path):
    """Station staff at 1366×900 assign from the dashboard; a director on a 360×740
    phone finds the task in the list and reports it with a photo chosen on the phone; a
    patrol member's phone confirms it. Each page fits its screen and shows no code."""
    from selenium.webdriver.common.by import By
    from werkzeug.serving import make_server

    from infra.broker import free_port
    from tests.e2e.phone import chromium_phone
    from tests.e2e.test_case_flow_pages import _fits, _pc

    app, _, hz = loop
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    hz_post(hz, "/hazards", {"kind": "pond", "name": "页面整改塘", "geometry": POND,
                             "village_code": VILLAGE, "barrier": "missing",
                             "warning_sign": "present", "rescue_equipment": "present"})
    photo = tmp_path / "fix.jpg"
    photo.write_bytes(_photo())
    pc, phone = _pc(), chromium_phone()
    try:
        def sign_in(driver, user, role, villages=frozenset()):  # type: ignore[no-untyped-def]
            driver.get(base + "/healthz")
            driver.delete_all_cookies()
            driver.add_cookie({"name": COOKIE, "path": "/", "value": KEYS.issue(
                Principal(user, role, TOWNSHIP, villages))})

        sign_in(pc, "staff-1", Role.CHILD_SUPERVISOR)

        def row():  # type: ignore[no-untyped-def]
            pc.get(base + "/dashboard")
            return next((r for r in pc.find_elements(By.CSS_SELECTOR, "#fix-table tr")
                         if "页面整改塘" in r.text), None)

        eventually(row, 90, message="the hazard's row on the dashboard").find_element(
            By.CSS_SELECTOR, "form.assign button").click()
        eventually(lambda: "done=assigned" in pc.current_url, 20, message="assigned")
        assert pc.find_element(By.ID, "status").text == "待整改"
        _fits(pc)

        sign_in(phone, "director-1", Role.CHILD_DIRECTOR, frozenset({VILLAGE}))
        phone.get(base + "/fix-tasks")
        _fits(phone)
        phone.find_element(By.PARTIAL_LINK_TEXT, "页面整改塘 · 护栏").click()
        phone.find_element(By.ID, "photo").send_keys(str(photo))
        phone.find_element(By.ID, "note").send_keys("已加装护栏")
        phone.find_element(By.CSS_SELECTOR, "#report button").click()
        eventually(lambda: "done=reported" in phone.current_url, 20, message="reported")
        assert phone.find_element(By.ID, "status").text == "已上报，待巡查确认"
        assert phone.find_element(By.CSS_SELECTOR, "img.photo").get_attribute(
            "naturalWidth") == "40"
        _fits(phone)

        task_url = phone.current_url.split("?")[0]
        sign_in(phone, "patrol-1", Role.PATROL_MEMBER)
        phone.get(task_url)
        phone.find_element(By.CSS_SELECTOR, "#confirm button[value=true]").click()
        eventually(lambda: "done=confirmed" in phone.current_url, 20, message="confirmed")
        assert phone.find_element(By.ID, "status").text == "已确认整改"
        _fits(phone)
        eventually(lambda: row() is None, 60, message="the fixed barrier leaves the table")
    finally:
        pc.quit()
        phone.quit()
        server.shutdown()
