"""Calling the owning service on a person's behalf, with that person's own token."""

from __future__ import annotations

import logging
from typing import Any

import requests
from flask import has_request_context, request

from services.gateway.domain.exceptions import UpstreamUnavailable

log = logging.getLogger(__name__)


class Forwarder:
    """One service's HTTP API (hazards for check-ins, the registry for visits and cases,
    the notifier for inboxes): the gateway adds nothing but the caller's token, so the
    owning service decides, and scopes, as for a direct call."""

    def __init__(self, service: str, base_url: str, timeout_s: float = 10.0):
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s

    def post(self, path: str, token: str, body: dict[str, Any]) -> tuple[int, Any]:
        """Return the service's status and JSON body as they are."""
        return self._call("POST", path, token, json=body)

    def get(self, path: str, token: str, params: dict[str, str] | None = None
            ) -> tuple[int, Any]:
        """Return the service's status and JSON body as they are."""
        return self._call("GET", path, token, params=params)

    def patch(self, path: str, token: str, body: dict[str, Any], version: int
              ) -> tuple[int, Any]:
        """Change a record the caller read at ``version`` (If-Match): the service refuses
        (412) a change to a record someone changed since. Status and JSON body as they are."""
        return self._call("PATCH", path, token, json=body, headers={"If-Match": f'"{version}"'})

    def upload(self, path: str, token: str, fields: dict[str, str],
               files: dict[str, tuple[str, bytes, str]]) -> tuple[int, Any]:
        """POST a form with files (multipart), as a phone's photo goes on."""
        return self._call("POST", path, token, data=fields, files=files)

    def content(self, path: str, token: str) -> tuple[int, bytes, str]:
        """The service's status, body bytes and content type (a photo)."""
        resp = self._send("GET", path, token)
        return resp.status_code, resp.content, resp.headers.get("Content-Type", "")

    def upload_ledger(self, path: str, token: str, data: bytes, params: dict[str, str],
                      lang: str = "zh") -> tuple[int, bytes, str]:
        """POST a ledger as the multipart field ``file``; the service's status, body as
        bytes (JSON or a workbook) and content type, as they are."""
        resp = self._send("POST", path, token, params=params, files={"file": ("ledger", data)},
                          headers={"Accept-Language": lang}, timeout_s=max(self.timeout_s, 300))
        return resp.status_code, resp.content, resp.headers.get("Content-Type", "")

    def _send(self, method: str, path: str, token: str, headers: dict[str, str] | None = None,
              timeout_s: float | None = None, **kw: Any) -> requests.Response:
        sent = {"Authorization": f"Bearer {token}", **(headers or {})}
        if has_request_context() and request.remote_addr:
            # the person's address for the service's audit (it trusts the gateway's hop)
            sent["X-Forwarded-For"] = request.remote_addr
        try:
            return requests.request(method, f"{self.base_url}{path}",
                                    timeout=timeout_s or self.timeout_s, headers=sent, **kw)
        except requests.RequestException as exc:
            log.warning("%s service unreachable: %s", self.service, type(exc).__name__)
            raise UpstreamUnavailable(self.service) from exc

    def _call(self, method: str, path: str, token: str, **kw: Any) -> tuple[int, Any]:
        resp = self._send(method, path, token, **kw)
        try:
            return resp.status_code, resp.json()
        except ValueError:
            return resp.status_code, {"message": resp.text[:200]}
