"""A supervisor's approval for a bulk export of children's records.

Exporting more than ``BULK_LIMIT`` children needs a child supervisor's (or station
administrator's) approval: a short-lived token the gateway issues to the supervisor
(``POST /api/export-approvals``) naming the requester, the purpose and the most rows,
signed with the same keys as access tokens. The exporting view calls
``require_export_approval(n_rows)``; the requester sends the token in
``X-Export-Approval``.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from flask import current_app, request

from shared.auth.flask import refuse
from shared.auth.principal import Principal, Role
from shared.auth.tokens import ISSUER, AuthError, TokenKeys

BULK_LIMIT = 50
HEADER = "X-Export-Approval"
APPROVERS = frozenset({Role.CHILD_SUPERVISOR, Role.STATION_ADMIN})


@dataclass(frozen=True)
class Approval:
    approver_id: str
    requester_id: str
    purpose: str
    max_rows: int


def issue_approval(keys: TokenKeys, approver: Principal, requester_id: str, purpose: str,
                   max_rows: int, ttl_s: int = 3600) -> str:
    if approver.role not in APPROVERS:
        raise PermissionError(f"role {approver.role} may not approve exports")
    if approver.user_id == requester_id:
        raise PermissionError("nobody approves their own export")
    now = int(time.time())
    claims = {"iss": ISSUER, "typ": "export_approval", "sub": requester_id,
              "apr": approver.user_id, "pur": purpose, "max": max_rows,
              "iat": now, "exp": now + ttl_s, "jti": uuid.uuid4().hex}
    return keys.sign(claims)


def read_approval(keys: TokenKeys, token: str) -> Approval | None:
    try:
        c = keys.decode(token, "export_approval", ["exp", "sub", "apr", "max"])
    except AuthError:
        return None
    return Approval(c["apr"], c["sub"], c.get("pur", ""), int(c["max"]))


def require_export_approval(n_rows: int, requester: Principal) -> Approval | None:
    """In an export view: refuse (403) more than BULK_LIMIT rows without a valid approval
    for this requester covering ``n_rows``; returns the approval (for the audit row)."""
    if n_rows <= BULK_LIMIT:
        return None
    keys: TokenKeys = current_app.extensions["shouhu_auth"]
    approval = read_approval(keys, request.headers.get(HEADER, ""))
    if approval is None or approval.requester_id != requester.user_id \
            or approval.max_rows < n_rows:
        refuse(403, f"exporting {n_rows} children's records (more than {BULK_LIMIT}) needs "
                    f"a supervisor's approval for you, covering them all ({HEADER})")
    return approval
