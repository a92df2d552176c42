"""The notifier's HTTP API."""

from __future__ import annotations

from flask import Flask

from services.notifier.bootstrap import Notifier
from shared.web import create_flask


def create_app(notifier: Notifier) -> Flask:
    app, _api = create_flask(__name__, "Shouhu notifier", notifier.settings.keys)
    app.extensions["shouhu"] = notifier
    return app


def wsgi() -> Flask:
    """gunicorn's factory: ``gunicorn 'services.notifier.entrypoints.api:wsgi()'``."""
    from services.notifier.bootstrap import bootstrap

    return create_app(bootstrap())
