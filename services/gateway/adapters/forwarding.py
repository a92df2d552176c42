"""Forwarding a person's writes to the hazards service, with that person's own token."""

from __future__ import annotations

import logging
from typing import Any

import requests

from services.gateway.domain.exceptions import UpstreamUnavailable

log = logging.getLogger(__name__)


class HazardsClient:
    def __init__(self, base_url: str, timeout_s: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s

    def post_checkins(self, token: str, body: dict[str, Any]) -> tuple[int, Any]:
        """POST /checkins; returns the hazards service's status and JSON body as is."""
        try:
            resp = requests.post(f"{self.base_url}/checkins", json=body, timeout=self.timeout_s,
                                 headers={"Authorization": f"Bearer {token}"})
        except requests.RequestException as exc:
            log.warning("hazards service unreachable: %s", type(exc).__name__)
            raise UpstreamUnavailable("hazards") from exc
        try:
            return resp.status_code, resp.json()
        except ValueError:
            return resp.status_code, {"message": resp.text[:200]}
