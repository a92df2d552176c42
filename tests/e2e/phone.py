"""Headless Chromium as a 360×740 phone, for the end-to-end tests of the phone pages."""

from __future__ import annotations

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def chromium_phone() -> webdriver.Chrome:
    """A phone-sized browser that keeps its console log (``get_log("browser")``)."""
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking"):
        opts.add_argument(arg)
    opts.add_experimental_option("mobileEmulation", {
        "deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 2}})
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(30)
    return driver
