"""The ledger page: a station clerk imports the ledger they keep in Excel, no curl.

Choose a file → the preview (the registry's dry run: counts by outcome, rows filterable,
each problem beside its cell, changes to known children, children the ledger no longer
lists) → import the accepted and flagged rows (or all or nothing) → the result. The
refused rows come back as an error workbook to fix in Excel and upload again. The
registry reads, decides and scopes every time, with the clerk's own token; the gateway
only keeps the uploaded file between those steps (``adapters.uploads``).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.gateway.entrypoints.phone_pages import (
    Refused,
    install_refusal_pages,
    page_lang,
    render_page,
    see_other,
)
from services.gateway.entrypoints.response_schemas import HTML, LOCATION, TEXT, page_errors
from services.gateway.entrypoints.roles import EXACT
from services.gateway.entrypoints.schemas import LedgerForm, LedgerImportForm, LedgerQuery
from services.gateway.field.adapters.uploads import MAX_BYTES, UploadStore
from services.gateway.field.entrypoints.ledger_labels import LEDGER, OUTCOMES
from services.gateway.field.entrypoints.map_api import caller_token
from shared.auth.flask import allow, current_principal
from shared.errors import DomainError, Kind
from shared.web import status_of

UPSTREAM = (400, 401, 403, 404, 413, 502, 503)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN = 500  # rows on one page; the filters find the rest


class NotALedger(DomainError):
    """The registry could not read the file as a ledger; the message says why."""

    kind = Kind.MALFORMED


def _message(body: bytes) -> str:
    try:
        return str(json.loads(body).get("message", ""))[:500]
    except ValueError:
        return ""


def build(registry: Any, uploads: UploadStore) -> Blueprint:
    blp = Blueprint("ledger", __name__, description="The ledger import page (HTML)")
    install_refusal_pages(blp)

    def owner() -> str:
        return current_principal().user_id

    def kept(token: str) -> tuple[bytes, dict[str, Any]]:
        data = uploads.read(owner(), token)
        if data is None:
            raise Refused(404, "gateway")
        return data, uploads.read_json(owner(), token, "meta") or {}

    def registry_import(token: str, path: str, **params: str) -> tuple[int, bytes, str]:
        data, meta = kept(token)
        status, body, kind = registry.upload_ledger(path, caller_token(), data,
                                             {"datum": meta.get("datum", "wgs84"), **params},
                                             page_lang())
        if status in (400, 413):
            raise NotALedger(_message(body))
        if status != 200:
            raise Refused(status if status in (401, 403, 404) else 502, "registry")
        return status, body, kind

    def dry_run(token: str) -> dict[str, Any]:
        """The registry's preview of the kept file, asked once per language and import
        (a filter on a 50,000-row ledger must not read it again)."""
        part = f"report-{page_lang()}"
        report = uploads.read_json(owner(), token, part)
        if report is None:
            _, body, _ = registry_import(token, "/children/import", dry_run="true")
            report = json.loads(body)
            uploads.write_json(owner(), token, part, report)
        return report

    def form_page(status: int = 200, message: str = "") -> Response:
        return render_page("ledger.html", "ledger_title", "/ledger", status=status,
                           current="ledger", L=LEDGER[page_lang()], message=message,
                           error=bool(message), max_mb=MAX_BYTES // 2**20)

    @blp.errorhandler(NotALedger)
    def _not_a_ledger(exc: NotALedger) -> Response:
        return form_page(status_of(exc), str(exc))

    @blp.route("/ledger")
    class Ledger(MethodView):
        @allow(*EXACT)
        @blp.arguments(LedgerQuery, location="query")
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp)
        def get(self, args):
            """Import a ledger (HTML): choose the file"""
            return form_page()

        @allow(*EXACT)
        @blp.arguments(LedgerForm, location="form")
        @blp.arguments(LedgerQuery, location="query")
        @blp.response(303, description="Kept: on to its preview", headers=LOCATION)
        @page_errors(blp, 400, 413)
        def post(self, form, args):
            """Upload a ledger (XLSX or CSV) from the form: kept for an hour, on to its
            preview"""
            upload = request.files.get("file")
            data = upload.read(MAX_BYTES + 1) if upload else b""
            if not data or len(data) > MAX_BYTES:
                key = "too_big" if data else "no_file"
                return form_page(413 if data else 400,
                                 LEDGER[page_lang()][key].format(mb=MAX_BYTES // 2**20))
            token = uploads.put(owner(), data, {"datum": form["datum"],
                                                "name": (upload and upload.filename or "")[-80:]})
            return see_other("ledger.Preview", token=token, lang=args["lang"])

    @blp.route("/ledger/<token>")
    class Preview(MethodView):
        @allow(*EXACT)
        @blp.arguments(LedgerQuery, location="query")
        @blp.response(200, TEXT, content_type=HTML)
        @page_errors(blp, *UPSTREAM)
        def get(self, args, token):
            """A ledger's preview (HTML): what each row would become, nothing stored;
            ``outcome`` shows only accepted, flagged or refused rows"""
            done = uploads.read_json(owner(), token, "result")
            report = dry_run(token)
            rows = [r for r in report["rows"]
                    if not args["outcome"] or r["outcome"] == args["outcome"]]
            meta = kept(token)[1]
            return render_page(
                "ledger_preview.html", "ledger_title", f"/ledger/{token}", current="ledger",
                L=LEDGER[page_lang()], report=report, rows=rows[:SHOWN], total=len(rows),
                token=token, outcome=args["outcome"], outcomes=OUTCOMES, done=done,
                file_name=meta.get("name", ""), message=(done or report)["message"])

    @blp.route("/ledger/<token>/import")
    class Import(MethodView):
        @allow(*EXACT)
        @blp.arguments(LedgerImportForm, location="form")
        @blp.arguments(LedgerQuery, location="query")
        @blp.response(303, description="Imported: on to the preview, which shows the "
                      "result", headers=LOCATION)
        @page_errors(blp, *UPSTREAM)
        def post(self, form, args, token):
            """Import the accepted and flagged rows of a kept ledger (or nothing while a
            row is refused, with ``all_or_nothing``); on to its page with the result"""
            _, body, _ = registry_import(
                token, "/children/import", dry_run="false",
                all_or_nothing="true" if form["all_or_nothing"] else "false")
            report = json.loads(body)
            for lang in LEDGER:  # the preview shows the registry as it is now
                uploads.drop(token, f"report-{lang}")
            uploads.write_json(owner(), token, "result", {
                k: report[k] for k in ("message", "stored", "imported", "updated",
                                       "unchanged", "counts")})
            return see_other("ledger.Preview", token=token, lang=args["lang"])

    @blp.route("/ledger/<token>/errors.xlsx")
    class Errors(MethodView):
        @allow(*EXACT)
        @blp.arguments(LedgerQuery, location="query")
        @blp.response(200, TEXT, content_type=XLSX)
        @page_errors(blp, *UPSTREAM)
        def get(self, args, token):
            """The error workbook: the refused rows with their columns and the reason,
            to fix in Excel and upload again"""
            _, body, kind = registry_import(token, "/children/import/errors")
            return Response(body, mimetype=kind or XLSX, headers={
                "Content-Disposition": "attachment; filename=ledger-errors.xlsx",
                "Cache-Control": "no-store"})

    return blp
