"""What field-level encryption and argon2 cost, against named baselines, same run.

- Writing then reading 5,000 children's identifier columns (ID number, phone, home):
  baseline plain Text columns vs ``EncryptedString``/``EncryptedJSON`` (AES-256-GCM),
  SQLite in memory.
- One password check: baseline SHA-256 vs argon2id (the library's default parameters),
  i.e. what a sign-in costs the gateway.

Run: ``.venv/bin/python bench/security_crypto.py``
"""

from __future__ import annotations

import hashlib
import time

import argon2
from sqlalchemy import JSON, Column, MetaData, String, Table, Text, create_engine, insert, select

from shared.crypto import EncryptedJSON, EncryptedString, FieldKeys, new_key

N = 5000


def _table(encrypted: bool, keys: FieldKeys) -> Table:
    md = MetaData()
    text = (lambda c: EncryptedString(c, keys)) if encrypted else (lambda c: Text())
    home = EncryptedJSON("home", keys) if encrypted else JSON()
    return Table("children", md, Column("id", String, primary_key=True),
                 Column("id_number", text("id_number")), Column("phone", text("phone")),
                 Column("home", home))


def _round_trip(encrypted: bool, keys: FieldKeys) -> float:
    table = _table(encrypted, keys)
    engine = create_engine("sqlite://")
    table.metadata.create_all(engine)
    rows = [{"id": f"c{i}", "id_number": f"50011020160501{i:04d}", "phone": f"139{i:08d}",
             "home": {"lon": 106.65 + i * 1e-6, "lat": 28.95}} for i in range(N)]
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
    with engine.connect() as conn:
        assert len(conn.execute(select(table)).all()) == N
    return time.perf_counter() - start


def _per_call(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def main() -> None:
    keys = FieldKeys.parse(f"k1:{new_key()}")
    plain, enc = _round_trip(False, keys), _round_trip(True, keys)
    print(f"{N} rows write+read, 3 columns: plain {plain * 1000:.0f} ms, "
          f"encrypted {enc * 1000:.0f} ms ({enc / plain:.1f}x, "
          f"{(enc - plain) / N / 6 * 1e6:.1f} µs per value)")
    ph = argon2.PasswordHasher()
    stored = ph.hash("correct horse battery")
    sha = _per_call(lambda: hashlib.sha256(b"correct horse battery").hexdigest(), 10000)
    a2 = _per_call(lambda: ph.verify(stored, "correct horse battery"), 20)
    print(f"password check: sha256 {sha * 1e6:.1f} µs (baseline), argon2id {a2 * 1000:.1f} ms")


if __name__ == "__main__":
    main()
