"""Field-level encryption: round trip, tamper detection, context binding, rotation."""

import pytest
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select, text

from shared.config import ConfigError
from shared.crypto import (
    DecryptionError,
    EncryptedJSON,
    EncryptedString,
    FieldKeys,
    blind_index,
    blind_index_candidates,
    decrypt_field,
    encrypt_field,
    key_id,
    new_key,
    reencrypt_column,
)

ID_NUMBER = "500110201605011234"


@pytest.fixture
def keys():
    return FieldKeys.parse(f"k1:{new_key()}")


def test_round_trip_hides_the_plaintext_and_uses_a_fresh_nonce(keys):
    a = encrypt_field(ID_NUMBER, keys, "children.id_number")
    b = encrypt_field(ID_NUMBER, keys, "children.id_number")
    assert ID_NUMBER not in a and a != b
    assert decrypt_field(a, keys, "children.id_number") == ID_NUMBER
    assert encrypt_field(None, keys) is None and decrypt_field(None, keys) is None


def test_altered_ciphertext_or_other_column_context_is_refused(keys):
    token = encrypt_field("13800000000", keys, "guardians.phone")
    with pytest.raises(DecryptionError):
        decrypt_field(token, keys, "children.id_number")
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    with pytest.raises(DecryptionError):
        decrypt_field(flipped, keys, "guardians.phone")
    with pytest.raises(DecryptionError):
        decrypt_field("plain text", keys)


def test_rotation_old_values_still_decrypt_and_new_ones_use_the_new_key(keys):
    old = encrypt_field(ID_NUMBER, keys)
    rotated = FieldKeys({**keys.keys, "k2": FieldKeys.parse(f"k2:{new_key()}").keys["k2"]},
                        "k2")
    assert decrypt_field(old, rotated) == ID_NUMBER
    assert key_id(encrypt_field(ID_NUMBER, rotated)) == "k2"
    dropped = FieldKeys({"k2": rotated.keys["k2"]}, "k2")
    with pytest.raises(DecryptionError, match="k1"):
        decrypt_field(old, dropped)


def test_blind_index_is_stable_per_key_and_lists_every_key_during_rotation(keys):
    assert blind_index(ID_NUMBER, keys, "c") == blind_index(ID_NUMBER, keys, "c")
    assert blind_index(ID_NUMBER, keys, "c") != blind_index(ID_NUMBER, keys, "other")
    assert ID_NUMBER not in blind_index(ID_NUMBER, keys)
    two = FieldKeys({**keys.keys, "k2": bytes(32)}, "k2")
    assert blind_index(ID_NUMBER, keys) in blind_index_candidates(ID_NUMBER, two)


@pytest.mark.parametrize("raw", ["", "k1", "k1:short", "k1:!!!notbase64!!!"])
def test_malformed_key_configuration_names_the_variable(raw):
    with pytest.raises(ConfigError, match="SHOUHU_FIELD_KEYS"):
        FieldKeys.parse(raw)


def test_production_refuses_the_embedded_key_file(monkeypatch):
    monkeypatch.delenv("SHOUHU_FIELD_KEYS", raising=False)
    monkeypatch.setenv("SHOUHU_ENV", "production")
    with pytest.raises(ConfigError, match="production"):
        FieldKeys.from_env()


def test_embedded_default_creates_one_private_key_file(monkeypatch, tmp_path):
    monkeypatch.delenv("SHOUHU_FIELD_KEYS", raising=False)
    monkeypatch.delenv("SHOUHU_ENV", raising=False)
    monkeypatch.setenv("SHOUHU_DATA_DIR", str(tmp_path))
    first, second = FieldKeys.from_env(), FieldKeys.from_env()
    assert first == second
    assert (tmp_path / "field.keys").stat().st_mode & 0o077 == 0


def _people(keys):
    return Table("people", MetaData(), Column("id", String, primary_key=True),
                 Column("id_number", EncryptedString("people.id_number", keys)),
                 Column("home", EncryptedJSON("people.home", keys)))


def test_table_columns_are_ciphertext_on_disk_and_rotate_in_place(keys):
    people = _people(keys)
    engine = create_engine("sqlite://")
    people.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(people).values(id="p1", id_number=ID_NUMBER,
                                           home={"lon": 106.65, "lat": 28.95}))
        conn.execute(text("INSERT INTO people (id, id_number) VALUES ('p2', 'legacy-plain')"))
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT id_number, home FROM people WHERE id='p1'")).one()
    assert ID_NUMBER not in raw[0] and "106.65" not in raw[1]

    rotated = FieldKeys({**keys.keys, "k2": bytes(range(32))}, "k2")
    people = _people(rotated)
    with engine.begin() as conn:
        assert reencrypt_column(conn, people, ["id_number", "home"], rotated) == 3
        assert reencrypt_column(conn, people, ["id_number", "home"], rotated) == 0
        rows = {r.id: r for r in conn.execute(select(people))}
        raws = conn.execute(text("SELECT id_number FROM people ORDER BY id")).scalars().all()
    assert rows["p1"].id_number == ID_NUMBER and rows["p1"].home == {"lon": 106.65, "lat": 28.95}
    assert rows["p2"].id_number == "legacy-plain"
    assert all(key_id(r) == "k2" for r in raws)
