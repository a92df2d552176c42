"""docker-compose.yml cannot run here (no Docker engine), so check what it names."""

import re
from pathlib import Path

import yaml

from infra.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SOURCE = "\n".join(p.read_text() for d in ("shared", "services", "infra")
                   for p in (ROOT / d).rglob("*.py"))
OURS = {name: svc for name, svc in COMPOSE["services"].items() if "build" in svc}


def test_every_service_process_runs_a_real_command():
    parser = build_parser()
    assert {"registry", "hazards", "notifier", "gateway"} <= {
        svc["command"][1] for svc in OURS.values() if svc["command"][0] == "serve"}
    for name, svc in OURS.items():
        args = parser.parse_args(svc["command"])  # exits (fails the test) when unknown
        assert callable(args.func), name


def test_every_environment_variable_is_read_by_the_code():
    for name, svc in OURS.items():
        for var in svc["environment"]:
            # per-service settings are read as f"SHOUHU_{service.upper()}_…"
            generic = re.sub(r"^SHOUHU_(REGISTRY|HAZARDS|NOTIFIER|GATEWAY)_",
                             "SHOUHU_{service.upper()}_", var)
            assert var in SOURCE or generic in SOURCE, f"{name}: {var} is read nowhere"


def test_only_the_gateway_is_published_and_on_its_configured_port():
    published = {n: s["ports"] for n, s in COMPOSE["services"].items() if "ports" in s}
    assert list(published) == ["gateway-api"]
    env = OURS["gateway-api"]["environment"]
    assert published["gateway-api"] == [f"{env['SHOUHU_GATEWAY_PORT']}:8100"]


def test_kafka_runs_in_kraft_mode_and_apis_have_health_checks():
    kafka = COMPOSE["services"]["kafka"]["environment"]
    assert "controller" in kafka["KAFKA_PROCESS_ROLES"]
    assert "zookeeper" not in yaml.safe_dump(COMPOSE).lower()
    for name, svc in OURS.items():
        if name.endswith("-api"):
            assert "healthcheck" in svc, name


def test_the_image_copies_every_package():
    dockerfile = (ROOT / "infra/docker/Dockerfile").read_text()
    for package in ("shared", "services", "infra"):
        assert f"COPY {package} " in dockerfile
