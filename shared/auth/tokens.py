"""Short-lived signed tokens (JWT, EdDSA/Ed25519) with key rotation by key id (``kid``).

Only the gateway signs: it holds the private keys, ``SHOUHU_AUTH_KEYS="kid1:secret1,…"``
(each secret seeds an Ed25519 key) and ``SHOUHU_AUTH_ACTIVE_KID``. The other services
verify with the public keys only, ``SHOUHU_AUTH_PUBLIC_KEYS="kid1:base64url,…"``
(``public_keys_env`` prints them), so a compromised service cannot mint a token.
Tokens signed with any listed key verify, so a key can be rotated without logging
everyone out (docs/adr/0505-asymmetric-tokens-and-revocation.md).

Tokens live ``SHOUHU_AUTH_TOKEN_TTL_S`` (15 min); each names its sign-in (``sid``) so
that a sign-out revokes it in every service (``shared.auth.revocation``).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shared.auth.principal import Principal, Role
from shared.config import ConfigError

log = logging.getLogger(__name__)
ISSUER = "shouhu"
ALGORITHM = "EdDSA"
LEEWAY_S = 30  # clock skew tolerated between hosts
MIN_SECRET_CHARS = 32


class AuthError(Exception):
    """The request carries no valid identity."""


@lru_cache(maxsize=64)
def _private(secret: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(secret.encode()).digest())


@lru_cache(maxsize=64)
def _public(encoded: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(encoded + "=="))


def public_key_of(secret: str) -> str:
    """The base64url public key that verifies what ``secret`` signs."""
    raw = _private(secret).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _pairs(raw: str) -> dict[str, str]:
    return dict(p.split(":", 1) for p in raw.split(",") if ":" in p)


def public_keys_env(private_keys: str) -> str:
    """``SHOUHU_AUTH_PUBLIC_KEYS`` for the services, from the gateway's ``SHOUHU_AUTH_KEYS``."""
    return ",".join(f"{kid}:{public_key_of(s)}" for kid, s in _pairs(private_keys).items())


@dataclass(frozen=True)
class TokenKeys:
    keys: dict[str, str]  # kid → private secret: the gateway's only, empty elsewhere
    active_kid: str
    ttl_s: int = 900
    public_keys: dict[str, str] = field(default_factory=dict)  # kid → base64url key

    @classmethod
    def from_env(cls, signing: bool = True) -> TokenKeys:
        """The gateway's keys (``signing``) or a service's public keys only."""
        private = _pairs(os.environ.get("SHOUHU_AUTH_KEYS", ""))
        public = _pairs(os.environ.get("SHOUHU_AUTH_PUBLIC_KEYS", ""))
        production = os.environ.get("SHOUHU_ENV") == "production"
        if signing and not private:
            raise ConfigError("SHOUHU_AUTH_KEYS must list at least one 'kid:secret'")
        if not signing:
            if not public and private and production:
                raise ConfigError("SHOUHU_AUTH_PUBLIC_KEYS must be set: services get the "
                                  "public keys only, never SHOUHU_AUTH_KEYS")
            public = public or {k: public_key_of(s) for k, s in private.items()}
            private = {}
            if not public:
                raise ConfigError("SHOUHU_AUTH_PUBLIC_KEYS must list at least one 'kid:key'")
        known = private or public
        active = os.environ.get("SHOUHU_AUTH_ACTIVE_KID", next(iter(known)))
        if active not in known:
            raise ConfigError(f"SHOUHU_AUTH_ACTIVE_KID={active!r} is not a configured key")
        weak = sorted(k for k, v in private.items() if len(v) < MIN_SECRET_CHARS)
        if weak and production:
            raise ConfigError(f"SHOUHU_AUTH_KEYS: keys {weak} are shorter than "
                              f"{MIN_SECRET_CHARS} characters")
        if weak:
            log.warning("auth keys %s are shorter than %d characters", weak, MIN_SECRET_CHARS)
        return cls(private, active, int(os.environ.get("SHOUHU_AUTH_TOKEN_TTL_S", "900")),
                   public)

    def verifier(self) -> TokenKeys:
        """The same keys without the private parts: what a service may hold."""
        public = {**self.public_keys, **{k: public_key_of(s) for k, s in self.keys.items()}}
        return TokenKeys({}, self.active_kid, self.ttl_s, public)

    def sign(self, claims: dict[str, Any]) -> str:
        if self.active_kid not in self.keys:
            raise AuthError("this service holds no signing key")
        return jwt.encode(claims, _private(self.keys[self.active_kid]), algorithm=ALGORITHM,
                          headers={"kid": self.active_kid})

    def decode(self, token: str, typ: str, require: list[str]) -> dict[str, Any]:
        """Verified claims of a token of type ``typ``, or AuthError."""
        try:
            kid = jwt.get_unverified_header(token).get("kid", "")
            key = (_public(self.public_keys[kid]) if kid in self.public_keys
                   else _private(self.keys[kid]).public_key())
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER,
                                leeway=LEEWAY_S, options={"require": require})
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
            raise AuthError("invalid or expired token") from exc
        if claims.get("typ") != typ:
            raise AuthError(f"not an {typ} token")
        return claims

    def issue(self, principal: Principal, ttl_s: int | None = None, sid: str = "",
              check_until: date | None = None) -> str:
        """``check_until``: the last day the person's background check lets them work
        with children (``chk``; none: they may not), from the gateway's identity store."""
        now = int(time.time())
        return self.sign({
            "iss": ISSUER, "typ": "access",
            "sub": principal.user_id, "role": principal.role.value,
            "twp": principal.township_code, "vil": sorted(principal.village_codes),
            **({"unit": principal.unit} if principal.unit else {}),
            "iat": now, "exp": now + (ttl_s or self.ttl_s), "jti": uuid.uuid4().hex,
            "sid": sid or uuid.uuid4().hex,
            "chk": check_until.isoformat() if check_until else "",
        })

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims (signature, expiry, issuer, type), or AuthError."""
        claims = self.decode(token, "access", ["exp", "iat", "sub", "jti", "iss"])
        try:
            Role(claims["role"])
        except (KeyError, ValueError) as exc:
            raise AuthError("invalid or expired token") from exc
        return claims

    def verify(self, token: str) -> Principal:
        return principal_from_claims(self.claims(token))


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    return Principal(user_id=claims["sub"], role=Role(claims["role"]),
                     township_code=claims.get("twp", ""),
                     village_codes=frozenset(claims.get("vil", [])),
                     unit=str(claims.get("unit", "")))
