"""The gateway's user store: accounts, background checks, refresh tokens, deny-list.

Passwords are argon2id hashes; refresh tokens are kept only as SHA-256 digests, so a
copy of the database signs nobody in. Tables join the gateway's metadata (migration
``0002_sec``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import argon2
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Engine,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)

from services.gateway.adapters.tables import metadata
from services.gateway.identity.domain.identity import (
    BackgroundCheck,
    RefreshToken,
    User,
    lock_until,
)
from shared.auth.principal import Role
from shared.db import UTCDateTime, reader

users = Table(
    "users", metadata,
    Column("user_id", String(36), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("role", String(32), nullable=False),
    Column("township_code", String(9), nullable=False),
    Column("village_codes", Text, nullable=False),  # JSON list
    Column("unit", String(200), nullable=False, server_default=""),  # a liaison's school
    Column("active", Boolean, nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", UTCDateTime),
    Column("tokens_valid_after", Integer, nullable=False),  # epoch s: older tokens revoked
    Column("created_at", UTCDateTime, nullable=False),
)

background_checks = Table(
    "background_checks", metadata,
    Column("check_id", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.user_id"), nullable=False, index=True),
    Column("checked_on", Date, nullable=False),
    Column("result", String(10), nullable=False),
    Column("expires_on", Date),
    Column("recorded_by", String(64), nullable=False),
)

refresh_tokens = Table(
    "refresh_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(36), nullable=False, index=True),
    Column("family_id", String(36), nullable=False, index=True),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
)

revoked_tokens = Table(
    "revoked_tokens", metadata,
    Column("jti", String(64), primary_key=True),
    Column("expires_at", Integer, nullable=False),  # epoch s, then the row can go
)


class Argon2Hasher:
    """argon2id with the library's current parameters; old hashes upgrade at sign-in."""

    def __init__(self, parameters: argon2.Parameters | None = None) -> None:
        """``parameters``: the library's default unless a test asks for a cheap profile."""
        self._ph = (argon2.PasswordHasher.from_parameters(parameters) if parameters
                    else argon2.PasswordHasher())
        self._dummy = self._ph.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._ph.verify(password_hash, password)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._ph.check_needs_rehash(password_hash)

    def burn(self, password: str) -> None:
        self.verify(self._dummy, password)


class UserStore:
    """Repository over one connection (the caller owns the transaction)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, user: User) -> None:
        self.conn.execute(insert(users).values(
            user_id=user.user_id, username=user.username, role=user.role.value,
            township_code=user.township_code, village_codes=json.dumps(sorted(user.village_codes)),
            active=user.active, password_hash=user.password_hash, failed_logins=0,
            tokens_valid_after=0, created_at=datetime.now(UTC), unit=user.unit))

    def _user(self, row: Any) -> User:
        checks = self.conn.execute(select(background_checks).where(
            background_checks.c.user_id == row.user_id)).all()
        return User(
            user_id=row.user_id, username=row.username, role=Role(row.role),
            township_code=row.township_code, village_codes=frozenset(json.loads(row.village_codes)),
            active=row.active, password_hash=row.password_hash, failed_logins=row.failed_logins,
            locked_until=row.locked_until, unit=row.unit,
            checks=tuple(BackgroundCheck(c.checked_on, c.result, c.expires_on) for c in checks))

    def get(self, user_id: str) -> User | None:
        row = self.conn.execute(select(users).where(users.c.user_id == user_id)).first()
        return self._user(row) if row else None

    def by_username(self, username: str) -> User | None:
        row = self.conn.execute(select(users).where(users.c.username == username)).first()
        return self._user(row) if row else None

    def all(self, township_code: str = "") -> list[User]:
        query = select(users).order_by(users.c.username)
        if township_code:
            query = query.where(users.c.township_code == township_code)
        return [self._user(r) for r in self.conn.execute(query).all()]

    def record_failure(self, user_id: str, failures: int, locked_until: datetime | None) -> None:
        self.conn.execute(update(users).where(users.c.user_id == user_id).values(
            failed_logins=failures, locked_until=locked_until))

    def record_success(self, user_id: str, new_hash: str | None) -> None:
        values: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
        if new_hash:
            values["password_hash"] = new_hash
        self.conn.execute(update(users).where(users.c.user_id == user_id).values(**values))

    def update(self, user_id: str, **values: Any) -> None:
        if "village_codes" in values:
            values["village_codes"] = json.dumps(sorted(values["village_codes"]))
        if "role" in values:
            values["role"] = Role(values["role"]).value
        self.conn.execute(update(users).where(users.c.user_id == user_id).values(**values))

    def add_check(self, user_id: str, check: BackgroundCheck, recorded_by: str) -> None:
        self.conn.execute(insert(background_checks).values(
            check_id=str(uuid.uuid4()), user_id=user_id, checked_on=check.checked_on,
            result=check.result, expires_on=check.expires_on, recorded_by=recorded_by))

    # --- sessions -------------------------------------------------------------------

    def new_refresh(self, user_id: str, ttl: timedelta, family_id: str | None = None) -> str:
        raw = secrets.token_urlsafe(32)
        self.conn.execute(insert(refresh_tokens).values(
            token_hash=digest(raw), user_id=user_id, family_id=family_id or str(uuid.uuid4()),
            expires_at=datetime.now(UTC) + ttl))
        return raw

    def refresh_token(self, raw: str) -> RefreshToken | None:
        row = self.conn.execute(select(refresh_tokens).where(
            refresh_tokens.c.token_hash == digest(raw))).first()
        if row is None:
            return None
        return RefreshToken(row.token_hash, row.user_id, row.family_id,
                            row.expires_at, row.used_at, row.revoked_at)

    def mark_used(self, token_hash: str) -> None:
        self.conn.execute(update(refresh_tokens).where(
            refresh_tokens.c.token_hash == token_hash).values(used_at=datetime.now(UTC)))

    def revoke_family(self, family_id: str) -> None:
        self.conn.execute(update(refresh_tokens).where(
            refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None)
        ).values(revoked_at=datetime.now(UTC)))

    def revoke_user_sessions(self, user_id: str) -> int:
        """Every access token issued until now and every refresh token of the user;
        returns the cut-off (epoch s): tokens issued before it are revoked."""
        now = datetime.now(UTC)
        cut_off = int(now.timestamp()) + 1
        self.conn.execute(update(users).where(users.c.user_id == user_id).values(
            tokens_valid_after=cut_off))
        self.conn.execute(update(refresh_tokens).where(
            refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None)
        ).values(revoked_at=now))
        return cut_off

    def deny(self, jti: str, expires_at: int) -> None:
        now = int(datetime.now(UTC).timestamp())
        self.conn.execute(delete(revoked_tokens).where(revoked_tokens.c.expires_at < now))
        if not self.conn.execute(select(revoked_tokens.c.jti).where(
                revoked_tokens.c.jti == jti)).first():
            self.conn.execute(insert(revoked_tokens).values(jti=jti, expires_at=expires_at))


class MemoryThrottle:
    """Sign-in failures by key in this process (``domain.LoginThrottle``): consecutive
    failures and until when the key waits; bounded, forgetting the longest-quiet keys."""

    def __init__(self, max_keys: int = 50_000) -> None:
        self._keys: dict[str, tuple[int, datetime | None]] = {}
        self._lock = threading.Lock()
        self.max_keys = max_keys

    def until(self, key: str) -> datetime | None:
        with self._lock:
            return self._keys.get(key, (0, None))[1]

    def failed(self, key: str, now: datetime, free: int, cap_s: int) -> None:
        with self._lock:
            failures = self._keys.pop(key, (0, None))[0] + 1
            self._keys[key] = (failures, lock_until(failures, now, free, cap_s))
            while len(self._keys) > self.max_keys:  # oldest insertion first
                self._keys.pop(next(iter(self._keys)))

    def clear(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def revocation_check(engine: Engine):
    """The gateway's deny-list: signed-out tokens, tokens of an ended sign-in (its
    refresh family revoked) and tokens older than a user's last 'end all sessions'."""

    reads = reader(engine)  # every request asks: never queue behind a writer

    def revoked(claims: Mapping[str, Any]) -> bool:
        with reads.connect() as conn:
            if conn.execute(select(revoked_tokens.c.jti).where(
                    revoked_tokens.c.jti == claims["jti"])).first():
                return True
            if claims.get("sid") and conn.execute(select(refresh_tokens.c.family_id).where(
                    refresh_tokens.c.family_id == claims["sid"],
                    refresh_tokens.c.revoked_at.is_not(None)).limit(1)).first():
                return True
            after = conn.execute(select(users.c.tokens_valid_after, users.c.active).where(
                users.c.user_id == claims["sub"])).first()
        if after is None:  # a token for an account the gateway does not hold (service, demo)
            return False
        return (not after.active) or claims["iat"] < after.tokens_valid_after

    return revoked

