"""The ledger page in headless Chromium, on an office PC (1366 px) and on a phone
(360 px): choose the file, read the preview, filter the refused rows, import. The
registry and the gateway run as real apps on their own ports; the page has no script."""

from __future__ import annotations

from pathlib import Path

import messy_ledger
import pytest
from gw_helpers import KEYS, TOWNSHIP, gateway
from peers import Served, registry
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from services.gateway.adapters.forwarding import Forwarder
from services.gateway.entrypoints.api import create_app
from services.gateway.field.adapters.uploads import UploadStore
from shared.auth import Principal, Role
from shared.auth.flask import COOKIE
from shared.clock import township_today
from tests.e2e.phone import chromium_phone

MISSING = [p for p in ("/usr/bin/chromium", "/usr/bin/chromedriver") if not Path(p).exists()]
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(bool(MISSING), reason=f"{' and '.join(MISSING)} missing")]


@pytest.fixture
def site(tmp_path):
    from services.registry.entrypoints.api import create_app as registry_app

    reg = Served(registry_app(registry(f"sqlite:///{tmp_path / 'registry.db'}")))
    gw = Served(create_app(gateway(f"sqlite:///{tmp_path / 'gw.db'}"),
                           registry=Forwarder("registry", reg.url),
                           uploads=UploadStore(tmp_path / "uploads")))
    yield gw.url
    gw.stop()
    reg.stop()


def office_pc() -> webdriver.Chrome:
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,768"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def signed_in(driver, url: str) -> None:  # type: ignore[no-untyped-def]
    driver.get(url + "/static/none")  # any page of the site, to set its cookie
    driver.add_cookie({"name": COOKIE, "value": KEYS.issue(Principal(
        "clerk-1", Role.STATION_ADMIN, TOWNSHIP)), "path": "/"})
    driver.get_log("browser")  # that page's 404: the log starts empty


def preview(driver, url: str, ledger: Path) -> None:  # type: ignore[no-untyped-def]
    driver.get(url + "/ledger")
    assert driver.find_element(By.TAG_NAME, "h1").text == "台账导入"
    driver.find_element(By.ID, "file").send_keys(str(ledger))
    driver.find_element(By.CSS_SELECTOR, "form button").click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "count-refuse"))


@pytest.mark.parametrize("device", ["office_pc", "phone"])
def test_a_clerk_imports_a_messy_ledger_in_the_browser(site, tmp_path, device):
    data, expected = messy_ledger.xlsx(36, today=township_today())
    ledger = tmp_path / "扶欢镇台账.xlsx"
    ledger.write_bytes(data)
    refused = sum(1 for e in expected.values() if e.outcome == "refuse")
    driver = office_pc() if device == "office_pc" else chromium_phone()
    try:
        signed_in(driver, site)
        preview(driver, site, ledger)
        assert driver.find_element(By.ID, "count-refuse").text == str(refused)
        width = driver.execute_script("return document.documentElement.clientWidth")
        scroll = driver.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= width + 1, (device, width, scroll)  # nothing runs off the side
        cells = driver.find_elements(By.CSS_SELECTOR, "tr.flag td.bad .why")
        assert any("不是电话号码" in c.text for c in cells)  # the problem beside its cell
        if device == "office_pc":
            assert driver.find_element(By.CSS_SELECTOR, "#rows thead").is_displayed()
        driver.find_element(By.CSS_SELECTOR, "a.count.refuse").click()
        WebDriverWait(driver, 30).until(lambda d: "outcome=refuse" in d.current_url)
        shown = driver.find_elements(By.CSS_SELECTOR, "#rows tbody tr")
        assert len(shown) == refused and all(
            r.get_attribute("class") == "refuse" for r in shown)
        assert driver.find_element(By.ID, "errors").get_attribute("href").endswith(
            "/errors.xlsx?lang=zh")
        driver.find_element(By.ID, "import").click()
        WebDriverWait(driver, 30).until(lambda d: not d.find_elements(By.ID, "import"))
        message = driver.find_element(By.CSS_SELECTOR, "p.msg").text
        assert message.startswith(f"已保存：新增 {len(expected) - refused} 名"), message
        if device == "phone":  # the CSP blocked nothing, no error in the console
            logged = driver.get_log("browser")
            assert [e for e in logged if "favicon.ico" not in e["message"]] == []
    finally:
        driver.quit()
