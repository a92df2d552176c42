"""A phone in headless Chromium and the moment a map page is usable: what the page
benchmarks (bench/map.py, bench/field_map.py) measure the same way."""

from __future__ import annotations

import time


def phone():  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking"):
        opts.add_argument(arg)
    opts.add_experimental_option("mobileEmulation", {
        "deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 2}})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(120)
    return driver


def ready_at(driver) -> float:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready = driver.execute_script("return window.shouhuReadyAt || null")
        if ready:
            return float(ready) / 1000
        time.sleep(0.05)
    raise TimeoutError("map did not render")
