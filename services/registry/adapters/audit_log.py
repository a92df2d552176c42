"""The audit log on the unit of work's connection (shared/audit.py keeps the chain)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from services.registry.domain import ports
from shared import audit
from shared.auth.principal import Principal


class AuditLog(ports.AuditLog):
    def __init__(self, conn: Connection):
        self.conn = conn

    def record(self, principal: Principal, action: str, object_type: str, object_id: str,
               fields: Iterable[str] = (), purpose: str = "", remote_addr: str = "") -> None:
        audit.record(self.conn, principal, action, object_type, object_id, fields, purpose,
                     remote_addr)

    def record_many(self, principal: Principal, action: str, object_type: str,
                    object_ids: Iterable[str], fields: Iterable[str] = (), purpose: str = "",
                    remote_addr: str = "") -> None:
        audit.record_many(self.conn, principal, action, object_type, object_ids, fields,
                          purpose, remote_addr)
