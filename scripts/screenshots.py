"""Screenshots for the user guide (docs/guide/img), taken from headless Chromium.

Each shot signs in through the gateway's real login form as a demo user of one role,
opens a page at phone (360×740) or desktop (1366×900) size, optionally does something
(opens the layer list, a check-in form, goes offline) and saves an optimised PNG.
A shot fails — and the script exits 1 naming the page — when the page or anything it
loads answers HTTP ≥ 400 (from Chromium's performance log) or the console has a SEVERE
entry, so the guide's pictures stay true when the UI changes.

    .venv/bin/python scripts/screenshots.py                # own stack, demo seeded
    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:8100 \\
        --users users.txt --plan PLAN_ID --only patrol-map,station-dashboard

``--users`` takes the lines ``shouhu up`` / ``shouhu users demo`` print
(user, role, password). ``--shots FILE`` replaces the built-in list with a JSON list of
objects with the fields of ``Shot``.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SIZES = {"phone": (360, 740, 2, True), "desktop": (1366, 900, 1, False)}  # w, h, dpr, mobile
OUT = Path(__file__).resolve().parents[1] / "docs" / "guide" / "img"
OFFLINE = "ERR_INTERNET_DISCONNECTED"  # console noise of the offline shot, expected
MAP_READY = "return !!window.shouhuMap && !!document.querySelector('.leaflet-container')"
PAGE_READY = "return document.readyState === 'complete'"


@dataclass(frozen=True)
class Shot:
    """One picture: ``path`` may hold ``{plan}``; ``role`` None means signed out."""

    name: str
    path: str
    role: str | None = None
    size: str = "phone"
    action: str = ""


PLAN_MAP = "/map?plan={plan}&team=team-1"
SHOTS = [
    Shot("login", "/login"),
    Shot("patrol-town", "/map", "patrol_member"),
    Shot("patrol-map", PLAN_MAP, "patrol_member", action="zoom_route"),
    Shot("patrol-layers", PLAN_MAP, "patrol_member", action="open_layers"),
    Shot("patrol-checkin", PLAN_MAP, "patrol_member", action="open_checkin"),
    Shot("patrol-list", "/map", "patrol_member", action="open_list"),
    Shot("patrol-legend", "/map", "patrol_member", action="open_legend"),
    Shot("patrol-offline", PLAN_MAP, "patrol_member", action="offline_checkin"),
    Shot("patrol-map-en", PLAN_MAP.replace("?", "?lang=en&"), "patrol_member",
         action="zoom_route"),
    Shot("patrol-sheet", "/plans/{plan}/teams/team-1/sheet", "patrol_member"),
    Shot("director-map", "/map", "child_director", action="zoom_homes"),
    Shot("director-visits", "/visits?days=30", "child_director"),
    Shot("director-visit", "/visits?days=30", "child_director", action="fill_visit"),
    Shot("director-case", "/visits?days=30", "child_director", action="open_case_form"),
    Shot("director-inbox", "/inbox", "child_director"),
    Shot("station-dashboard", "/dashboard", "station_admin", "desktop"),
    Shot("station-plan-sheet", "/plans/{plan}/teams/team-1/sheet", "station_admin", "desktop"),
    Shot("station-map", PLAN_MAP, "station_admin", "desktop"),
]


class PageFailed(Exception):
    """A page answered HTTP ≥ 400 or logged a SEVERE console error."""


# -- actions: what to do on a page before the picture ----------------------------------
_CFG = "JSON.parse(document.getElementById('shouhu-config').textContent)"


def _click_css(driver: webdriver.Chrome, css: str) -> None:
    """Click through the DOM: a popup may still be panning into view."""
    el = WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, css))[0]
    driver.execute_script("arguments[0].click()", el)


def open_layers(driver: webdriver.Chrome) -> None:
    driver.find_element(By.CSS_SELECTOR, ".leaflet-control-layers-toggle").click()
    WebDriverWait(driver, 5).until(lambda d: d.find_elements(
        By.CSS_SELECTOR, ".leaflet-control-layers-expanded"))


def _zoom_to(driver: webdriver.Chrome, label: str) -> None:
    """Zoom to one layer, as a person does first with two fingers."""
    driver.execute_script(
        f"var r = window.shouhuMap.overlays[{_CFG}.labels.{label}];"
        "if (r) { window.shouhuMap.map.fitBounds(r.getBounds(), {animate: false}); }")


def zoom_route(driver: webdriver.Chrome) -> None:
    _zoom_to(driver, "route")


def zoom_homes(driver: webdriver.Chrome) -> None:
    _zoom_to(driver, "homes")


def _first_point(driver: webdriver.Chrome) -> list[float]:
    """Zoom to the first patrol point (points stand alone from zoom 16); its lat, lon."""
    return driver.execute_script(
        "var ms = window.shouhuMap.markers, p = ms[Object.keys(ms)[0]];"
        "window.shouhuMap.map.setView(p.getLatLng(), 17, {animate: false});"
        "return [p.getLatLng().lat, p.getLatLng().lng];")


def open_checkin(driver: webdriver.Chrome) -> None:
    """The check-in form of a patrol point (its name, village, what to check),
    reporting children at the water."""
    _first_point(driver)
    driver.execute_script(
        "var ms = window.shouhuMap.markers; ms[Object.keys(ms)[0]].openPopup();")
    _click_css(driver, ".checkin-form input[value=children_at_water]")
    driver.execute_script(
        "document.querySelector('.checkin-form select').value = 'reminded'")


def open_list(driver: webdriver.Chrome) -> None:
    """The points nearest the phone, standing beside the first one."""
    lat, lon = _first_point(driver)
    driver.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["geolocation"]})
    driver.execute_cdp_cmd("Emulation.setGeolocationOverride",
                           {"latitude": lat + 0.0003, "longitude": lon, "accuracy": 10})
    _click_css(driver, "#list-points")
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#point-list li")
                                    and "?" not in d.find_element(By.ID, "point-list").text)
    time.sleep(1.5)  # the position arrives and the list is sorted from it


def open_legend(driver: webdriver.Chrome) -> None:
    _click_css(driver, "#legend-toggle")


def offline_checkin(driver: webdriver.Chrome) -> None:
    """Without signal the check-in waits on the phone; the badge counts it."""
    _network(driver, offline=True)
    open_checkin(driver)
    _click_css(driver, ".checkin-button")
    WebDriverWait(driver, 10).until(lambda d: d.find_element(
        By.ID, "sync-badge").get_attribute("data-state") == "pending")


def _undo_offline(driver: webdriver.Chrome) -> None:
    """Drop the queued demo check-in so taking pictures changes no data, then go online."""
    driver.execute_script("localStorage.clear()")
    _network(driver, offline=False)


def _network(driver: webdriver.Chrome, offline: bool) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


def _follow(driver: webdriver.Chrome, css: str) -> None:
    """Open the page a link leads to, as a tap does, and wait until it has loaded."""
    before = driver.current_url
    _click_css(driver, css)
    WebDriverWait(driver, 30).until(lambda d: d.current_url != before
                                    and d.execute_script(PAGE_READY))


def fill_visit(driver: webdriver.Chrome) -> None:
    """The first child due a visit, with the visit form partly written (not sent)."""
    _follow(driver, ".list a")
    driver.find_element(By.ID, "guardianship").send_keys("祖母照料，身体尚可")
    driver.find_element(By.ID, "home_safety").send_keys("屋后池塘无护栏")


def open_case_form(driver: webdriver.Chrome) -> None:
    """The first child due a visit, then the form to open a case for the child."""
    _follow(driver, ".list a")
    _follow(driver, "a[href*='/cases/new']")


ACTIONS: dict[str, Callable[[webdriver.Chrome], None]] = {
    "zoom_route": zoom_route, "zoom_homes": zoom_homes, "open_layers": open_layers,
    "open_checkin": open_checkin, "offline_checkin": offline_checkin,
    "open_list": open_list, "open_legend": open_legend,
    "fill_visit": fill_visit, "open_case_form": open_case_form}


# -- the browser -----------------------------------------------------------------------
def browser(profile: Path) -> webdriver.Chrome:
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", f"--user-data-dir={profile}", "--window-size=1366,900",
                "--lang=zh-CN", "--hide-scrollbars"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(90)
    return driver


def problems(driver: webdriver.Chrome, tolerate: str = "") -> list[str]:
    """HTTP answers ≥ 400 and SEVERE console entries since the last call (logs drain)."""
    found = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] != "Network.responseReceived":
            continue
        resp = msg["params"]["response"]
        if resp["status"] >= 400:
            found.append(f"HTTP {resp['status']} {urlsplit(resp['url']).path}")
    for entry in driver.get_log("browser"):
        text = entry["message"]
        if entry["level"] == "SEVERE" and not (
                tolerate and tolerate in text):
            found.append(f"console: {text[:300]}")
    return found


def _settle(driver: webdriver.Chrome) -> None:
    """Wait out Leaflet's zoom and pan animations and the popups' fade (0.2 s in CSS)."""
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "var m = window.shouhuMap.map;"
        "return !m._animatingZoom && !(m._panAnim && m._panAnim._inProgress);"))
    time.sleep(0.4)


def set_size(driver: webdriver.Chrome, size: str) -> None:
    width, height, dpr, mobile = SIZES[size]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": dpr, "mobile": mobile})


def sign_in(driver: webdriver.Chrome, base: str, user: str, password: str) -> None:
    """Through the real login form; the gateway answers with its session cookies."""
    driver.delete_all_cookies()
    driver.get(base + "/login?next=/healthz")
    driver.find_element(By.NAME, "username").send_keys(user)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: urlsplit(d.current_url).path == "/healthz")
    if not driver.get_cookie("shouhu_token"):
        raise PageFailed(f"sign-in as {user} failed")


def optimised_png(raw: bytes) -> bytes:
    """A 256-colour palette PNG: screenshots of flat UI lose nothing visible."""
    img = Image.open(io.BytesIO(raw)).convert("RGB").quantize(colors=256)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def take(driver: webdriver.Chrome, base: str, shot: Shot, plan: str | None, out: Path) -> Path:
    if "{plan}" in shot.path and not plan:
        raise PageFailed("no patrol plan known (give --plan)")
    set_size(driver, shot.size)
    driver.get(base + shot.path.format(plan=plan))
    is_map = urlsplit(shot.path).path == "/map"
    WebDriverWait(driver, 60).until(lambda d: d.execute_script(PAGE_READY))
    found = problems(driver)
    if is_map and not found:
        try:
            WebDriverWait(driver, 30).until(lambda d: d.execute_script(MAP_READY))
        except TimeoutException:
            raise PageFailed("the map did not draw in 30 s; " + "; ".join(
                problems(driver))) from None
        _settle(driver)  # folium's own fitBounds animates first
    if not found and shot.action:
        try:
            ACTIONS[shot.action](driver)
        finally:
            found = problems(driver, tolerate=OFFLINE if shot.action == "offline_checkin"
                             else "")
    if found:
        raise PageFailed("; ".join(found))
    if is_map:
        _settle(driver)
    png = optimised_png(driver.get_screenshot_as_png())
    if shot.action == "offline_checkin":
        _undo_offline(driver)
    path = out / f"{shot.name}.png"
    path.write_bytes(png)
    return path


def run(base: str, users: dict[str, tuple[str, str]], shots: list[Shot], plan: str | None,
        out: Path) -> list[str]:
    """Take the shots grouped by role (one sign-in each); returns the failures."""
    out.mkdir(parents=True, exist_ok=True)
    failures = []
    with tempfile.TemporaryDirectory(prefix="shouhu-chromium-") as profile:
        driver = browser(Path(profile))
        try:
            signed_in: str | None = None
            for shot in sorted(shots, key=lambda s: s.role or ""):
                started = time.monotonic()
                try:
                    if shot.role != signed_in:
                        _switch(driver, base, users, shot.role)
                        signed_in = shot.role
                    path = take(driver, base, shot, plan, out)
                except (PageFailed, WebDriverException) as exc:
                    failures.append(f"{shot.name} ({shot.path}): {str(exc).strip()[:500]}")
                    print(f"FAILED {shot.name} {shot.path}: {exc}", file=sys.stderr, flush=True)
                    continue
                print(f"{path.name:28} {path.stat().st_size // 1024:5} KB "
                      f"{time.monotonic() - started:5.1f} s", flush=True)
        finally:
            driver.quit()
    return failures


def _switch(driver: webdriver.Chrome, base: str, users: dict[str, tuple[str, str]],
            role: str | None) -> None:
    if role is None:
        driver.delete_all_cookies()
        return
    if role not in users:
        raise PageFailed(f"no demo user for role {role} (give --users)")
    sign_in(driver, base, *users[role])
    problems(driver)  # the sign-in's own redirects are not the shot's page


def read_users(lines: list[str]) -> dict[str, tuple[str, str]]:
    """``user role password`` lines, as ``shouhu users demo`` prints them."""
    return {p[1]: (p[0], p[2]) for p in (line.split() for line in lines) if len(p) >= 3}


@contextmanager
def own_stack() -> Iterator[tuple[str, dict[str, tuple[str, str]], str | None]]:
    """A stack like ``shouhu up``'s on free ports, seeded with the demo township."""
    from infra.broker import free_port
    from infra.demo import seed
    from infra.stack import SERVICES, Stack

    with tempfile.TemporaryDirectory(prefix="shouhu-guide-") as data:
        stack = Stack(data_dir=Path(data), broker_port=free_port(),
                      ports={name: free_port() for name in SERVICES},
                      extra_env={"SHOUHU_MAP_TILES": "none", "SHOUHU_HTTP_WORKERS": "1"})
        stack.start()
        try:
            seeded = seed(stack)
            sheet = next((u for k, u in seeded["links"].items() if k.startswith("Plan")), "")
            plan = sheet.split("/plans/")[1].split("/")[0] if sheet else None
            yield stack.url("gateway"), read_users([" ".join(u) for u in seeded["users"]]), plan
        finally:
            stack.stop()


def select(shots: list[Shot], only: str | None) -> list[Shot]:
    if not only:
        return shots
    names = set(only.split(","))
    unknown = names - {s.name for s in shots}
    if unknown:
        raise SystemExit(f"unknown shot(s): {', '.join(sorted(unknown))}")
    return [s for s in shots if s.name in names]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs")
    p.add_argument("--only", help="comma-separated shot names")
    p.add_argument("--shots", type=Path, help="JSON list of shots instead of the built-in one")
    p.add_argument("--base-url", help="use a running gateway instead of starting a stack")
    p.add_argument("--users", type=Path, help="with --base-url: 'user role password' lines")
    p.add_argument("--plan", help="with --base-url: the plan id for plan pages")
    args = p.parse_args(argv)
    catalogue = SHOTS if not args.shots else [
        Shot(**s) for s in json.loads(args.shots.read_text(encoding="utf-8"))]
    shots = select(catalogue, args.only)
    started = time.monotonic()
    if args.base_url:
        users = read_users(args.users.read_text().splitlines()) if args.users else {}
        failures = run(args.base_url.rstrip("/"), users, shots, args.plan, args.out)
    else:
        with own_stack() as (base, users, plan):
            print(f"stack ready and seeded in {time.monotonic() - started:.0f} s", flush=True)
            failures = run(base, users, shots, plan, args.out)
    print(f"{len(shots) - len(failures)}/{len(shots)} shots in "
          f"{time.monotonic() - started:.0f} s", flush=True)
    if failures:
        print("pages that failed:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
