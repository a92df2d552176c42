"""The guide's screenshot script (scripts/screenshots.py) on a running stack: a reduced
shot list at phone size gives real pictures, and a page that errors fails the run with a
non-zero exit naming the page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from PIL import Image

from infra.broker import free_port
from infra.stack import SERVICES, Stack
from shared.testing.fixtures import eventually

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshots.py"
MISSING = [p for p in ("/usr/bin/chromium", "/usr/bin/chromedriver") if not Path(p).exists()]

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(bool(MISSING), reason=f"{' and '.join(MISSING)} missing "
                       "(./dev installs the Debian packages chromium and chromium-driver)"),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """As ``shouhu up`` runs it, with no tile server (the test machine has no internet)."""
    s = Stack(data_dir=tmp_path_factory.mktemp("stack"), broker_port=free_port(),
              ports={name: free_port() for name in SERVICES},
              extra_env={"SHOUHU_MAP_TILES": "none", "SHOUHU_HTTP_WORKERS": "1"})
    s.start()
    _seed_a_pond(s)
    yield s
    s.stop()


def _seed_a_pond(stack: Stack) -> None:
    """Something for the map to draw, through the hazards API; wait for the gateway."""
    admin = {"Authorization": f"Bearer {stack.token()}"}
    requests.post(stack.url("hazards") + "/hazards", headers=admin, timeout=10, json={
        "kind": "pond", "name": "Guide pond", "geometry": {"type": "Polygon", "coordinates": [[
            [106.65, 28.95], [106.652, 28.95], [106.652, 28.952], [106.65, 28.95]]]},
    }).raise_for_status()
    eventually(lambda: requests.get(stack.url("gateway") + "/api/map/layers", headers=admin,
                                    timeout=5).json()["hazards"]["features"], 60,
               message="the pond in the gateway's read model")


@pytest.fixture(scope="module")
def users(stack, tmp_path_factory) -> Path:
    """The demo accounts, made by ``shouhu users demo`` as ``shouhu up`` does."""
    proc = subprocess.run([sys.executable, "-m", "infra.cli", "users", "demo"],
                          env=stack.env(), capture_output=True, text=True, timeout=120,
                          check=True)
    path = tmp_path_factory.mktemp("users") / "users.txt"
    path.write_text(proc.stdout)
    return path


def _run(stack, users: Path, shots: list[dict], out: Path) -> subprocess.CompletedProcess:
    shots_file = out.parent / f"{out.name}-shots.json"
    shots_file.write_text(json.dumps(shots))
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--base-url", stack.url("gateway"), "--users",
         str(users), "--shots", str(shots_file), "--out", str(out)],
        capture_output=True, text=True, timeout=300)


def test_a_reduced_shot_list_gives_real_phone_pictures(stack, users, tmp_path):
    shots = [{"name": "login", "path": "/login"},
             {"name": "map", "path": "/map", "role": "patrol_member"},
             {"name": "layers", "path": "/map?lang=en", "role": "patrol_member",
              "action": "open_layers"},
             {"name": "inbox", "path": "/inbox", "role": "child_director"},
             {"name": "visits", "path": "/visits", "role": "child_director"}]
    proc = _run(stack, users, shots, tmp_path / "img")
    assert proc.returncode == 0, proc.stderr
    for shot in shots:
        png = tmp_path / "img" / f"{shot['name']}.png"
        assert png.stat().st_size > 5_000, f"{png.name} is too small to show a page"
        with Image.open(png) as img:
            assert img.size == (720, 1480)  # 360×740 at a phone's pixel ratio of 2
            assert len(img.convert("RGB").getcolors(1 << 16) or range(1 << 16)) > 20, \
                f"{png.name} is nearly blank"


def test_a_page_that_errors_fails_the_run_and_is_named(stack, users, tmp_path):
    shots = [{"name": "map", "path": "/map", "role": "patrol_member"},
             {"name": "bogus", "path": "/no-such-page", "role": "patrol_member"}]
    proc = _run(stack, users, shots, tmp_path / "img")
    assert proc.returncode != 0
    assert "bogus (/no-such-page)" in proc.stderr and "HTTP 404" in proc.stderr
    assert (tmp_path / "img" / "map.png").exists()
    assert not (tmp_path / "img" / "bogus.png").exists()
