"""The ledger page against the real registry on its own port, as a clerk signed in by
cookie uses it: upload → preview (counts, filters, problems beside their cells) → error
workbook → import → the result; the kept file is the uploader's only, encrypted."""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

import messy_ledger
import pytest
from gw_helpers import KEYS, TOWNSHIP, gateway
from openpyxl import load_workbook
from peers import Served, registry

from services.gateway.adapters.forwarding import Forwarder
from services.gateway.entrypoints.api import create_app
from services.gateway.field.adapters.uploads import UploadStore
from shared.auth import Principal, Role
from shared.auth.flask import COOKIE, CSRF_COOKIE, session_csrf
from shared.clock import township_today

SIGN_IN = "clerk-sign-in"  # the browsers' session: forms carry its own CSRF token
CSRF = session_csrf({"sid": SIGN_IN})
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def stack(tmp_path):
    reg = registry(f"sqlite:///{tmp_path / 'registry.db'}")
    from services.registry.entrypoints.api import create_app as registry_app

    peer = Served(registry_app(reg))
    app = create_app(gateway(f"sqlite:///{tmp_path / 'gw.db'}"),
                     registry=Forwarder("registry", peer.url),
                     uploads=UploadStore(tmp_path / "uploads"))
    yield app, tmp_path / "uploads"
    peer.stop()


def clerk(app, user="clerk-1", role=Role.STATION_ADMIN):
    client = app.test_client()
    client.set_cookie(COOKIE, KEYS.issue(Principal(user, role, TOWNSHIP), sid=SIGN_IN,
                                         check_until=date.max))
    client.set_cookie(CSRF_COOKIE, CSRF)
    return client


def upload(client, data: bytes, lang: str = "zh"):
    return client.post(f"/ledger?lang={lang}", headers=BROWSER, data={
        "csrf_token": CSRF, "datum": "wgs84", "file": (io.BytesIO(data), "台账.xlsx")},
        content_type="multipart/form-data")


def page(resp) -> str:
    return unescape(resp.get_data(as_text=True))


def test_a_clerk_previews_downloads_the_errors_and_imports(stack):
    app, folder = stack
    data, expected = messy_ledger.xlsx(48, today=township_today())
    client = clerk(app)
    assert "台账导入" in page(client.get("/ledger", headers=BROWSER))
    kept = upload(client, data)
    assert kept.status_code == 303
    preview_url = kept.headers["Location"]
    preview = client.get(preview_url, headers=BROWSER)
    html = page(preview)
    assert preview.status_code == 200 and "预览：未保存任何儿童" in html
    refused = sum(1 for e in expected.values() if e.outcome == "refuse")
    assert re.search(rf'id="count-refuse">{refused}<', html)
    assert "不是电话号码" in html and "校验位" in html
    only = page(client.get(f"{preview_url}&outcome=refuse", headers=BROWSER))
    assert only.count('<tr class="refuse"') == refused and '<tr class="accept"' not in only
    errors = client.get(preview_url.split("?")[0] + "/errors.xlsx", headers=BROWSER)
    assert errors.status_code == 200
    sheets = load_workbook(io.BytesIO(errors.data)).worksheets
    assert sum(ws.max_row - 1 for ws in sheets) == refused
    done = client.post(preview_url.split("?")[0] + "/import?lang=zh", headers=BROWSER,
                       data={"csrf_token": CSRF})
    assert done.status_code == 303
    result = page(client.get(done.headers["Location"], headers=BROWSER))
    stored = len(expected) - refused
    assert f"已保存：新增 {stored} 名" in result and 'id="import"' not in result
    for path in folder.iterdir():  # kept encrypted, readable by this process only
        assert path.stat().st_mode & 0o077 == 0
        assert "石足".encode() not in path.read_bytes()


def test_the_kept_file_is_the_uploaders_only_and_forms_need_the_token(stack):
    app, _ = stack
    data, _ = messy_ledger.gbk_csv(12, today=township_today())
    url = upload(clerk(app), data).headers["Location"]
    other = clerk(app, user="clerk-2")
    assert other.get(url, headers=BROWSER).status_code == 404
    assert clerk(app).post(url.split("?")[0] + "/import", headers=BROWSER,
                           data={}).status_code == 403  # no CSRF token
    patrol = clerk(app, role=Role.PATROL_MEMBER)
    assert patrol.get("/ledger", headers=BROWSER).status_code == 403


def test_no_file_and_english(stack):
    app, _ = stack
    client = clerk(app)
    empty = client.post("/ledger", headers=BROWSER, data={"csrf_token": CSRF},
                        content_type="multipart/form-data")
    assert empty.status_code == 400 and "请选择一个台账文件" in page(empty)
    data, _ = messy_ledger.xlsx(12, today=township_today())
    url = upload(client, data, lang="en").headers["Location"]
    html = page(client.get(url, headers=BROWSER))
    assert "Dry run: nothing stored" in html and "is not a phone number" in html


def test_a_file_that_is_no_ledger_says_why_on_the_form(stack):
    app, _ = stack
    client = clerk(app)
    url = upload(client, "住址,电话\n某村,123\n".encode("gbk")).headers["Location"]
    resp = client.get(url, headers=BROWSER)
    assert resp.status_code == 400 and "没有找到台账表头" in page(resp)
    assert 'type="file"' in page(resp)  # the form again, to choose another file
