"""Cases through the five-step response, over HTTP."""

from __future__ import annotations

from dataclasses import asdict

from flask.views import MethodView
from flask_smorest import Blueprint

from services.registry.bootstrap import Registry
from services.registry.domain.cases import Case
from services.registry.entrypoints.common import actor, etag, page_of
from services.registry.entrypoints.schemas import (
    ApprovalDecisionIn,
    ApprovalRequestIn,
    CaseIn,
    CaseListQuery,
    CaseOut,
    CasePage,
    FeedbackIn,
    ReferralIn,
    ReferralOut,
    TransitionIn,
)
from services.registry.service_layer import cases
from services.registry.service_layer.commands import (
    DecideApproval,
    OpenCase,
    RecordReferralFeedback,
    ReferCase,
    RequestApproval,
    TransitionCase,
)
from services.registry.service_layer.context import Actor
from shared.access import UNIT_OF_ROLE, roles, shape
from shared.auth.flask import allow, require_village
from shared.auth.ratelimit import SEARCHES_PER_MINUTE, rate_limit
from shared.openapi import SIGNED_IN, errors

CASE_READERS = roles("case", "read")
OPENERS = roles("case", "open")
MOVERS = roles("case", "move")
ANSWERERS = roles("case", "feedback")
ASKERS = roles("case", "ask")
APPROVERS = roles("case", "approve")


def case_view(case: Case, who: Actor) -> dict:
    """The case as this caller may see it: the policy's fields; a liaison sees only the
    referrals to its own unit."""
    unit = UNIT_OF_ROLE.get(who.principal.role)
    view = asdict(case)
    view["checklist"] = list(case.checklist)
    view["referrals"] = [{**asdict(r), "open": r.open} for r in case.referrals
                         if unit is None or r.unit == unit]
    view["awaiting_approval"] = asdict(case.pending) if case.pending else None
    view["moves"] = [{"to_step": s, "needs_approval": a} for s, a in case.moves()]
    return shape(who.principal.role, "case", view)


def cases_blueprint(registry: Registry) -> Blueprint:
    blp = Blueprint("cases", __name__, url_prefix="/cases",
                    description="Cases through the five-step response")

    @blp.route("")
    class Cases(MethodView):
        @allow(*OPENERS)
        @blp.arguments(CaseIn)
        @blp.response(201, CaseOut)
        @errors(blp, *SIGNED_IN, 404, 409)
        def post(self, body):  # type: ignore[no-untyped-def]
            """Open a case (mandatory-report situations start at 'report')

            While the child has an open case of that situation, 409 naming it
            (`errors.case_id`): a resent form notifies no one twice.
            """
            who = actor()
            case = cases.open_case(registry.uow(), OpenCase(**body), who)
            require_village(case.village_code)
            return case_view(case, who), 201, etag(case.version)

        @allow(*CASE_READERS)
        @rate_limit(SEARCHES_PER_MINUTE, what="searches")
        @blp.arguments(CaseListQuery, location="query")
        @blp.response(200, CasePage)
        @errors(blp, *SIGNED_IN, 429)
        def get(self, q):  # type: ignore[no-untyped-def]
            """Cases in the caller's villages, newest first, paged (≤ 50 a page)"""
            who = actor()
            items, total = cases.list_cases(registry.uow(), who, q["page"], q["page_size"],
                                            step=q["step"], child_id=q["child_id"],
                                            awaiting=q["awaiting_approval"])
            return page_of([case_view(c, who) for c in items], total, q)

    @blp.route("/<case_id>")
    class CaseById(MethodView):
        @allow(*CASE_READERS)
        @blp.response(200, CaseOut)
        @errors(blp, *SIGNED_IN, 404)
        def get(self, case_id):  # type: ignore[no-untyped-def]
            """Read one case with its steps, checklist and referrals"""
            who = actor()
            case = cases.get_case(registry.uow(), case_id, who)
            require_village(case.village_code)
            return case_view(case, who), 200, etag(case.version)

    @blp.route("/<case_id>/transitions")
    class Transitions(MethodView):
        @allow(*MOVERS)
        @blp.arguments(TransitionIn)
        @blp.response(200, CaseOut)
        @errors(blp, *SIGNED_IN, 404, 409, 412)
        def post(self, body, case_id):  # type: ignore[no-untyped-def]
            """Move a case to another step (closing steps need a supervisor)"""
            who = actor()
            case = cases.transition_case(registry.uow(), TransitionCase(case_id, **body), who)
            return case_view(case, who), 200, etag(case.version)

    @blp.route("/<case_id>/approval-requests")
    class ApprovalRequests(MethodView):
        @allow(*ASKERS)
        @blp.arguments(ApprovalRequestIn)
        @blp.response(200, CaseOut)
        @errors(blp, *SIGNED_IN, 404, 409, 412)
        def post(self, body, case_id):  # type: ignore[no-untyped-def]
            """Ask a supervisor to approve a step (the supervisors' inbox is told)"""
            who = actor()
            case = cases.request_approval(registry.uow(), RequestApproval(case_id, **body), who)
            return case_view(case, who), 200, etag(case.version)

    @blp.route("/<case_id>/approval-requests/decision")
    class ApprovalDecision(MethodView):
        @allow(*APPROVERS)
        @blp.arguments(ApprovalDecisionIn)
        @blp.response(200, CaseOut)
        @errors(blp, *SIGNED_IN, 404, 409, 412)
        def post(self, body, case_id):  # type: ignore[no-untyped-def]
            """Approve the waiting request (the case moves) or return it with a note"""
            cmd, who = DecideApproval(case_id, body["decision"] == "approve", body["note"]), actor()
            case = cases.decide_approval(registry.uow(), cmd, who)
            return case_view(case, who), 200, etag(case.version)

    @blp.route("/<case_id>/referrals")
    class Referrals(MethodView):
        @allow(*MOVERS)
        @blp.arguments(ReferralIn)
        @blp.response(201, ReferralOut)
        @errors(blp, *SIGNED_IN, 404, 409, 412)
        def post(self, body, case_id):  # type: ignore[no-untyped-def]
            """Refer a case to another unit; it stays open until the unit reports back"""
            referral = cases.refer_case(registry.uow(), ReferCase(case_id, **body), actor())
            return {**asdict(referral), "open": referral.open}

    @blp.route("/<case_id>/referrals/<referral_id>/feedback")
    class Feedback(MethodView):
        @allow(*ANSWERERS)
        @blp.arguments(FeedbackIn)
        @blp.response(200, CaseOut)
        @errors(blp, *SIGNED_IN, 404, 409, 412)
        def post(self, body, case_id, referral_id):  # type: ignore[no-untyped-def]
            """The receiving unit reports back on a referral (a liaison: its unit's only)"""
            cmd, who = RecordReferralFeedback(case_id, referral_id, body["feedback"]), actor()
            return case_view(cases.record_feedback(registry.uow(), cmd, who), who)

    return blp
