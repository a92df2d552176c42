"""The patrol map on a weak rural link: first usable view and repeat view, ours against
the page as main serves it, in the same run on the same data.

    .venv/bin/python bench/field_map.py [--homes 5000 --hazards 500] [--repeat 3]
        [--baseline-ref REF] [--cpu 1]

Link: 400 kbit/s both ways, 300 ms latency (Chromium's network emulation over CDP), a
360×740 phone, CPU slowed ``--cpu`` times. "Usable" is when the map script has drawn
every layer and answers taps (``window.shouhuReadyAt``, measured from navigation start).

- first visit: nothing cached (a new phone, or a cleared browser);
- repeat visit: the same browser opens the map again (ours: from the service worker's
  copy, refreshed behind it; the baseline: its assets from the HTTP cache, the page from
  the network, as main has no service worker).

Baseline: the gateway of ``--baseline-ref`` (default: the commit this branch left main
at, so both read the same database), extracted with ``git archive`` and served from its
own process over the same read-model database. Page
weights: what each first visit transfers (gzipped, as sent).
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# one field key for the seeding process and both gateways (homes are encrypted at rest)
os.environ.setdefault("SHOUHU_FIELD_KEYS", "bench:" + base64.urlsafe_b64encode(
    b"field-map-bench-key-32-bytes-lng").decode())
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "integration" / "gateway"))

from gw_helpers import KEYS, TOWNSHIP, gateway  # noqa: E402

from infra.broker import free_port  # noqa: E402
from services.gateway.read_model.adapters.read_model_store import ReadModelStore  # noqa: E402
from shared.auth import Principal, Role  # noqa: E402

LINK = {"offline": False, "latency": 300, "downloadThroughput": 400_000 / 8,
        "uploadThroughput": 400_000 / 8}
SERVE = """
import sys, threading
sys.path[:0] = [{root!r}, {root!r} + "/tests/integration/gateway"]
from gw_helpers import gateway
from services.gateway.entrypoints.api import create_app
from werkzeug.serving import make_server
import logging; logging.getLogger("werkzeug").setLevel(logging.WARNING)
make_server("127.0.0.1", {port}, create_app(gateway({url!r})), threaded=True).serve_forever()
"""


# a page with a service worker: wait until it controls the page and kept the page
SETTLED = """var done = arguments[arguments.length - 1];
navigator.serviceWorker.getRegistrations().then(function (regs) {
  if (!regs.length) { return done(); }
  (function wait() {
    caches.open('shouhu-pages').then(function (c) { return c.keys(); }).then(function (k) {
      if (k.length && navigator.serviceWorker.controller) { done(); }
      else { setTimeout(wait, 100); }
    });
  })();
});"""


def _bench_map():  # type: ignore[no-untyped-def]
    """bench/map.py's invented township (homes, hazards with zones, patrol points)."""
    spec = importlib.util.spec_from_file_location("bench_map", ROOT / "bench" / "map.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def seed(url: str, homes: int, hazards: int) -> None:
    bm = _bench_map()
    h, z, pts = bm.township(homes, hazards)
    gw = gateway(url)
    with gw.engine.begin() as conn:
        store = ReadModelStore(conn)
        for x in h:
            store.put_child(x)
        for x in z:
            store.put_hazard(x)
        for x in pts:
            store.put_point(x)
        store.replace_overlay(gw.make_overlay().load(h, z))


def serve(root: Path, url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVE.format(root=str(root), port=port,
                                                                 url=url)],
                            cwd=root, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=1).ok:
                return proc, base
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"the gateway of {root} did not start")


def extract(ref: str) -> Path:
    out = Path(tempfile.mkdtemp(prefix=f"shouhu-{ref}-"))
    archive = subprocess.run(["git", "archive", ref, "services", "shared", "infra", "tests"],
                             cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(out, filter="data")
    return out


def usable(driver) -> float:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready = driver.execute_script("return window.shouhuReadyAt || null")
        if ready:
            return float(ready) / 1000
        time.sleep(0.05)
    raise TimeoutError("the map did not become usable")


def transferred(driver) -> int:  # type: ignore[no-untyped-def]
    return int(driver.execute_script(
        "var n = performance.getEntriesByType('navigation')[0].transferSize;"
        "performance.getEntriesByType('resource').forEach(function (e) {"
        " n += e.transferSize; }); return n;"))


def visits(base: str, token: str, cpu: float) -> tuple[float, float, int]:
    """(first usable s, repeat usable s, bytes the first visit transferred)."""
    bm = _bench_map()
    driver = bm.phone()
    try:
        driver.get(base + "/healthz")
        driver.add_cookie({"name": "shouhu_token", "value": token, "path": "/"})
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", LINK)
        driver.execute_cdp_cmd("Emulation.setCPUThrottlingRate", {"rate": cpu})
        driver.get(base + "/map")
        first, weight = usable(driver), transferred(driver)
        # what a phone has done by the next time it opens the map: the first visit's
        # page fetched its assets (and ours installed its service worker)
        driver.set_script_timeout(60)
        driver.execute_async_script(SETTLED)
        time.sleep(2)  # the asset fetches of a first visit (the baseline's cache)
        driver.get(base + "/map")
        return first, usable(driver), weight
    finally:
        driver.quit()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--homes", type=int, default=5000)
    p.add_argument("--hazards", type=int, default=500)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--baseline-ref", default="",
                   help="default: where this branch left main (same database migrations)")
    p.add_argument("--cpu", type=float, default=1.0, help="CPU slow-down factor")
    args = p.parse_args()
    ref = args.baseline_ref or subprocess.run(
        ["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True, text=True,
        check=True).stdout.strip()[:10]
    url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    seed(url, args.homes, args.hazards)
    token = KEYS.issue(Principal("bench", Role.PATROL_MEMBER, TOWNSHIP, frozenset()), 3600)
    print(f"township: {args.homes} homes, {args.hazards} hazards; link 400 kbit/s, 300 ms; "
          f"CPU ÷{args.cpu:g}; phone 360×740")
    for name, root in ((f"baseline ({ref})", extract(ref)),
                       ("ours (this tree)", ROOT)):
        proc, base = serve(root, url)
        try:
            runs = [visits(base, token, args.cpu) for _ in range(args.repeat)]
        finally:
            proc.terminate()
            proc.wait(10)
        first, repeat, weight = zip(*runs, strict=True)
        print(f"{name:22s} first usable median {statistics.median(first):.2f} s "
              f"({', '.join(f'{x:.2f}' for x in first)}); repeat median "
              f"{statistics.median(repeat):.2f} s ({', '.join(f'{x:.2f}' for x in repeat)}); "
              f"first visit transferred {statistics.median(weight) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
