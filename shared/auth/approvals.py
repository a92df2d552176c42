"""A supervisor's approval for a bulk export of children's records.

Exporting more than ``BULK_LIMIT`` children needs a child supervisor's (or station
administrator's) approval: a short-lived token the gateway issues to the supervisor
(``POST /api/users/export-approvals``) naming the requester (an existing user), the
purpose, the one export it covers (``EXPORTS``) and the most rows (at most
``MAX_APPROVED_ROWS``), signed with the same keys as access tokens. The exporting view
calls ``require_export_approval(n_rows, requester, export)``; the requester sends the
token in ``X-Export-Approval``; the exporting service spends its ``approval_id`` once
(the registry: ``used_approvals``).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from flask import current_app, request

from shared.access import EXPORTS, roles
from shared.auth.flask import refuse
from shared.auth.principal import Principal
from shared.auth.tokens import ISSUER, AuthError, TokenKeys

BULK_LIMIT = 50
HEADER = "X-Export-Approval"
APPROVERS = frozenset(roles("export_approval", "issue"))
MAX_APPROVED_ROWS = 10_000  # a township's children, with room; never "everything"


@dataclass(frozen=True)
class Approval:
    approver_id: str
    requester_id: str
    purpose: str
    max_rows: int
    export: str
    approval_id: str  # spent once by the exporting service


def issue_approval(keys: TokenKeys, approver: Principal, requester_id: str, purpose: str,
                   max_rows: int, export: str, ttl_s: int = 3600) -> str:
    if approver.role not in APPROVERS:
        raise PermissionError(f"role {approver.role} may not approve exports")
    if approver.user_id == requester_id:
        raise PermissionError("nobody approves their own export")
    if export not in EXPORTS:
        raise ValueError(f"export must be one of {list(EXPORTS)}")
    if not 0 < max_rows <= MAX_APPROVED_ROWS:
        raise ValueError(f"max_rows must be 1 to {MAX_APPROVED_ROWS}")
    now = int(time.time())
    claims = {"iss": ISSUER, "typ": "export_approval", "sub": requester_id,
              "apr": approver.user_id, "pur": purpose, "max": max_rows, "xpt": export,
              "iat": now, "exp": now + ttl_s, "jti": uuid.uuid4().hex}
    return keys.sign(claims)


def read_approval(keys: TokenKeys, token: str) -> Approval | None:
    try:
        c = keys.decode(token, "export_approval", ["exp", "sub", "apr", "max", "jti"])
    except AuthError:
        return None
    return Approval(c["apr"], c["sub"], c.get("pur", ""), int(c["max"]), c.get("xpt", ""),
                    c["jti"])


def require_export_approval(n_rows: int, requester: Principal,
                            export: str) -> Approval | None:
    """In an export view: refuse (403) more than BULK_LIMIT rows without a valid approval
    for this requester and this export covering ``n_rows``; returns the approval (for
    the audit row, and for the service to spend once)."""
    if n_rows <= BULK_LIMIT:
        return None
    keys: TokenKeys = current_app.extensions["shouhu_auth"]
    approval = read_approval(keys, request.headers.get(HEADER, ""))
    if approval is None or approval.requester_id != requester.user_id \
            or approval.max_rows < n_rows or approval.export != export:
        refuse(403, f"exporting {n_rows} children's records (more than {BULK_LIMIT}) needs "
                    f"a supervisor's approval for you and {export}, covering them all "
                    f"({HEADER})")
    return approval
