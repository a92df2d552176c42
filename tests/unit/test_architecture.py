"""The shape holds: domains free of frameworks, every service and gateway room layered,
no service module picked by name at run time."""

import ast
from pathlib import Path

import pytest

FORBIDDEN = {"flask", "flask_smorest", "sqlalchemy", "kafka", "marshmallow", "folium",
             "requests", "alembic"}
ROOT = Path(__file__).resolve().parents[2]
DOMAIN_FILES = sorted({*ROOT.glob("services/*/domain/**/*.py"),
                       *ROOT.glob("services/gateway/*/domain/**/*.py")})
ROOMS = {"identity": ("domain", "service_layer", "adapters", "entrypoints"),
         "read_model": ("domain", "service_layer", "adapters", "entrypoints"),
         "field": ("service_layer", "adapters", "entrypoints"),
         "planning": ("domain", "service_layer", "adapters", "entrypoints")}


def test_every_service_has_the_same_shape():
    for service in ("registry", "hazards", "notifier", "gateway"):
        base = ROOT / "services" / service
        for part in ("domain", "adapters", "entrypoints"):
            assert (base / part).is_dir(), f"{service} lacks {part}/"
        for module in ("bootstrap.py", "config.py"):
            assert (base / module).is_file(), f"{service} lacks {module}"
    for service in ("registry", "hazards", "notifier"):
        assert (ROOT / "services" / service / "service_layer").is_dir()


def test_every_gateway_room_has_the_layers_it_needs():
    """The gateway is four rooms of the same shape (docs/gateway.md, ADR 0407)."""
    rooms = ROOT / "services" / "gateway"
    for room, parts in ROOMS.items():
        for part in parts:
            assert (rooms / room / part / "__init__.py").is_file(), f"{room} lacks {part}/"
    assert not (rooms / "service_layer").exists(), "a use case belongs to a room"


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_imports_no_framework(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", sorted(ROOT.glob("services/**/*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_services_import_by_name_never_through_importlib(path: Path):
    """A module path in a string hides a boundary from import-linter; only the
    composition layer (``infra/``) may pick a service by name."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            assert all(a.name.split(".")[0] != "importlib" for a in node.names), path.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] != "importlib", path.name
