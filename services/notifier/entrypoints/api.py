"""The notifier's HTTP API: rules, directory, delivery log, inbox, acknowledgements."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from services.notifier.bootstrap import Notifier
from services.notifier.domain.directory import Person
from services.notifier.entrypoints import ack_page
from services.notifier.entrypoints import schemas as s
from services.notifier.service_layer import handlers, queries
from shared.access import PEOPLE, roles
from shared.auth.flask import allow, current_principal
from shared.events.catalogue import PayloadError, UnknownEventType
from shared.openapi import SIGNED_IN, errors
from shared.web import create_flask

# Role groups from the one access policy (shared/access.py).
ADMIN = roles("directory", "manage")
RULE_ADMINS = roles("rules", "manage")
STAFF = roles("rules", "read")
LOG_READERS = roles("delivery_log", "read")  # the liaisons' work needs no delivery log


def _now() -> datetime:
    return datetime.now(UTC)


def create_app(notifier: Notifier) -> Flask:
    app, api = create_flask(__name__, "Shouhu notifier", notifier.settings.keys)
    app.extensions["shouhu"] = notifier
    for blp in (_rules(notifier), _directory(notifier), _deliveries(notifier),
                ack_page.build(notifier, _now)):
        api.register_blueprint(blp)
    return app


def _rules(notifier: Notifier) -> Blueprint:
    blp = Blueprint("rules", __name__, url_prefix="/rules", description="Routing rules")

    @blp.route("")
    class Rules(MethodView):
        @allow(*STAFF)
        @blp.response(200, s.RulesStatusOut)
        @errors(blp, *SIGNED_IN)
        def get(self):
            """The rules in force and the last refused edit"""
            notifier.rules.current()
            return notifier.rules.status()

    @blp.route("/reload")
    class Reload(MethodView):
        @allow(*RULE_ADMINS)
        @blp.response(200, s.RulesStatusOut)
        @errors(blp, *SIGNED_IN)
        def post(self):
            """Reload the rules file now (a malformed file is refused, old rules stay)"""
            return notifier.rules.reload()

    @blp.route("/test")
    class RulesTest(MethodView):
        @allow(*STAFF)
        @blp.arguments(s.EventIn)
        @blp.response(200, s.PlannedAlertOut(many=True))
        @errors(blp, *SIGNED_IN)
        def post(self, body):
            """Which notifications would this event produce? (nothing is sent)"""
            try:
                data = notifier.catalogue.validate(body["type"], body["data"])
            except (PayloadError, UnknownEventType) as exc:
                abort(422, message=f"not a valid {body['type']} event: {exc}")
            with notifier.uow() as uow:
                return handlers.preview(uow, notifier.rules.current(), body["type"], data,
                                        body["at"] or _now())

    return blp


def _directory(notifier: Notifier) -> Blueprint:
    blp = Blueprint("directory", __name__, url_prefix="/directory",
                    description="Who holds which role where (contacts are personal data)")

    @blp.route("")
    class People(MethodView):
        @allow(*ADMIN)
        @blp.response(200, s.PersonOut(many=True))
        @errors(blp, *SIGNED_IN)
        def get(self):
            """List the directory"""
            with notifier.uow() as uow:
                return uow.directory.everyone()

    @blp.route("/<person_id>")
    class PersonById(MethodView):
        @allow(*ADMIN)
        @blp.arguments(s.PersonIn)
        @blp.response(200, s.PersonOut)
        @errors(blp, *SIGNED_IN)
        def put(self, body, person_id):
            """Create or replace a directory entry"""
            with notifier.uow() as uow:
                return queries.put_person(uow, Person(person_id=person_id, **body))

        @allow(*ADMIN)
        @blp.response(204)
        @errors(blp, *SIGNED_IN, 404)
        def delete(self, person_id):
            """Remove a directory entry"""
            with notifier.uow() as uow:
                queries.delete_person(uow, person_id)

    return blp


def _deliveries(notifier: Notifier) -> Blueprint:
    blp = Blueprint("deliveries", __name__, description="Delivery log, inbox, acknowledgements")

    @blp.route("/deliveries")
    class Deliveries(MethodView):
        @allow(*LOG_READERS)
        @blp.arguments(s.DeliveryQuery, location="query")
        @blp.response(200, s.DeliveryPage)
        @errors(blp, *SIGNED_IN)
        def get(self, args):
            """Who was told what, when, and did they act (by event, person, case, channel)"""
            page, size = args.pop("page"), args.pop("page_size")
            me = current_principal()
            with notifier.uow() as uow:
                return queries.delivery_log(uow, args, me.village_codes, me.township_code,
                                            page, size)

    @blp.route("/inbox")
    class Inbox(MethodView):
        @allow(*PEOPLE)
        @blp.response(200, s.InboxItemOut(many=True))
        @errors(blp, *SIGNED_IN)
        def get(self):
            """My in-app notifications, newest first"""
            with notifier.uow() as uow:
                return queries.inbox(uow, notifier.templates, current_principal().user_id)

    @blp.route("/inbox/<delivery_id>/ack")
    class InboxAck(MethodView):
        @allow(*PEOPLE)
        @blp.response(200, s.AckOut)
        @errors(blp, *SIGNED_IN, 404)
        def post(self, delivery_id):
            """Acknowledge one of my notifications"""
            with notifier.uow() as uow:
                return handlers.ack_from_inbox(uow, delivery_id, current_principal().user_id,
                                               _now())

    return blp


def wsgi() -> Flask:
    """gunicorn's factory: ``gunicorn 'services.notifier.entrypoints.api:wsgi()'``."""
    from services.notifier.bootstrap import bootstrap
    from shared.auth.revocation import listen_for_revocations

    notifier = bootstrap()
    return listen_for_revocations(create_app(notifier), notifier.settings.common,
                                  notifier.settings.keys)
