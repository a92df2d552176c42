"""The gateway: the public entry for people (map, plans, dashboard, the inbox, visit
and case pages, forwarded writes)."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from flask import Flask

from services.gateway.adapters.forwarding import Forwarder
from services.gateway.adapters.uploads import UploadStore
from services.gateway.bootstrap import Gateway
from services.gateway.entrypoints import (
    case_pages,
    dashboard_api,
    director_pages,
    fix_task_pages,
    inbox_page,
    ledger_page,
    map_api,
    plans_api,
    pwa,
    roads_api,
)
from services.gateway.entrypoints.compression import install_gzip
from services.gateway.entrypoints.phone_pages import install_page_refusals
from shared.audit_api import audit_blueprint
from shared.config import data_dir
from shared.web import create_flask

IDENTITY = "services.gateway.entrypoints.identity"


def create_app(gateway: Gateway, hazards: Any = None, registry: Any = None,
               notifier: Any = None, uploads: UploadStore | None = None) -> Flask:
    """``hazards``, ``registry`` and ``notifier`` carry people's calls to the owning
    service (a Forwarder, or a fake); ``uploads`` keeps ledgers between preview and
    import (under the data folder unless given)."""
    app, api = create_flask(__name__, "Shouhu gateway", gateway.settings.keys)
    install_page_refusals(app)  # a browser refused a page: sign in, or a page saying why
    install_gzip(app)
    hazards = hazards or Forwarder("hazards", gateway.settings.hazards_url)
    registry = registry or Forwarder("registry", gateway.settings.registry_url)
    notifier = notifier or Forwarder("notifier", gateway.settings.notifier_url)
    api.register_blueprint(map_api.build(gateway, hazards, registry))
    api.register_blueprint(director_pages.build(registry))
    api.register_blueprint(case_pages.build(registry))
    api.register_blueprint(fix_task_pages.build(gateway, hazards))
    api.register_blueprint(inbox_page.build(notifier))
    api.register_blueprint(ledger_page.build(registry, uploads or UploadStore(
        data_dir() / "uploads")))
    api.register_blueprint(plans_api.build(gateway))
    api.register_blueprint(roads_api.build(gateway))
    api.register_blueprint(dashboard_api.build(gateway))
    api.register_blueprint(pwa.build())
    # the trail of exact-home reads; a map read is no one child's, so none is "in caseload"
    api.register_blueprint(audit_blueprint(gateway.engine, lambda: lambda _user, _obj: False))
    if importlib.util.find_spec(IDENTITY) is not None:  # login and sessions, when present
        importlib.import_module(IDENTITY).register_identity(app, api, gateway)
    return app


def wsgi() -> Flask:
    """gunicorn's factory: ``gunicorn 'services.gateway.entrypoints.api:wsgi()'``."""
    from services.gateway.bootstrap import bootstrap

    return create_app(bootstrap(run_migrations=False))
