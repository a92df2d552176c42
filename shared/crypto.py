"""Field-level encryption of personal data at rest, with key rotation by key id.

ID numbers, phone numbers, precise home locations and case narratives are stored as
``enc:v1:<kid>:<base64(nonce + AES-256-GCM ciphertext)>``. The ``context`` (e.g.
``"children.id_number"``) is bound as associated data, so a ciphertext copied into
another column does not decrypt.

Keys come from configuration: ``SHOUHU_FIELD_KEYS="kid1:<base64 32 bytes>,kid2:…"`` and
``SHOUHU_FIELD_ACTIVE_KID`` (default: the first listed). New values are encrypted with
the active key; values under any listed key decrypt, so rotation is: add a new key,
make it active, run ``reencrypt_column`` (``shouhu keys rotate``), then drop the old key.
Without ``SHOUHU_FIELD_KEYS`` the embedded default keeps a generated key in
``<data dir>/field.keys`` (refused when ``SHOUHU_ENV=production``).

Usage in a table::

    Column("id_number", EncryptedString("children.id_number"))
    Column("id_number_idx", String(80), index=True)   # blind_index(...) for look-ups
    Column("home", EncryptedPoint("children.home"))     # (lon, lat), not searchable in SQL
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, MetaData, Table, Text, literal, select, type_coerce, update
from sqlalchemy.types import TypeDecorator

from shared.config import ConfigError, data_dir

PREFIX = "enc:v1:"
_NONCE = 12


class DecryptionError(ValueError):
    """A stored value is not a ciphertext of a known key (or was altered)."""


def new_key() -> str:
    """A fresh random 256-bit key, base64url encoded (for SHOUHU_FIELD_KEYS)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _parse(raw: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for part in (p.strip() for p in raw.split(",") if p.strip()):
        kid, sep, b64 = part.partition(":")
        try:
            key = base64.urlsafe_b64decode(b64.encode())
        except ValueError as exc:
            raise ConfigError(f"SHOUHU_FIELD_KEYS: key {kid!r} is not base64") from exc
        if not sep or not kid or len(key) != 32:
            raise ConfigError(f"SHOUHU_FIELD_KEYS: key {kid!r} must be 'kid:<32 bytes base64>'")
        keys[kid] = key
    return keys


@dataclass(frozen=True)
class FieldKeys:
    keys: dict[str, bytes]
    active_kid: str

    def __post_init__(self) -> None:
        if self.active_kid not in self.keys:
            raise ConfigError(f"active field key {self.active_kid!r} is not configured")

    def __hash__(self) -> int:  # column types holding keys must be hashable (SQL cache)
        return hash((self.active_kid, tuple(sorted(self.keys.items()))))

    @classmethod
    def parse(cls, raw: str, active_kid: str | None = None) -> FieldKeys:
        keys = _parse(raw)
        if not keys:
            raise ConfigError("SHOUHU_FIELD_KEYS must list at least one 'kid:key'")
        return cls(keys, active_kid or next(iter(keys)))

    @classmethod
    def from_env(cls) -> FieldKeys:
        raw = os.environ.get("SHOUHU_FIELD_KEYS", "")
        if not raw:
            if os.environ.get("SHOUHU_ENV") == "production":
                raise ConfigError("SHOUHU_FIELD_KEYS is required in production")
            raw = embedded_key_file(data_dir() / "field.keys")
        return cls.parse(raw, os.environ.get("SHOUHU_FIELD_ACTIVE_KID") or None)

    def aead(self, kid: str) -> AESGCM:
        return AESGCM(self.keys[kid])

    def mac_key(self, kid: str) -> bytes:
        """A separate key for blind indexes, derived so the AEAD key is never reused."""
        return hmac.new(self.keys[kid], b"shouhu blind index v1", hashlib.sha256).digest()


def embedded_key_file(path: Path) -> str:
    """Read the embedded default's key file, creating it atomically the first time."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(f"k1:{new_key()}")
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # fails if another process won the race: use theirs
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


@lru_cache(maxsize=1)
def default_keys() -> FieldKeys:
    """The process's keys, read once from configuration (tables use them lazily)."""
    return FieldKeys.from_env()


def encrypt_field(value: str | None, keys: FieldKeys | None = None,
                  context: str = "") -> str | None:
    """Encrypt one value with the active key; None stays None."""
    if value is None:
        return None
    keys = keys or default_keys()
    nonce = secrets.token_bytes(_NONCE)
    ct = keys.aead(keys.active_kid).encrypt(nonce, value.encode(), context.encode())
    return f"{PREFIX}{keys.active_kid}:{base64.urlsafe_b64encode(nonce + ct).decode()}"


def key_id(token: str) -> str:
    """The key id a ciphertext was made with."""
    if not token.startswith(PREFIX):
        raise DecryptionError("not an encrypted field value")
    return token[len(PREFIX):].split(":", 1)[0]


def decrypt_field(token: str | None, keys: FieldKeys | None = None,
                  context: str = "") -> str | None:
    """Decrypt a value made by ``encrypt_field`` under any configured key."""
    if token is None:
        return None
    keys = keys or default_keys()
    kid = key_id(token)
    if kid not in keys.keys:
        raise DecryptionError(f"field key {kid!r} is not configured (rotated out too early?)")
    try:
        blob = base64.urlsafe_b64decode(token[len(PREFIX) + len(kid) + 1:].encode())
        plain = keys.aead(kid).decrypt(blob[:_NONCE], blob[_NONCE:], context.encode())
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError("encrypted field value was altered or has a wrong context") from exc
    return plain.decode()


def blind_index(value: str, keys: FieldKeys | None = None, context: str = "",
                kid: str | None = None) -> str:
    """A keyed hash for equality look-ups (e.g. duplicate ID numbers) without plaintext."""
    keys = keys or default_keys()
    kid = kid or keys.active_kid
    mac = hmac.new(keys.mac_key(kid), f"{context}\x00{value}".encode(), hashlib.sha256)
    return f"{kid}:{mac.hexdigest()[:40]}"


def blind_index_candidates(value: str, keys: FieldKeys | None = None,
                           context: str = "") -> list[str]:
    """The index under every configured key: query ``WHERE idx IN (...)`` during rotation."""
    keys = keys or default_keys()
    return [blind_index(value, keys, context, kid) for kid in keys.keys]


class EncryptedString(TypeDecorator[str]):
    """A text column stored encrypted; reads return plaintext."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str = "", keys: FieldKeys | None = None):
        super().__init__()
        self.context = context
        self.keys = keys

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return encrypt_field(None if value is None else str(value), self.keys, self.context)

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        return decrypt_field(value, self.keys, self.context)


class EncryptedJSON(TypeDecorator[Any]):
    """Any JSON value (e.g. a home's ``{"lon": …, "lat": …}``) stored encrypted."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str = "", keys: FieldKeys | None = None):
        super().__init__()
        self.context = context
        self.keys = keys

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return encrypt_field(json.dumps(value, ensure_ascii=False), self.keys, self.context)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        plain = decrypt_field(value, self.keys, self.context)
        return None if plain is None else json.loads(plain)


class EncryptedPoint(EncryptedJSON):
    """A ``(lon, lat)`` pair, e.g. a child's home, stored encrypted as one value: one
    decryption per row, and the two numbers never appear apart."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        lon, lat = value
        return super().process_bind_param([float(lon), float(lat)], dialect)

    def process_result_value(self, value: Any, dialect: Any) -> tuple[float, float] | None:
        pair = super().process_result_value(value, dialect)
        return None if pair is None else (pair[0], pair[1])


def reencrypt_column(conn: Connection, table: Table, columns: Iterable[str],
                     keys: FieldKeys | None = None) -> int:
    """Re-encrypt every value not under the active key (and encrypt legacy plaintext);
    returns the number of values changed.

    Runs in the caller's transaction; safe to repeat (values already under the active
    key are left alone).
    """
    keys = keys or default_keys()
    pk = list(table.primary_key.columns)
    changed = 0
    for name in columns:
        col = table.c[name]
        context = getattr(col.type, "context", "")
        raw = type_coerce(col, Text).label("raw")
        for row in conn.execute(select(*pk, raw).where(col.is_not(None))).all():
            if not row.raw.startswith(PREFIX):  # legacy plaintext: encrypt it now
                plain = row.raw
            elif key_id(row.raw) == keys.active_kid:
                continue
            else:
                plain = decrypt_field(row.raw, keys, context)
            fresh = encrypt_field(plain, keys, context)
            cond = [c == row._mapping[c.name] for c in pk]
            conn.execute(update(table).where(*cond).values({name: literal(fresh, Text)}))
            changed += 1
    return changed


def reencrypt_metadata(conn: Connection, metadata: MetaData,
                       keys: FieldKeys | None = None) -> dict[str, int]:
    """``reencrypt_column`` for every encrypted column of a service's tables."""
    counts: dict[str, int] = {}
    for table in metadata.sorted_tables:
        cols = [c.name for c in table.columns
                if isinstance(c.type, EncryptedString | EncryptedJSON)]
        if cols:
            counts[table.name] = reencrypt_column(conn, table, cols, keys)
    return counts
