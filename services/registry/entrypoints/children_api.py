"""Children and their home visits over HTTP: views translate, handlers decide."""

from __future__ import annotations

import math
from datetime import timedelta

from flask.views import MethodView
from flask_smorest import Blueprint

from services.registry.adapters.repository import ChildFilter
from services.registry.bootstrap import Registry
from services.registry.domain.exceptions import DuplicateChild
from services.registry.entrypoints.common import (
    READERS,
    STAFF,
    actor,
    child_view,
    etag,
    if_match_version,
    page_of,
)
from services.registry.entrypoints.schemas import (
    ChildFacts,
    ChildIn,
    ChildListQuery,
    ChildOut,
    ChildPage,
    DuePage,
    DueQuery,
    RegisterQuery,
    RevisionOut,
    VisitIn,
    VisitOut,
    VisitRecordOut,
)
from services.registry.service_layer import children, visits
from services.registry.service_layer.commands import RecordVisit, RegisterChild, UpdateChild
from shared.auth.checks import needs_background_check
from shared.auth.flask import allow, refuse, require_village
from shared.auth.ratelimit import SEARCHES_PER_MINUTE, RateLimiter, caller_key, rate_limit
from shared.clock import township_today
from shared.openapi import SIGNED_IN, errors

# Per person. ID numbers are guessable (about 1,000 per birth date): a duplicate answer
# is the probe, so few of those are given; plain registrations only as many as searches.
REGISTRATIONS_PER_MINUTE = SEARCHES_PER_MINUTE
DUPLICATE_ANSWERS_PER_HOUR = 20


def _limit_duplicate_answers(limiter: RateLimiter) -> None:
    """Past the limit a 409 becomes a 429: the answer to a probe is withheld."""
    wait = limiter.hit(caller_key())
    if wait:
        refuse(429, f"too many already-registered answers: at most "
                    f"{DUPLICATE_ANSWERS_PER_HOUR} an hour; retry in {math.ceil(wait)} s")


def children_blueprint(registry: Registry) -> Blueprint:
    blp = Blueprint("children", __name__, url_prefix="/children",
                    description="Children, their homes, guardians, grades and visits")
    duplicates = RateLimiter(DUPLICATE_ANSWERS_PER_HOUR, 3600)

    @blp.route("")
    class Children(MethodView):
        @allow(*STAFF)
        @rate_limit(REGISTRATIONS_PER_MINUTE, what="registrations")
        @blp.arguments(RegisterQuery, location="query")
        @blp.arguments(ChildIn)
        @blp.response(201, ChildOut)
        @errors(blp, *SIGNED_IN, 404, 409, 412, 429)
        def post(self, query, body):
            """Register a child (409 if already registered, naming the record only when
            the caller may open it)"""
            require_village(body["village_code"])
            home = body.pop("home")
            cmd = RegisterChild(home_lon=home["lon"], home_lat=home["lat"],
                                home_datum=home["datum"], on_duplicate=query["on_duplicate"],
                                **body)
            who = actor()
            try:
                child = children.register_child(registry.uow(), cmd, who, registry.policy)
            except DuplicateChild:
                _limit_duplicate_answers(duplicates)
                raise
            return child_view(child, who, township_today()), 201, etag(child.version)

        @allow(*READERS)
        @rate_limit(SEARCHES_PER_MINUTE, what="searches")
        @blp.arguments(ChildListQuery, location="query")
        @blp.response(200, ChildPage)
        @errors(blp, *SIGNED_IN, 429)
        def get(self, q):
            """List children in the caller's villages, filtered and paged (≤ 50 a page)"""
            f = ChildFilter(village=q.get("village"), category=q.get("category"),
                            grade=q.get("grade"), has_home=q["has_home"],
                            overdue_on=township_today() if q["overdue"] else None)
            who = actor()
            items, total = children.list_children(registry.uow(), f, q["page"],
                                                  q["page_size"], who)
            return page_of([child_view(c, who, township_today()) for c in items], total, q)

    @blp.route("/<child_id>")
    class ChildById(MethodView):
        @allow(*READERS)
        @blp.response(200, ChildOut)
        @errors(blp, *SIGNED_IN, 404)
        def get(self, child_id):
            """Read one child (ETag carries its version)"""
            who = actor()
            child = children.get_child(registry.uow(), child_id, who)
            require_village(child.village_code)
            return child_view(child, who, township_today()), 200, etag(child.version)

        @allow(*STAFF)
        @blp.arguments(ChildFacts)
        @blp.response(200, ChildOut)
        @errors(blp, *SIGNED_IN, 404, 409, 412, 428)
        def patch(self, changes, child_id):
            """Change a child's facts; If-Match must carry the ETag last read"""
            version = if_match_version()
            who = actor()
            child = children.update_child(registry.uow(), UpdateChild(child_id, version, changes),
                                          who, registry.policy)
            return child_view(child, who, township_today()), 200, etag(child.version)

    @blp.route("/<child_id>/visits")
    class ChildVisits(MethodView):
        @allow(*STAFF)
        @needs_background_check
        @blp.arguments(VisitIn)
        @blp.response(201, VisitOut, description="Recorded")
        @blp.alt_response(200, schema=VisitOut, success=True, description=(
            "Already recorded: the same visitor sent this child's visit at this "
            "`visited_at` before; the stored visit, nothing written or published again"))
        @errors(blp, *SIGNED_IN, 404)
        def post(self, body, child_id):
            """Record a home visit: who, when, where, what was found, next steps"""
            loc = body.pop("location") or {}
            cmd = RecordVisit(child_id, body["visited_at"], loc.get("lon"), loc.get("lat"),
                              loc.get("datum", "wgs84"), body["findings"], body["next_steps"])
            done = visits.record_visit(registry.uow(), cmd, actor(), registry.policy)
            return ({"visit_id": done.visit_id, "child_id": child_id, "next_due": done.next_due},
                    201 if done.created else 200)

        @allow(*STAFF)
        @blp.response(200, VisitRecordOut(many=True))
        @errors(blp, *SIGNED_IN, 404)
        def get(self, child_id):
            """A child's home visits, newest first"""
            return visits.child_visits(registry.uow(), child_id, actor())

    @blp.route("/<child_id>/history")
    class ChildHistory(MethodView):
        @allow(*STAFF)
        @blp.response(200, RevisionOut(many=True))
        @errors(blp, *SIGNED_IN, 404)
        def get(self, child_id):
            """Earlier versions of a child's record: who changed it, when, how"""
            return children.child_history(registry.uow(), child_id, actor())

    return blp


def visits_blueprint(registry: Registry) -> Blueprint:
    blp = Blueprint("visits", __name__, url_prefix="/visits", description="Home visits")

    @blp.route("/due")
    class Due(MethodView):
        @allow(*STAFF)
        @blp.arguments(DueQuery, location="query")
        @blp.response(200, DuePage)
        @errors(blp, *SIGNED_IN)
        def get(self, q):
            """Children due a visit (default: within 7 days), overdue first, paged"""
            today = township_today()
            until = q["until"] or today + timedelta(days=7)
            due, total = visits.visits_due(registry.uow(), actor(), until,
                                           q["child_director_id"], q["page"], q["page_size"])
            return page_of([{"id": c.id, "name": c.name, "village_code": c.village_code,
                             "risk_grade": c.risk_grade, "next_visit_due": c.next_visit_due,
                             "child_director_id": c.child_director_id,
                             "overdue": c.next_visit_due is not None and c.next_visit_due < today}
                            for c in due], total, q)

    return blp
