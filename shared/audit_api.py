"""The station administrator's view of a service's audit trail, over HTTP.

Any service with an ``audit_log`` table mounts ``audit_blueprint``: query it, export it
as CSV (the export is itself audited), verify its hash chain and list people reading
unusually many children outside their caseload. Station administrators only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError
from sqlalchemy import Engine

from shared import audit
from shared.access import roles
from shared.auth.flask import allow, current_principal
from shared.auth.principal import Role
from shared.auth.ratelimit import EXPORTS_PER_MINUTE, rate_limit
from shared.openapi import SIGNED_IN, errors
from shared.schemas import PageOut, PageQuery, page_size_field

ADMIN = roles("audit", "read")  # shared/access.py
MAX_PAGE_SIZE = 200
MAX_EXPORT_ROWS = 100_000
# a mistyped filter is refused (422), never ignored into showing everything
QUERY: dict[str, Any] = {"location": "query", "unknown": RAISE}
CSV = {"type": "string", "description": "UTF-8, one row per access, a header line first"}
Caseload = Callable[[str, str], bool]  # (user_id, object_id) → within that person's work?


class AuditQuery(Schema):
    user = fields.String(attribute="user_id", validate=validate.Length(max=64))
    action = fields.String(validate=validate.Length(max=32))
    object_type = fields.String(validate=validate.Length(max=32),
                                metadata={"description": "child, case, ledger …"})
    object_id = fields.String(validate=validate.Length(max=64),
                              metadata={"description": "e.g. a child's id"})
    since = fields.AwareDateTime(data_key="from", metadata={"description": "inclusive"})
    until = fields.AwareDateTime(data_key="to", metadata={"description": "exclusive"})


class AuditPageQuery(AuditQuery, PageQuery):
    page_size = page_size_field(MAX_PAGE_SIZE)


class AuditRowOut(Schema):
    seq = fields.Integer()
    at = fields.AwareDateTime()
    user_id = fields.String()
    role = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    fields_ = fields.List(fields.String(), data_key="fields",
                          metadata={"description": "field names read or changed, never values"})
    purpose = fields.String()
    remote_addr = fields.String()


class AuditPage(PageOut):
    items = fields.List(fields.Nested(AuditRowOut))


class VerifyQuery(Schema):
    anchor_seq = fields.Integer(validate=validate.Range(1, 2**63 - 1),
                                metadata={"description": "seq of a head kept outside"})
    anchor_hash = fields.String(validate=validate.Regexp(r"^[0-9a-f]{64}$"))

    @validates_schema
    def _both_or_neither(self, data: dict[str, Any], **_: Any) -> None:
        if ("anchor_seq" in data) != ("anchor_hash" in data):
            raise SchemaError("give anchor_seq and anchor_hash together")


class ChainBreakOut(Schema):
    seq = fields.Integer()
    reason = fields.String()


class HeadOut(Schema):
    seq = fields.Integer()
    row_hash = fields.String()


class VerifyOut(Schema):
    intact = fields.Boolean()
    breaks = fields.List(fields.Nested(ChainBreakOut))
    head = fields.Nested(HeadOut, metadata={"description": "keep it outside the database "
                                            "and pass it back as the anchor"})


class UnusualQuery(Schema):
    since = fields.AwareDateTime(load_default=None,
                                 metadata={"description": "default: 30 days ago"})
    threshold = fields.Integer(load_default=20, validate=validate.Range(0, 1_000_000))
    role = fields.List(fields.String(validate=validate.OneOf([r.value for r in Role])),
                       load_default=list, metadata={"description": "only these roles"})


class UnusualReaderOut(Schema):
    user_id = fields.String()
    role = fields.String()
    outside = fields.Integer(metadata={"description": "distinct children outside the caseload"})
    total = fields.Integer()


def _row_out(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "fields_": json.loads(row["fields"])}


def audit_blueprint(engine: Engine, make_caseload: Callable[[], Caseload]) -> Blueprint:
    """``make_caseload()`` builds the service's caseload test, afresh for each
    unusual-readers report (caseloads change as children are assigned)."""
    blp = Blueprint("audit", __name__, url_prefix="/audit",
                    description="The audit trail: query, export, verify (station admins)")

    @blp.route("")
    class Trail(MethodView):
        @allow(*ADMIN)
        @blp.arguments(AuditPageQuery, **QUERY)
        @blp.response(200, AuditPage)
        @errors(blp, *SIGNED_IN)
        def get(self, q):
            """Audit rows, newest first, by user, object, action and time"""
            page, size = q.pop("page"), q.pop("page_size")
            with engine.connect() as conn:
                rows = audit.query(conn, limit=size, offset=(page - 1) * size, **q)
                total = audit.count(conn, **q)
            return {"items": [_row_out(r) for r in rows], "page": page, "page_size": size,
                    "total": total}

    @blp.route("/export")
    class Export(MethodView):
        @allow(*ADMIN)
        @rate_limit(EXPORTS_PER_MINUTE, what="exports")
        @blp.arguments(AuditQuery, **QUERY)
        @blp.response(200, CSV, content_type="text/csv")
        @errors(blp, *SIGNED_IN, 429)
        def get(self, q):
            """The filtered audit rows as CSV (at most 100,000); the export is audited"""
            with engine.begin() as conn:
                rows = audit.query(conn, limit=MAX_EXPORT_ROWS, **q)
                span = f"{rows[-1]['seq']}-{rows[0]['seq']}" if rows else "none"
                audit.record(conn, current_principal(), "export", "audit_log", span,
                             [f"filter:{k}" for k in sorted(q)],
                             request.headers.get("X-Purpose", "")[:200],
                             request.remote_addr or "")
            return Response(audit.to_csv(rows), mimetype="text/csv; charset=utf-8",
                            headers={"Content-Disposition": "attachment; filename=audit.csv"})

    @blp.route("/verify")
    class Verify(MethodView):
        @allow(*ADMIN)
        @blp.arguments(VerifyQuery, **QUERY)
        @blp.response(200, VerifyOut)
        @errors(blp, *SIGNED_IN)
        def get(self, q):
            """Check the hash chain; every altered, inserted or deleted row is named"""
            anchor = (q["anchor_seq"], q["anchor_hash"]) if q else None
            with engine.connect() as conn:
                breaks = audit.verify_chain(conn, anchor)
                seq, row_hash = audit.chain_head(conn)
            return {"intact": not breaks, "breaks": breaks,
                    "head": {"seq": seq, "row_hash": row_hash}}

    @blp.route("/unusual-readers")
    class Unusual(MethodView):
        @allow(*ADMIN)
        @blp.arguments(UnusualQuery, **QUERY)
        @blp.response(200, UnusualReaderOut(many=True))
        @errors(blp, *SIGNED_IN)
        def get(self, q):
            """People who read more than `threshold` children outside their caseload"""
            since = q["since"] or datetime.now(UTC) - timedelta(days=30)
            caseload = make_caseload()
            with engine.connect() as conn:
                return audit.unusual_readers(conn, since, caseload, q["threshold"],
                                             roles=q["role"])

    return blp

