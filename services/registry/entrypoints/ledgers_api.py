"""Ledger import, rosters and ledgers as exports, and the quarterly review, over HTTP."""

from __future__ import annotations

from dataclasses import replace

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.registry.adapters.ledger_files import write_csv, write_sheets, write_xlsx
from services.registry.bootstrap import Registry
from services.registry.entrypoints.common import STAFF, actor, child_view
from services.registry.entrypoints.schemas import (
    ChildOut,
    ExportQuery,
    ImportFile,
    ImportOut,
    ImportQuery,
    LedgerEntryIn,
    LedgerEntryOut,
    UnreviewedOut,
    VillageReviewOut,
)
from services.registry.service_layer import children, ledger_import, reports
from services.registry.service_layer.context import Actor
from services.registry.service_layer.ledger_report import error_sheets
from services.registry.service_layer.reports import Authorise
from shared.access import ROSTERS, roles
from shared.auth.approvals import require_export_approval
from shared.auth.flask import allow
from shared.auth.ratelimit import EXPORTS_PER_MINUTE, rate_limit
from shared.clock import township_today
from shared.openapi import SIGNED_IN, errors

QUARTER = "<quarter>"
LEDGERS = "<any(reception, hotline):ledger>"
ROSTER = f"<any({', '.join(ROSTERS)}):name>"
ROSTER_COLUMNS = ("id", "name", "gender", "birth_date", "village_code", "village_name",
                  "address", "school", "categories", "risk_grade", "next_visit_due")
COUNT_READERS = roles("counts", "read")  # village reviews: numbers, no child
FILE = {"type": "string", "format": "binary"}  # format=csv or xlsx: the export, whole
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(rows: list[dict], columns: tuple[str, ...], fmt: str, title: str) -> Response:
    table = [[", ".join(v) if isinstance(v := r.get(c), list) else v for c in columns]
             for r in rows]
    if fmt == "xlsx":
        return Response(write_xlsx(columns, table, title), mimetype="application/vnd."
                        "openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename={title}.xlsx"})
    return Response(write_csv(columns, table), mimetype="text/csv",  # Flask adds "; charset=utf-8"
                    headers={"Content-Disposition": f"attachment; filename={title}.csv"})


def _approved(who: Actor, export: str) -> Authorise:
    """The check of an export of n children: more than 50 need a supervisor's approval
    for this caller and export (403 without); it goes into the export's audit rows."""

    def authorise(n_rows: int) -> tuple[Actor, str]:
        approval = require_export_approval(n_rows, who.principal, export)
        if approval is None:
            return who, ""
        note = f"approved by {approval.approver_id}: {approval.purpose}"
        purpose = " | ".join(filter(None, (note, who.purpose)))[:200]
        return replace(who, purpose=purpose), approval.approval_id

    return authorise


def _lang() -> str:
    return request.accept_languages.best_match(["zh", "en"], default="zh") or "zh"


def _import(registry: Registry, q: dict, files: dict) -> ledger_import.ImportReport:
    options = ledger_import.ImportOptions(q["dry_run"], q["all_or_nothing"], q["datum"],
                                          _lang())
    return ledger_import.import_ledger(registry.uow(), files["file"].read(), actor(),
                                       registry.policy, options)


def ledgers_blueprint(registry: Registry) -> Blueprint:
    blp = Blueprint("ledgers", __name__, url_prefix="",
                    description="Ledger import, rosters, reception/hotline ledgers, reviews")

    @blp.route("/children/import")
    class Import(MethodView):
        @allow(*STAFF)
        @blp.arguments(ImportQuery, location="query")
        @blp.arguments(ImportFile, location="files")
        @blp.response(200, ImportOut)
        @errors(blp, *SIGNED_IN, 400, 413)
        def post(self, q, files):  # type: ignore[no-untyped-def]
            """Import a ledger (XLSX, every sheet, or CSV in UTF-8/GBK): each row accepted,
            flagged or refused, in Chinese (English with Accept-Language: en); dry run
            unless dry_run=false"""
            return _import(registry, q, files)

    @blp.route("/children/import/errors")
    class ImportErrors(MethodView):
        @allow(*STAFF)
        @blp.arguments(ImportQuery, location="query")
        @blp.arguments(ImportFile, location="files")
        @blp.response(200, schema=FILE, content_type=XLSX)
        @errors(blp, *SIGNED_IN, 400, 413)
        def post(self, q, files):  # type: ignore[no-untyped-def]
            """The error workbook of a ledger (always a dry run): its refused rows with
            their original columns, row number and reason, to fix and import again"""
            report = _import(registry, {**q, "dry_run": True}, files)
            body = write_sheets(error_sheets(report, _lang()))
            return Response(body, mimetype=XLSX, headers={
                "Content-Disposition": "attachment; filename=ledger-errors.xlsx"})

    @blp.route(f"/rosters/{ROSTER}")
    class Roster(MethodView):
        @allow(*STAFF)
        @rate_limit(EXPORTS_PER_MINUTE, what="exports")
        @blp.arguments(ExportQuery, location="query")
        @blp.response(200, ChildOut(many=True))
        @blp.alt_response(200, schema=FILE, content_type="text/csv", success=True)
        @blp.alt_response(200, schema=FILE, content_type=XLSX, success=True)
        @errors(blp, *SIGNED_IN, 429)
        def get(self, q, name):  # type: ignore[no-untyped-def]
            """A roster by category, as JSON, CSV or XLSX; more than 50 children need an
            approval (X-Export-Approval); each child's export is audited"""
            who = actor()
            rows = [child_view(c, who, township_today())
                    for c in reports.roster(registry.uow(), name, who,
                                            _approved(who, f"roster:{name}"))]
            if q["format"] == "json":
                return rows
            return _export(rows, ROSTER_COLUMNS, q["format"], f"roster-{name}")

    @blp.route(f"/ledgers/{LEDGERS}")
    class Ledger(MethodView):
        @allow(*STAFF)
        @blp.arguments(LedgerEntryIn)
        @blp.response(201, LedgerEntryOut)
        @errors(blp, *SIGNED_IN, 404)
        def post(self, body, ledger):  # type: ignore[no-untyped-def]
            """Write a reception visit or a hotline call into its ledger"""
            return reports.add_ledger_entry(registry.uow(), ledger, body, actor())

        @allow(*STAFF)
        @rate_limit(EXPORTS_PER_MINUTE, what="exports")
        @blp.arguments(ExportQuery, location="query")
        @blp.response(200, LedgerEntryOut(many=True))
        @blp.alt_response(200, schema=FILE, content_type="text/csv", success=True)
        @blp.alt_response(200, schema=FILE, content_type=XLSX, success=True)
        @errors(blp, *SIGNED_IN, 429)
        def get(self, q, ledger):  # type: ignore[no-untyped-def]
            """The reception or hotline ledger, as JSON, CSV or XLSX"""
            rows = reports.ledger_entries(registry.uow(), ledger, actor())
            if q["format"] == "json":
                return rows
            return _export(rows, tuple(LedgerEntryOut().fields), q["format"], ledger)

    @blp.route(f"/reviews/{QUARTER}")
    class Review(MethodView):
        @allow(*COUNT_READERS)
        @blp.response(200, VillageReviewOut(many=True))
        @errors(blp, *SIGNED_IN, 422)
        def get(self, quarter):  # type: ignore[no-untyped-def]
            """Quarterly summary per village: categories, grades, reviews, visits"""
            return reports.quarterly_review(registry.uow(), quarter, actor())

    @blp.route(f"/reviews/{QUARTER}/unreviewed")
    class Unreviewed(MethodView):
        @allow(*STAFF)
        @blp.response(200, UnreviewedOut(many=True))
        @errors(blp, *SIGNED_IN, 422)
        def get(self, quarter):  # type: ignore[no-untyped-def]
            """Children whose record was not reviewed in that quarter (a work list)"""
            return reports.unreviewed(registry.uow(), quarter, actor())

    @blp.route(f"/reviews/{QUARTER}/children/<child_id>")
    class MarkReviewed(MethodView):
        @allow(*STAFF)
        @blp.response(200, ChildOut)
        @errors(blp, *SIGNED_IN, 404, 412, 422)
        def post(self, quarter, child_id):  # type: ignore[no-untyped-def]
            """Mark a child's record as reviewed in that quarter (rule 7)"""
            who = actor()
            child = children.mark_reviewed(registry.uow(), child_id, quarter, who)
            return child_view(child, who, township_today())

    return blp
