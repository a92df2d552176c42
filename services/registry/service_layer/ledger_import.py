"""Bulk import of a station's ledger: every bad row reported, nothing half-imported.

Rows are checked like a registration through the API (the same ``new_child``), then
against each other and against the registry. A dry run reports and stores nothing;
a real run stores nothing while any row is bad unless ``clean_rows_only``. A row that
matches an existing child with the same facts is unchanged, so a re-import of the
same file changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.registry.adapters.ledger_files import read_table
from services.registry.domain.exceptions import InvalidChild, InvalidImport
from services.registry.domain.ledger import extra_headers, missing_headers, parse_row
from services.registry.domain.model import Child
from services.registry.service_layer import assessment, cases
from services.registry.service_layer.children import new_child
from services.registry.service_layer.commands import RegisterChild
from services.registry.service_layer.context import Actor, Policy
from services.registry.service_layer.unit_of_work import RegistryUnitOfWork
from shared.clock import township_today
from shared.messaging import outbox

log = logging.getLogger(__name__)
FIELD_HEADERS = {"name": "姓名", "gender": "性别", "birth_date": "出生日期",
                 "id_number": "身份证号", "home": "经度", "categories": "困境类型",
                 "village_code": "村代码", "parents": "父母外出", "guardians": "监护人"}
CHUNK = 1000


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def error(self, row: int, header: str, reason: str) -> None:
        self.errors.append({"row": row, "field": header, "reason": reason})


def import_ledger(uow: RegistryUnitOfWork, data: bytes, actor: Actor, policy: Policy, *,
                  dry_run: bool, clean_rows_only: bool, today: date | None = None) -> ImportReport:
    today = today or township_today()
    headers, rows = read_table(data)
    missing = missing_headers(headers)
    if missing:
        raise InvalidImport(f"missing columns {missing}")
    report = ImportReport(rows=len(rows), ignored_columns=extra_headers(headers))
    candidates = [c for c in (_child(n, cells, actor, policy, today, report)
                              for n, cells in rows) if c is not None]
    with uow:
        fresh = _deduplicate(uow, candidates, report, actor)
        if dry_run or (report.errors and not clean_rows_only):
            return report
        _store(uow, [c for _, c in fresh], actor, policy, today)
        report.imported = len(fresh)
    log.info("ledger import: %d rows, %d imported, %d unchanged, %d errors", report.rows,
             report.imported, report.unchanged, len(report.errors))
    return report


def _child(number: int, cells: dict[str, Any], actor: Actor, policy: Policy, today: date,
           report: ImportReport) -> tuple[int, Child] | None:
    row = parse_row(number, cells, policy.villages)
    for header, reason in row.errors:
        report.error(number, header, reason)
    if row.errors:
        return None
    facts = dict(row.facts)
    home = facts.pop("home")
    try:
        child = new_child(RegisterChild(home_lon=home["lon"], home_lat=home["lat"], **facts),
                          policy, today)
    except InvalidChild as exc:
        report.error(number, FIELD_HEADERS.get(exc.field, exc.field), exc.message)
        return None
    if not actor.principal.sees_village(child.village_code):
        report.error(number, "所在村", "outside the villages you may register children in")
        return None
    return number, child


def _same_facts(a: Child, b: Child) -> bool:
    keys = ("name", "gender", "birth_date", "village_code", "id_number", "address", "school",
            "categories", "guardians", "parents", "declared_living_alone")
    return (all(getattr(a, k) == getattr(b, k) for k in keys)
            and abs(a.home_lon - b.home_lon) < 1e-7 and abs(a.home_lat - b.home_lat) < 1e-7)


def _deduplicate(uow: RegistryUnitOfWork, candidates: list[tuple[int, Child]],
                 report: ImportReport, actor: Actor) -> list[tuple[int, Child]]:
    """Drop rows already in the registry (unchanged) or earlier in the file (error).
    A record outside the importer's villages is never named (as POST /children)."""
    existing = uow.children.identity_keys(c.village_code for _, c in candidates)
    seen: dict[Any, int] = {}
    fresh = []
    for number, child in candidates:
        keys: list[Any] = [(child.name, child.birth_date, child.village_code)]
        keys += [child.id_number] if child.id_number else []
        earlier = next((seen[k] for k in keys if k in seen), None)
        if earlier is not None:
            report.error(number, "姓名", f"duplicate of row {earlier}")
            continue
        seen.update({k: number for k in keys})
        match = next((existing[k] for k in keys if k in existing), None)
        if match is None:
            fresh.append((number, child))
            continue
        stored = uow.children.get(match)
        if stored is not None and _same_facts(stored, child):
            report.unchanged += 1
        else:
            where = (f"as {match}" if stored is not None
                     and actor.principal.sees_village(stored.village_code)
                     else "in a village outside your scope; ask the township station")
            report.error(number, "身份证号" if child.id_number else "姓名",
                         f"already registered {where} with other facts; edit that record")
    return fresh


def _store(uow: RegistryUnitOfWork, children: list[Child], actor: Actor, policy: Policy,
           today: date) -> None:
    index = assessment.water_index(uow, policy)
    for start in range(0, len(children), CHUNK):
        batch = children[start:start + CHUNK]
        assessment.assess_many(batch, index, policy, today)
        uow.children.add_many(batch)
        actor.audit_many(uow, "import", "child", [c.id for c in batch], ["ledger_row"])
        assert uow.conn is not None
        outbox.record_many(uow.conn, uow.catalogue, "registry.child.registered.v1",
                           [assessment.child_event(c, today) for c in batch], source=uow.source)
        outbox.record_many(uow.conn, uow.catalogue, "registry.child.risk_changed.v1",
                           [assessment.risk_event(c, None, policy) for c in batch],
                           source=uow.source)
        for child in batch:
            cases.open_living_alone_case(uow, child, actor, today)
