"""The demo township's ledger passes the registry's real import with zero rejected rows."""

from __future__ import annotations

import io
from datetime import date

import pytest

from infra.demogen import generate
from services.registry.bootstrap import bootstrap
from services.registry.config import Settings
from services.registry.entrypoints.api import create_app
from services.registry.service_layer.context import Policy
from shared.auth import Principal, Role, TokenKeys
from shared.config import CommonSettings, Region

KEYS = TokenKeys({"k1": "demo-test-secret-0123456789abcdef"}, "k1")
REGION = Region(105.5, 28.5, 107.5, 30.5)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    generate("township", 3, out, date.today())
    return out


def test_registry_import_dry_run_rejects_no_row(demo, database_url):
    common = CommonSettings(service="registry", bootstrap_servers="127.0.0.1:1",
                            topic_prefix="", database_url=database_url, region=REGION,
                            topic_partitions=1, topic_replication=1, outbox_retention_days=1)
    registry = bootstrap(Settings(common=common, port=0, keys=KEYS, policy=Policy(REGION)))
    try:
        client = create_app(registry).test_client()
        token = KEYS.issue(Principal("u-demo", Role.STATION_ADMIN, "500110120", frozenset()),
                           check_until=date.max)
        data = (demo / "ledger/500110120.xlsx").read_bytes()
        resp = client.post("/children/import?dry_run=true",
                           headers={"Authorization": f"Bearer {token}"},
                           data={"file": (io.BytesIO(data), "ledger.xlsx")},
                           content_type="multipart/form-data")
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        assert body["counts"]["refuse"] == 0 and len(body["rows"]) > 5_000
        flagged = {p["code"] for r in body["rows"] if r["outcome"] == "flag"
                   for p in r["problems"]}
        assert flagged <= {"over_16"}  # 16- and 17-year-olds with parents away (rule 1)
    finally:
        registry.engine.dispose()
