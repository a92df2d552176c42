"""Database files and demo ledgers are the owner's only (docs/security.md, threat model)."""

import stat

from sqlalchemy import text

from infra.demo import owner_only_tree
from shared.db import make_engine


def _mode(path) -> int:  # type: ignore[no-untyped-def]
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_files_are_created_0600_even_under_a_permissive_umask(tmp_path, monkeypatch):
    import os

    old = os.umask(0o002)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'registry.db'}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        files = sorted((tmp_path / "data").glob("registry.db*"))
        assert files and all(_mode(f) == 0o600 for f in files), [
            (f.name, oct(_mode(f))) for f in files]
        engine.dispose()
    finally:
        os.umask(old)


def test_demo_ledgers_are_the_owners_only(tmp_path):
    (tmp_path / "demo" / "ledgers").mkdir(parents=True)
    ledger = tmp_path / "demo" / "ledgers" / "fuhuan.xlsx"
    ledger.write_bytes(b"x")
    ledger.chmod(0o644)
    owner_only_tree(tmp_path / "demo")
    assert _mode(ledger) == 0o600 and _mode(tmp_path / "demo" / "ledgers") == 0o700
