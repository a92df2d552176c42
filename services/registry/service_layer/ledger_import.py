"""Bulk import of a station's ledger: each row accepted, flagged or refused, and said why.

Rows are checked like a registration through the API (the same ``new_child``), then
against each other and against the registry. A dry run reports and stores nothing; a
real run stores the accepted and flagged rows (or nothing while any row is refused, when
``all_or_nothing``). A row matching a known child (ID number, else name + birth date +
village) updates it, each change listed and audited; the same facts leave it unchanged;
children of the ledger's villages the file no longer lists are reported, never deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from services.registry.adapters.ledger_files import read_sheets
from services.registry.domain.exceptions import InvalidChild, InvalidImport
from services.registry.domain.ledger import DEFAULT_RELATION, LedgerRow, parse_row
from services.registry.domain.ledger_layout import Layout, lay_out
from services.registry.domain.ledger_messages import message
from services.registry.domain.model import Child, Guardian
from services.registry.service_layer import assessment, cases
from services.registry.service_layer.children import new_child, store_change
from services.registry.service_layer.commands import RegisterChild
from services.registry.service_layer.context import Actor, Policy
from services.registry.service_layer.ledger_report import (
    ImportReport,
    RowReport,
    add_ignored,
    changes,
    row_report,
    summarise,
)
from services.registry.service_layer.unit_of_work import RegistryUnitOfWork
from shared.clock import township_today
from shared.messaging import outbox

log = logging.getLogger(__name__)
CHUNK = 1000
FIELDS = {"home": "lon", "guardians": "guardian", "village_code": "village"}


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = True
    all_or_nothing: bool = False
    datum: str = "wgs84"  # homes without a 坐标系 column: wgs84, or gcj02 (AMap, Tencent)
    lang: str = "zh"


@dataclass
class Candidate:
    report: RowReport
    child: Child
    headers: dict[str, str]
    existing: Child | None = None


def import_ledger(uow: RegistryUnitOfWork, data: bytes, actor: Actor, policy: Policy,
                  options: ImportOptions, today: date | None = None) -> ImportReport:
    today = today or township_today()
    layouts = [lay_out(s) for s in read_sheets(data)]
    report = ImportReport(options.dry_run, options.all_or_nothing)
    for layout in layouts:
        add_ignored(report, layout, options.lang)
    if not any(layout.fields and not layout.missing for layout in layouts):
        raise InvalidImport(" ".join(i["message"] for i in report.ignored)[:500])
    candidates = [c for layout in layouts if not layout.missing
                  for c in _rows(layout, report, actor, policy, today, options)]
    with uow:
        candidates = _match(uow, candidates, report, actor, options.lang)
        _grade(uow, candidates, report, policy, today)
        refused = any(r.outcome == "refuse" for r in report.rows)
        if not options.dry_run and not (options.all_or_nothing and refused):
            _store(uow, candidates, report, actor, policy, today)
    summarise(report, options.lang)
    log.info("ledger import: %d rows, %d new, %d updated, %d unchanged, %d refused",
             len(report.rows), report.imported, report.updated, report.unchanged,
             report.counts["refuse"])
    return report


def _rows(layout: Layout, report: ImportReport, actor: Actor, policy: Policy, today: date,
          options: ImportOptions) -> list[Candidate]:
    out = []
    for number, cells, original in layout.rows:
        parsed = parse_row(cells, policy.villages, today, options.datum, policy.region)
        child = _child(parsed, actor, policy, today)
        entry = row_report(layout, number, original, parsed, options.lang)
        report.rows.append(entry)
        if child is not None and entry.outcome != "refuse":
            entry.categories = child.categories
            out.append(Candidate(entry, child, layout.headers))
    return out


def _child(parsed: LedgerRow, actor: Actor, policy: Policy, today: date) -> Child | None:
    """The child the row describes, or None with the reason added to its problems."""
    if parsed.outcome == "refuse":
        return None
    facts = dict(parsed.facts)
    home = facts.pop("home", None) or {"lon": None, "lat": None, "datum": "wgs84"}
    try:
        child = new_child(RegisterChild(home_lon=home["lon"], home_lat=home["lat"],
                                        home_datum=home["datum"], **facts), policy, today)
    except InvalidChild as exc:
        code = "bad_home" if exc.field == "home" else "invalid"
        parsed.add(FIELDS.get(exc.field, exc.field), code, detail=exc.message)
        return None
    if not actor.principal.sees_village(child.village_code):
        parsed.add("village", "village_outside")
        return None
    return child


def _refuse(candidate: Candidate, field: str, code: str, lang: str, **params: Any) -> None:
    entry = candidate.report
    entry.outcome = "refuse"
    entry.problems.append({"field": candidate.headers.get(field, field), "code": code,
                           "message": message(code, params, lang)})


def _match(uow: RegistryUnitOfWork, candidates: list[Candidate], report: ImportReport,
           actor: Actor, lang: str) -> list[Candidate]:
    """Rows repeated in the file are refused; rows of known children become updates
    (or unchanged); known children of these villages the file omits are listed. A
    match outside the importer's villages is refused without naming it (as
    POST /children's 409): the ledger must not read or change another village's child."""
    existing = uow.children.identity_keys(c.child.village_code for c in candidates)
    seen: dict[Any, RowReport] = {}
    matched: set[str] = set()
    out = []
    for c in candidates:
        keys: list[Any] = [(c.child.name, c.child.birth_date, c.child.village_code)]
        keys += [c.child.id_number] if c.child.id_number else []
        earlier = next((seen[k] for k in keys if k in seen), None)
        if earlier is not None:
            where = f"{earlier.sheet} 第{earlier.row}行" if earlier.sheet else f"第{earlier.row}行"
            _refuse(c, "name", "duplicate_row", lang, other=where)
            continue
        seen.update({k: c.report for k in keys})
        child_id = next((existing[k] for k in keys if k in existing), None)
        if child_id is not None:
            matched.add(child_id)
            c.existing = uow.children.get(child_id)
            if c.existing is None or not actor.principal.sees_village(c.existing.village_code):
                _refuse(c, "id_number", "registered_elsewhere", lang)
                continue
        out.append(c)
    report.missing = [{"child_id": cid, "name": k[0], "birth_date": k[1].isoformat(),
                       "village_code": k[2]}
                      for k, cid in existing.items() if isinstance(k, tuple)
                      and cid not in matched]
    return out


def _grade(uow: RegistryUnitOfWork, candidates: list[Candidate], report: ImportReport,
           policy: Policy, today: date) -> None:
    """Risk grade each row will be stored with; the change list of known children."""
    index = assessment.water_index(uow, policy)
    merged = [_merged(c.existing, c.child) if c.existing else c.child for c in candidates]
    for start in range(0, len(merged), CHUNK):
        assessment.assess_many(merged[start:start + CHUNK], index, policy, today)
    for c, child in zip(candidates, merged, strict=True):
        c.child = child
        c.report.risk_grade, c.report.categories = child.risk_grade, child.categories
        if c.existing is None:
            continue
        c.report.child_id = c.existing.id
        c.report.changes = changes(c.existing, child, c.headers)
        c.report.match = "update" if c.report.changes else "unchanged"
        report.unchanged += c.report.match == "unchanged"


def _merged(existing: Child, row: Child) -> Child:
    """The known child with what the new ledger says; guardians it does not name kept."""
    named = {g.name for g in row.guardians}
    guardians = row.guardians + [g for g in existing.guardians if g.name not in named]
    updated = [_guardian_update(g, existing.guardians) for g in guardians]
    return existing.with_changes(
        name=row.name, gender=row.gender, birth_date=row.birth_date,
        id_number=row.id_number or existing.id_number, village_code=row.village_code,
        village_name=row.village_name, address=row.address or existing.address,
        school=row.school or existing.school, categories=row.categories,
        parents=row.parents if row.parents.known else existing.parents, guardians=updated,
        declared_living_alone=row.declared_living_alone,
        **_home_of(row, existing))


def _home_of(row: Child, existing: Child) -> dict[str, float | None]:
    """The row's home, or the one already registered when the row has no coordinates."""
    source = existing if row.home_lon is None else row
    return {"home_lon": source.home_lon, "home_lat": source.home_lat}


def _guardian_update(g: Guardian, known: list[Guardian]) -> Guardian:
    """A guardian the ledger names again keeps what only the registry knows (capacity,
    presence, entrusted); the ledger's phone, age and relation win when given."""
    old = next((k for k in known if k.name == g.name), None)
    if old is None:
        return g
    relation = old.relation if g.relation == DEFAULT_RELATION else g.relation
    return replace(old, relation=relation, age=g.age or old.age, phone=g.phone or old.phone)


def _store(uow: RegistryUnitOfWork, candidates: list[Candidate], report: ImportReport,
           actor: Actor, policy: Policy, today: date) -> None:
    fresh = [c.child for c in candidates if c.existing is None]
    for c in candidates:
        if c.report.match == "update" and c.existing is not None:
            store_change(uow, c.existing, c.child, actor, policy, today, "import")
            report.updated += 1
    for start in range(0, len(fresh), CHUNK):
        batch = fresh[start:start + CHUNK]
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
    for c in candidates:
        if c.existing is None:
            c.report.child_id = c.child.id
    report.imported = len(fresh)
