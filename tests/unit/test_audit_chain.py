from sqlalchemy import MetaData, create_engine, update

from shared.audit import add_audit_table, record, verify_chain
from shared.auth import Principal, Role


def test_altering_a_row_breaks_the_chain_at_that_row():
    md = MetaData()
    table = add_audit_table(md)
    engine = create_engine("sqlite://")
    md.create_all(engine)
    who = Principal("u1", Role.CHILD_DIRECTOR, "500110120", frozenset({"500110120201"}))
    with engine.begin() as conn:
        for i in range(5):
            record(conn, who, "read", "child", f"c{i}", ["name"], "home visit", "10.0.0.1")
        assert verify_chain(conn) == []
        conn.execute(update(table).where(table.c.seq == 3).values(object_id="other"))
        breaks = verify_chain(conn)
    assert [b.seq for b in breaks] == [3]
    assert "altered" in breaks[0].reason
