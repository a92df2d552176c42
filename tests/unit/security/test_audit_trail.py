"""Audit trail: deletions named, tail truncation caught by an anchor, query, export,
and the report of people reading many children outside their caseload."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData, create_engine, delete

from shared.audit import (
    add_audit_table,
    chain_head,
    query,
    record,
    to_csv,
    unusual_readers,
    verify_chain,
)
from shared.auth import Principal, Role

DIRECTOR = Principal("dir-a", Role.CHILD_DIRECTOR, "500110120", frozenset({"500110120201"}))
SUPERVISOR = Principal("sup-1", Role.CHILD_SUPERVISOR, "500110120")


@pytest.fixture
def trail():
    md = MetaData()
    table = add_audit_table(md)
    engine = create_engine("sqlite://")
    md.create_all(engine)
    with engine.begin() as conn:
        for i in range(6):
            record(conn, DIRECTOR, "read", "child", f"c{i}", ["name", "id_number"],
                   "home visit", "10.0.0.1")
        yield conn, table


def test_deleting_a_middle_row_names_the_row_after_it(trail):
    conn, table = trail
    conn.execute(delete(table).where(table.c.seq == 3))
    breaks = verify_chain(conn)
    assert [b.seq for b in breaks] == [4] and "deleted" in breaks[0].reason


def test_deleting_the_newest_rows_is_caught_by_an_anchor(trail):
    conn, table = trail
    anchor = chain_head(conn)
    assert anchor[0] == 6
    conn.execute(delete(table).where(table.c.seq >= 5))
    assert verify_chain(conn) == []  # a shorter chain is still a valid chain …
    assert [b.seq for b in verify_chain(conn, anchor)] == [6]  # … but not the anchored one


def test_query_and_csv_export_hold_field_names_never_values(trail):
    conn, _ = trail
    rows = query(conn, user_id="dir-a", object_id="c2")
    assert len(rows) == 1 and rows[0]["purpose"] == "home visit"
    assert len(query(conn, since=datetime.now(UTC) - timedelta(minutes=5))) == 6
    assert query(conn, until=datetime.now(UTC) - timedelta(days=1)) == []
    text = to_csv(query(conn))
    assert text.splitlines()[0].startswith("seq,at,user_id,role,action")
    assert '"[""id_number"", ""name""]"' in text and len(text.splitlines()) == 7


def test_unusual_readers_lists_people_reading_outside_their_caseload(trail):
    conn, _ = trail
    for i in range(30):
        record(conn, SUPERVISOR, "read", "child", f"x{i}")
        record(conn, SUPERVISOR, "read", "child", f"x{i}")  # repeated reads count once
    caseload = {"dir-a": {f"c{i}" for i in range(6)}}
    found = unusual_readers(conn, datetime.now(UTC) - timedelta(hours=1),
                            lambda user, obj: obj in caseload.get(user, set()), threshold=20)
    assert [(r.user_id, r.outside, r.total) for r in found] == [("sup-1", 30, 30)]
