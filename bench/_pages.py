"""A phone in headless Chromium and the moment a map page is usable: what the page
benchmarks (bench/map.py, bench/field_map.py) measure the same way. They put the
repository's root on ``sys.path`` before importing this."""

from __future__ import annotations

import time


def phone():  # type: ignore[no-untyped-def]
    """The end-to-end tests' phone (tests/e2e/phone.py), patient with a slow first load
    (the benchmarks throttle the network and the CPU)."""
    from tests.e2e.phone import chromium_phone

    driver = chromium_phone()
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
