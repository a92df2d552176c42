"""Forwarding a person's writes to the owning service, with that person's own token."""

from __future__ import annotations

import logging
from typing import Any

import requests

from services.gateway.domain.exceptions import UpstreamUnavailable

log = logging.getLogger(__name__)


class Forwarder:
    """POSTs JSON to one service (hazards for check-ins, registry for visits)."""

    def __init__(self, service: str, base_url: str, timeout_s: float = 10.0):
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s

    def post(self, path: str, token: str, body: dict[str, Any]) -> tuple[int, Any]:
        """Return the service's status and JSON body as they are."""
        try:
            resp = requests.post(f"{self.base_url}{path}", json=body, timeout=self.timeout_s,
                                 headers={"Authorization": f"Bearer {token}"})
        except requests.RequestException as exc:
            log.warning("%s service unreachable: %s", self.service, type(exc).__name__)
            raise UpstreamUnavailable(self.service) from exc
        try:
            return resp.status_code, resp.json()
        except ValueError:
            return resp.status_code, {"message": resp.text[:200]}
