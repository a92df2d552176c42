"""gzip for the gateway's text answers: phones on weak rural signal pay per byte, and
the map page, its layers and Leaflet itself shrink to a quarter or less."""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

_TYPES = ("text/html", "text/css", "text/csv", "application/json", "text/javascript",
          "application/javascript", "application/gpx+xml")
MIN_BYTES = 1024
# whole successful answers: a page, a file, or a forwarded write's result (201)
_COMPRESSED_STATUSES = frozenset({200, 201})


def install_gzip(app: Flask) -> None:
    @app.after_request
    def _gzip(resp: Response) -> Response:
        if ("gzip" not in request.headers.get("Accept-Encoding", "")
                or resp.mimetype not in _TYPES or resp.status_code not in _COMPRESSED_STATUSES
                or "Content-Encoding" in resp.headers):
            return resp
        resp.direct_passthrough = False  # static files are streamed: read them here
        body = resp.get_data()
        if len(body) < MIN_BYTES:
            return resp
        resp.set_data(gzip.compress(body, compresslevel=6))
        resp.headers["Content-Encoding"] = "gzip"
        resp.headers.add("Vary", "Accept-Encoding")
        return resp
