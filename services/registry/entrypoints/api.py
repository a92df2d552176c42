"""The registry's HTTP API: one blueprint per resource, domain errors mapped in one place."""

from __future__ import annotations

from flask import Flask

from services.registry.bootstrap import Registry
from services.registry.entrypoints.cases_api import cases_blueprint
from services.registry.entrypoints.children_api import children_blueprint, visits_blueprint
from services.registry.entrypoints.ledgers_api import ledgers_blueprint
from services.registry.service_layer.reports import caseload
from shared.audit_api import audit_blueprint
from shared.web import create_flask


def create_app(registry: Registry) -> Flask:
    app, api = create_flask(__name__, "Shouhu registry", registry.settings.keys)
    for blueprint in (children_blueprint(registry), visits_blueprint(registry),
                      cases_blueprint(registry), ledgers_blueprint(registry),
                      audit_blueprint(registry.engine, lambda: caseload(registry.uow()))):
        api.register_blueprint(blueprint)
    return app


def wsgi() -> Flask:
    """gunicorn's factory: ``gunicorn 'services.registry.entrypoints.api:wsgi()'``."""
    from services.registry.bootstrap import bootstrap
    from shared.auth.revocation import listen_for_revocations

    registry = bootstrap()
    return listen_for_revocations(create_app(registry), registry.settings.common,
                                  registry.settings.keys)
