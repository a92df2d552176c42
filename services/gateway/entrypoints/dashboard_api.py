"""The campaign dashboard (HTML with charts), its JSON and CSV exports."""

from __future__ import annotations

import csv
import io

from flask import Response, abort
from flask.views import MethodView
from flask_smorest import Blueprint

from services.gateway.adapters.read_model_store import ReadModelStore
from services.gateway.bootstrap import Gateway
from services.gateway.entrypoints.dashboard_page import render_dashboard
from services.gateway.entrypoints.response_schemas import (
    HTML,
    SIGNED_IN,
    TEXT,
    DashboardOut,
    errors,
)
from services.gateway.entrypoints.roles import PLANNERS
from services.gateway.service_layer.dashboard import TABLES, dashboard
from shared.auth.flask import allow, current_principal


def build(gateway: Gateway) -> Blueprint:
    blp = Blueprint("dashboard", __name__, description="The campaign dashboard")

    def figures():  # type: ignore[no-untyped-def]
        with gateway.engine.connect() as conn:
            return dashboard(ReadModelStore(conn), current_principal())

    @blp.route("/dashboard")
    class Page(MethodView):
        @allow(*PLANNERS)
        @blp.response(200, TEXT, content_type=HTML)
        @errors(blp, *SIGNED_IN)
        def get(self):  # type: ignore[no-untyped-def]
            """The campaign dashboard (HTML)"""
            return Response(render_dashboard(figures()), mimetype="text/html")

    @blp.route("/api/dashboard")
    class Figures(MethodView):
        @allow(*PLANNERS)
        @blp.response(200, DashboardOut)
        @errors(blp, *SIGNED_IN)
        def get(self):  # type: ignore[no-untyped-def]
            """Every dashboard table as JSON"""
            return figures()

    @blp.route("/dashboard/<table>.csv")
    class Export(MethodView):
        @allow(*PLANNERS)
        @blp.response(200, TEXT, content_type="text/csv")
        @errors(blp, *SIGNED_IN, 404)
        def get(self, table):  # type: ignore[no-untyped-def]
            """One dashboard table as CSV (hazards, protections, findings, overdue, coverage)"""
            if table not in TABLES:
                abort(404, description=f"no table {table}")
            rows = figures()[table]
            buf = io.StringIO()
            if rows:
                out = csv.DictWriter(buf, fieldnames=list(rows[0]))
                out.writeheader()
                out.writerows(rows)
            return Response(buf.getvalue(), mimetype="text/csv", headers={
                "Content-Disposition": f"attachment; filename={table}.csv"})

    return blp
