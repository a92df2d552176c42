"""The gateway: the public entry for people (map, plans, dashboard, the inbox, visit
and case pages, forwarded writes)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from services.gateway.bootstrap import Gateway
from services.gateway.entrypoints import pwa
from services.gateway.entrypoints.compression import install_gzip
from services.gateway.entrypoints.phone_pages import install_page_refusals
from services.gateway.field.adapters.uploads import UploadStore
from services.gateway.field.entrypoints import (
    case_pages,
    director_pages,
    fix_task_pages,
    inbox_page,
    ledger_page,
    map_api,
)
from services.gateway.identity.entrypoints.identity import register_identity
from services.gateway.planning.entrypoints import dashboard_api, plans_api, roads_api
from shared.audit_api import audit_blueprint
from shared.web import create_flask


def create_app(gateway: Gateway, hazards: Any = None, registry: Any = None,
               notifier: Any = None, uploads: UploadStore | None = None) -> Flask:
    """The rooms' blueprints on one app, each given what ``bootstrap`` wired. Tests and
    benches may replace a peer service (``hazards``, ``registry``, ``notifier``: a fake
    instead of the Forwarder) or the ledger ``uploads``."""
    peers = gateway.peers
    hazards, registry = hazards or peers.hazards, registry or peers.registry
    notifier, uploads = notifier or peers.notifier, uploads or gateway.uploads
    app, api = create_flask(__name__, "Shouhu gateway", gateway.settings.keys)
    install_page_refusals(app)  # a browser refused a page: sign in, or a page saying why
    install_gzip(app)
    api.register_blueprint(map_api.build(gateway, hazards, registry))
    api.register_blueprint(director_pages.build(registry))
    api.register_blueprint(case_pages.build(registry))
    api.register_blueprint(fix_task_pages.build(gateway, hazards))
    api.register_blueprint(inbox_page.build(notifier))
    api.register_blueprint(ledger_page.build(registry, uploads))
    api.register_blueprint(plans_api.build(gateway))
    api.register_blueprint(roads_api.build(gateway))
    api.register_blueprint(dashboard_api.build(gateway))
    api.register_blueprint(pwa.build())
    # the trail of exact-home reads; a map read is no one child's, so none is "in caseload"
    api.register_blueprint(audit_blueprint(gateway.engine, lambda: lambda _user, _obj: False))
    register_identity(app, api, gateway.identity)  # sign-in, sessions, users, checks
    return app


def wsgi() -> Flask:
    """gunicorn's factory: ``gunicorn 'services.gateway.entrypoints.api:wsgi()'``."""
    from services.gateway.bootstrap import bootstrap

    return create_app(bootstrap(run_migrations=False))
