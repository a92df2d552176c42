"""Short-lived signed tokens (JWT, HS256) with key rotation by key id (``kid``).

Keys come from configuration: ``SHOUHU_AUTH_KEYS="kid1:secret1,kid2:secret2"`` and
``SHOUHU_AUTH_ACTIVE_KID``. New tokens are signed with the active key; tokens signed
with any listed key verify, so a key can be rotated without logging everyone out.

Tokens live ``SHOUHU_AUTH_TOKEN_TTL_S`` (15 min): services verify them offline, so a
revoked session stays usable at most that long outside the gateway, which also checks
its deny-list (docs/adr/0501-token-revocation.md).
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from shared.auth.principal import Principal, Role
from shared.config import ConfigError

log = logging.getLogger(__name__)
ISSUER = "shouhu"
LEEWAY_S = 30  # clock skew tolerated between hosts
MIN_SECRET_CHARS = 32

class AuthError(Exception):
    """The request carries no valid identity."""


@dataclass(frozen=True)
class TokenKeys:
    keys: dict[str, str]
    active_kid: str
    ttl_s: int = 900

    @classmethod
    def from_env(cls) -> TokenKeys:
        raw = os.environ.get("SHOUHU_AUTH_KEYS", "")
        keys = dict(p.split(":", 1) for p in raw.split(",") if ":" in p)
        if not keys:
            raise ConfigError("SHOUHU_AUTH_KEYS must list at least one 'kid:secret'")
        active = os.environ.get("SHOUHU_AUTH_ACTIVE_KID", next(iter(keys)))
        if active not in keys:
            raise ConfigError(f"SHOUHU_AUTH_ACTIVE_KID={active!r} is not in SHOUHU_AUTH_KEYS")
        weak = sorted(k for k, v in keys.items() if len(v) < MIN_SECRET_CHARS)
        if weak and os.environ.get("SHOUHU_ENV") == "production":
            raise ConfigError(f"SHOUHU_AUTH_KEYS: keys {weak} are shorter than "
                              f"{MIN_SECRET_CHARS} characters")
        if weak:
            log.warning("auth keys %s are shorter than %d characters", weak, MIN_SECRET_CHARS)
        return cls(keys, active, int(os.environ.get("SHOUHU_AUTH_TOKEN_TTL_S", "900")))

    def issue(self, principal: Principal, ttl_s: int | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER, "typ": "access",
            "sub": principal.user_id, "role": principal.role.value,
            "twp": principal.township_code, "vil": sorted(principal.village_codes),
            **({"unit": principal.unit} if principal.unit else {}),
            "iat": now, "exp": now + (ttl_s or self.ttl_s), "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self.keys[self.active_kid], algorithm="HS256",
                          headers={"kid": self.active_kid})

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims (signature, expiry, issuer, type), or AuthError."""
        try:
            kid = jwt.get_unverified_header(token).get("kid", "")
            claims = jwt.decode(token, self.keys[kid], algorithms=["HS256"], issuer=ISSUER,
                                leeway=LEEWAY_S,
                                options={"require": ["exp", "iat", "sub", "jti", "iss"]})
            if claims.get("typ") != "access":
                raise AuthError("not an access token")
            Role(claims["role"])
            return claims
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
            raise AuthError("invalid or expired token") from exc

    def verify(self, token: str) -> Principal:
        return principal_from_claims(self.claims(token))


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    return Principal(user_id=claims["sub"], role=Role(claims["role"]),
                     township_code=claims.get("twp", ""),
                     village_codes=frozenset(claims.get("vil", [])),
                     unit=str(claims.get("unit", "")))
