"""The hazards HTTP API: one blueprint per resource; views only translate."""

from __future__ import annotations

from flask import Flask

from services.hazards.bootstrap import Hazards
from services.hazards.entrypoints.devices_api import devices_blueprint
from services.hazards.entrypoints.fix_tasks_api import fix_tasks_blueprint
from services.hazards.entrypoints.hazards_api import hazards_blueprint, zones_blueprint
from services.hazards.entrypoints.patrols_api import patrols_blueprint
from shared.web import create_flask


def create_app(hazards: Hazards) -> Flask:
    # JSON bodies (a hazard's geometry, check-ins) are small; file imports and photos
    # declare their own larger limits (@body_limit)
    app, api = create_flask(__name__, "Shouhu hazards", hazards.settings.keys,
                            {"MAX_CONTENT_LENGTH": hazards.settings.max_json_bytes})
    api.register_blueprint(hazards_blueprint(hazards))
    api.register_blueprint(zones_blueprint(hazards))
    points, checkins = patrols_blueprint(hazards)
    api.register_blueprint(points)
    api.register_blueprint(checkins)
    api.register_blueprint(devices_blueprint(hazards))
    api.register_blueprint(fix_tasks_blueprint(hazards))
    return app


def wsgi() -> Flask:
    """gunicorn's factory: ``gunicorn 'services.hazards.entrypoints.api:wsgi()'``."""
    from services.hazards.bootstrap import bootstrap
    from shared.auth.revocation import listen_for_revocations

    hazards = bootstrap()
    return listen_for_revocations(create_app(hazards), hazards.settings.common,
                                  hazards.settings.keys)
