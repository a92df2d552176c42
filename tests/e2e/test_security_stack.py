"""Security on the running stack (one stack for the module, as ``shouhu up`` runs it).

1. Sign-in as a person does it: an account made with ``shouhu users add``, the login
   form, the map behind it, sign-out; the token also works at the services.
2. No plaintext personal data where it does not belong: seeds children with known,
   invented ID numbers, phone numbers and names through the registry's API, waits until
   their events reached the gateway, then scans every log file, every SQLite file (with
   its WAL) and every message on the broker:
   - ID numbers and phone numbers: nowhere in plaintext (encrypted at rest, never in
     events or logs);
   - home coordinates: in no log and no database, neither as text nor as a REAL value
     (encrypted at rest; the map's events carry them);
   - names: only in the registry's own database, never in logs, events or other
     services' databases.
"""

from __future__ import annotations

import random
import re
import struct
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from kafka import KafkaConsumer, TopicPartition

from shared.auth import Role
from shared.testing.fixtures import eventually

PASSWORD = "patrol summer 2026"


def _add_user(stack, username: str, role: Role, *villages: str) -> None:
    cmd = [sys.executable, "-m", "infra.cli", "users", "add", username, "--role", role.value,
           "--township", "500110120", *[a for v in villages for a in ("--village", v)]]
    env = {**stack.env(), "SHOUHU_NEW_PASSWORD": PASSWORD}
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=60)


def _seed_a_hazard(stack) -> None:
    """The map needs something to draw; wait until the gateway's read model has it."""
    admin = {"Authorization": f"Bearer {stack.token()}"}
    requests.post(stack.url("hazards") + "/hazards", headers=admin, timeout=10, json={
        "kind": "pond", "name": "Login pond", "geometry": {"type": "Polygon", "coordinates": [[
            [106.65, 28.95], [106.652, 28.95], [106.652, 28.952], [106.65, 28.95]]]},
    }).raise_for_status()
    eventually(lambda: requests.get(stack.url("gateway") + "/api/map/layers", headers=admin,
                                    timeout=5).json()["hazards"]["features"], 60,
               message="hazard in the gateway read model")


def test_form_login_opens_the_map_and_logout_closes_it(stack):
    _add_user(stack, "director.e2e", Role.CHILD_DIRECTOR, "500110120201")
    _seed_a_hazard(stack)
    gw = stack.url("gateway")
    browser = requests.Session()
    page = browser.get(gw + "/login?next=/map", timeout=10)
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    signed_in = browser.post(gw + "/login", timeout=10, allow_redirects=False, data={
        "username": "director.e2e", "password": PASSWORD, "csrf_token": csrf, "next": "/map"})
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/map"
    the_map = browser.get(gw + "/map", timeout=20)
    assert the_map.status_code == 200 and "leaflet" in the_map.text.lower()
    assert the_map.headers["Cache-Control"] == "no-store"

    # the sign-in form's token does not do for the session: it has its own
    assert browser.post(gw + "/logout", headers={"X-CSRF-Token": csrf},
                        timeout=10).status_code == 403
    session_csrf = signed_in.cookies["shouhu_csrf"]
    assert session_csrf != csrf
    out = browser.post(gw + "/logout", headers={"X-CSRF-Token": session_csrf}, timeout=10)
    assert out.status_code == 204
    assert requests.get(gw + "/map", cookies={"shouhu_token": signed_in.cookies["shouhu_token"]},
                        timeout=10).status_code == 401


def test_json_login_token_is_accepted_by_the_services(stack):
    _add_user(stack, "supervisor.e2e", Role.CHILD_SUPERVISOR)
    resp = requests.post(stack.url("gateway") + "/login", timeout=10,
                         json={"username": "supervisor.e2e", "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    auth = {"Authorization": f"Bearer {resp.json()['access_token']}"}
    assert requests.get(stack.url("registry") + "/children", headers=auth,
                        timeout=10).status_code == 200
    wrong = requests.post(stack.url("gateway") + "/login", timeout=10,
                          json={"username": "supervisor.e2e", "password": "not it at all"})
    nobody = requests.post(stack.url("gateway") + "/login", timeout=10,
                           json={"username": "nobody.e2e", "password": "not it at all"})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json()["message"] == nobody.json()["message"]  # no user enumeration


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_RARE = "蔺郗夔邝隗蒯璩燕骞琰翊珏霁"


def _id_number(rng: random.Random, born: str, gender: str) -> str:
    """A well-formed, invented resident ID number (GB 11643 check character)."""
    seq = rng.randrange(100, 999) // 2 * 2 + (1 if gender == "male" else 0)
    first17 = "500110" + born.replace("-", "") + f"{seq:03d}"
    return first17 + _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _seed_values(n: int = 3):
    rng = random.Random(uuid.uuid4().int)
    people = []
    for i in range(n):
        gender = "female" if i % 2 else "male"
        born = f"2016-0{i + 1}-1{i}"
        people.append({
            "name": "".join(rng.sample(_RARE, 3)) + "测",
            "guardian": "".join(rng.sample(_RARE, 3)) + "护",
            "gender": gender, "born": born,
            "id_number": _id_number(rng, born, gender),
            "phone": f"139{rng.randrange(10**7, 10**8)}",
            "guardian_phone": f"137{rng.randrange(10**7, 10**8)}",
            "home": (round(rng.uniform(106.60, 106.64), 7), round(rng.uniform(28.90, 28.94), 7)),
        })
    return people


def _broker_messages(bootstrap: str) -> list[bytes]:
    """Every key, value and header of every message on every topic."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                             enable_auto_commit=False, consumer_timeout_ms=3000)
    try:
        parts = [TopicPartition(t, p) for t in consumer.topics()
                 for p in (consumer.partitions_for_topic(t) or ())]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        end = consumer.end_offsets(parts)
        blobs: list[bytes] = []
        while any(consumer.position(tp) < end[tp] for tp in parts):
            batch = consumer.poll(timeout_ms=2000)
            if not batch:
                break
            for records in batch.values():
                for r in records:
                    blobs += [r.key or b"", r.value or b""]
                    blobs += [v or b"" for _k, v in (r.headers or [])]
        return blobs
    finally:
        consumer.close()


def _hits(needles: dict[str, str], blobs: dict[str, bytes]) -> list[str]:
    return [f"{what} {value!r} in {where}" for where, blob in blobs.items()
            for what, value in needles.items() if value.encode() in blob]


def test_seeded_personal_data_is_not_in_logs_databases_or_events(stack):
    people = _seed_values()
    auth = {"Authorization": f"Bearer {stack.token()}"}
    ids = []
    for p in people:
        resp = requests.post(stack.url("registry") + "/children", headers=auth, timeout=10,
                             json={"name": p["name"], "gender": p["gender"],
                                   "birth_date": p["born"], "village_code": "500110120201",
                                   "home": dict(zip(("lon", "lat"), p["home"], strict=True)),
                                   "id_number": p["id_number"], "phone": p["phone"],
                                   "guardians": [{"name": p["guardian"], "relation": "祖母",
                                                  "phone": p["guardian_phone"]}]})
        assert resp.status_code == 201, resp.text
        ids.append(resp.json()["id"])
    eventually(lambda: all(
        any(f["id"] == cid for f in requests.get(
            stack.url("gateway") + "/api/map/layers", headers=auth, timeout=5
        ).json()["homes"]["features"]) for cid in ids), 60,
        message="children reached the gateway read model")

    secrets = {f"{k} of child {i}": p[k] for i, p in enumerate(people)
               for k in ("id_number", "phone", "guardian_phone")}
    names = {f"{k} of child {i}": p[k] for i, p in enumerate(people) for k in ("name", "guardian")}
    logs = {str(f.name): f.read_bytes() for f in Path(stack.logs).glob("*.log")}
    dbs = {f.name: f.read_bytes() for f in Path(stack.data_dir).glob("*.db*")}
    events = {"broker": b"\n".join(_broker_messages(f"127.0.0.1:{stack.broker_port}"))}
    assert dbs and logs and events["broker"], "nothing to scan: the stack wrote nothing"

    homes = {f"home {axis} of child {i}": x for i, p in enumerate(people)
             for axis, x in zip(("lon", "lat"), p["home"], strict=True)}
    found = _hits(secrets, {**logs, **dbs, **events})
    found += _hits({k: repr(x) for k, x in homes.items()}, {**logs, **dbs})
    found += [f"{what} as a REAL in {where}" for where, blob in dbs.items()
              for what, x in homes.items() if struct.pack(">d", x) in blob]
    found += _hits(names, {**logs, **events,
                           **{k: v for k, v in dbs.items() if not k.startswith("registry")}})
    assert not found, "plaintext personal data found:\n" + "\n".join(found)


@pytest.mark.browser
def test_a_browser_signs_in_with_the_form_and_the_csp_lets_the_map_run(stack):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    _add_user(stack, "patrol.browser", Role.PATROL_MEMBER)
    _seed_a_hazard(stack)
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(30)
    try:
        driver.get(stack.url("gateway") + "/login?next=/map")
        driver.find_element(By.NAME, "username").send_keys("patrol.browser")
        driver.find_element(By.NAME, "password").send_keys(PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        eventually(lambda: driver.current_url.endswith("/map"), 20, message="redirect to map")
        eventually(lambda: driver.execute_script(
            "return typeof L !== 'undefined' && document.querySelector('.leaflet-container')"
            " !== null"), 20, message="Leaflet ran and drew the map")
        blocked = [e["message"] for e in driver.get_log("browser")
                   if "Content Security Policy" in e["message"]]
        assert not blocked, blocked
        assert driver.get_cookie("shouhu_token")["httpOnly"] is True
    finally:
        driver.quit()
