"""Ledgers a clerk uploaded, kept between the preview and the import (an hour at most).

The preview, its filters, the error workbook and the import all read the same file, and
a page without script cannot hold it, so the gateway keeps it: encrypted with the field
keys (a ledger is children's data), readable by the person who uploaded it only, in
files only this process's user can read, removed after the import or when expired.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from shared.crypto import DecryptionError, FieldKeys, decrypt_field, encrypt_field

TTL_S = 3600
MAX_BYTES = 20 * 1024 * 1024  # the registry's own request limit is larger than any ledger


class UploadStore:
    def __init__(self, folder: Path, keys: FieldKeys | None = None, ttl_s: int = TTL_S):
        self.folder, self.keys, self.ttl_s = folder, keys, ttl_s

    def put(self, owner: str, data: bytes, meta: dict[str, Any]) -> str:
        """Keep ``data`` for ``owner``; return the token that names it."""
        self.purge()
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        token = secrets.token_urlsafe(18)
        self._write(token, "file", owner, data)
        self.write_json(owner, token, "meta", meta)
        return token

    def read(self, owner: str, token: str, part: str = "file") -> bytes | None:
        """The part kept under ``token``, or None: unknown, expired or someone else's."""
        path = self._path(token, part)
        if path is None or not path.exists() or time.time() - path.stat().st_mtime > self.ttl_s:
            return None
        try:
            payload = decrypt_field(path.read_text(encoding="ascii"), self.keys,
                                    context=f"upload:{owner}:{token}:{part}")
        except (DecryptionError, ValueError):
            return None  # another person's token decrypts to nothing
        return base64.b64decode(payload or "")

    def read_json(self, owner: str, token: str, part: str) -> Any:
        raw = self.read(owner, token, part)
        return None if raw is None else json.loads(raw)

    def write_json(self, owner: str, token: str, part: str, value: Any) -> None:
        self._write(token, part, owner, json.dumps(value, ensure_ascii=False).encode())

    def drop(self, token: str, part: str = "file") -> None:
        path = self._path(token, part)
        if path is not None:
            path.unlink(missing_ok=True)

    def purge(self) -> None:
        if not self.folder.exists():
            return
        for path in self.folder.iterdir():
            if time.time() - path.stat().st_mtime > self.ttl_s:
                path.unlink(missing_ok=True)

    def _write(self, token: str, part: str, owner: str, data: bytes) -> None:
        path = self._path(token, part)
        assert path is not None
        sealed = encrypt_field(base64.b64encode(data).decode(), self.keys,
                               context=f"upload:{owner}:{token}:{part}")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(sealed or "")

    def _path(self, token: str, part: str) -> Path | None:
        if not token or not token.replace("-", "").replace("_", "").isalnum():
            return None
        name = hashlib.sha256(f"{token}:{part}".encode()).hexdigest()[:32]
        return self.folder / name
