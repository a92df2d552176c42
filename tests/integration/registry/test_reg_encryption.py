"""Personal fields are encrypted at rest, including rows written before 0004_reg and
homes and visit locations stored before 0005_reg and 0006_reg."""

from __future__ import annotations

from reg_helpers import child_body, migrated_to
from sqlalchemy import text

from services.registry.bootstrap import MIGRATIONS
from services.registry.domain.identity import check_character
from shared.db import migrate

FIRST17 = "50011020160501002"
ID_NUMBER = FIRST17 + check_character(FIRST17)


def test_api_writes_ciphertext_and_reads_plaintext(client, auth, registry):
    body = child_body(id_number=ID_NUMBER, phone="13800001234", address="石龙村3组",
                      guardians=[{"name": "测试祖母", "relation": "祖母", "phone": "13900005678"}])
    child = client.post("/children", json=body, headers=auth()).json
    assert client.get(f"/children/{child['id']}", headers=auth()).json["id_number"] == ID_NUMBER
    with registry.engine.connect() as conn:
        raw = conn.execute(text("SELECT id_number, phone, address, guardians FROM children"
                                )).one()
        dump = " ".join(str(v) for v in conn.execute(text("SELECT * FROM children")).one())
    assert all(str(v).startswith("enc:v1:") for v in raw)
    for secret in (ID_NUMBER, "13800001234", "13900005678", "石龙村3组"):
        assert secret not in dump
    again = client.post("/children", json=child_body(name="别名", id_number=ID_NUMBER),
                        headers=auth())
    assert again.status_code == 409 and again.json["errors"]["matched_on"] == "id_number"


def test_migration_encrypts_existing_plaintext_rows(database_url):
    engine = migrated_to(database_url, "0003_reg")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO children (id, name, gender, birth_date, village_code, home_lon, "
            "home_lat, categories, risk_grade, id_number, phone, address, guardians) VALUES "
            "('c1', 'x', 'female', '2016-05-01', '500110120201', 106.6, 28.9, '[]', 'low', "
            f"'{ID_NUMBER}', '13800001234', 'addr', "
            "'[{\"name\": \"g\", \"relation\": \"r\", \"phone\": \"13900005678\"}]')"))
        for visit, hour, lon, lat in (("v1", 2, 106.6, 28.9), ("v2", 3, None, None)):
            conn.execute(text(
                "INSERT INTO visits (id, child_id, village_code, visitor_id, visited_at, lon, "
                "lat, findings, next_steps, next_due) VALUES (:id, 'c1', '500110120201', "
                "'u1', :at, :lon, :lat, '{}', '', '2027-02-18')"),
                {"id": visit, "at": f"2026-11-20 0{hour}:00:00", "lon": lon, "lat": lat})
    migrate(database_url, MIGRATIONS)
    from services.registry.adapters.case_repository import VisitRepository
    from services.registry.adapters.repository import ChildRepository

    with engine.connect() as conn:
        raw = conn.execute(text("SELECT id_number, guardians, id_number_idx, home "
                                "FROM children")).one()
        child = ChildRepository(conn).get("c1")
        visits = {v["id"]: (v["lon"], v["lat"]) for v in VisitRepository(conn).for_child("c1")}
        raw_visits = conn.execute(text("SELECT location FROM visits ORDER BY id")).scalars()
        assert [v and v[:7] for v in raw_visits] == ["enc:v1:", None]
    engine.dispose()
    assert raw.id_number.startswith("enc:v1:") and raw.guardians.startswith("enc:v1:")
    assert raw.home.startswith("enc:v1:") and (child.home_lon, child.home_lat) == (106.6, 28.9)
    assert visits == {"v1": (106.6, 28.9), "v2": (None, None)}
    assert raw.id_number_idx and ID_NUMBER not in raw.id_number_idx
    assert child.id_number == ID_NUMBER and child.guardians[0].phone == "13900005678"
    assert child.address == "addr"
