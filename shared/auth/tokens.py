"""Short-lived signed tokens (JWT, HS256) with key rotation by key id (``kid``).

Keys come from configuration: ``SHOUHU_AUTH_KEYS="kid1:secret1,kid2:secret2"`` and
``SHOUHU_AUTH_ACTIVE_KID``. New tokens are signed with the active key; tokens signed
with any listed key verify, so a key can be rotated without logging everyone out.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass

import jwt

from shared.auth.principal import Principal, Role
from shared.config import ConfigError


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
        return cls(keys, active, int(os.environ.get("SHOUHU_AUTH_TOKEN_TTL_S", "900")))

    def issue(self, principal: Principal, ttl_s: int | None = None) -> str:
        now = int(time.time())
        claims = {
            "sub": principal.user_id, "role": principal.role.value,
            "twp": principal.township_code, "vil": sorted(principal.village_codes),
            "iat": now, "exp": now + (ttl_s or self.ttl_s), "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self.keys[self.active_kid], algorithm="HS256",
                          headers={"kid": self.active_kid})

    def verify(self, token: str) -> Principal:
        try:
            kid = jwt.get_unverified_header(token).get("kid", "")
            key = self.keys[kid]
            claims = jwt.decode(token, key, algorithms=["HS256"],
                                options={"require": ["exp", "iat", "sub"]})
            return Principal(user_id=claims["sub"], role=Role(claims["role"]),
                             township_code=claims.get("twp", ""),
                             village_codes=frozenset(claims.get("vil", [])))
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            raise AuthError("invalid or expired token") from exc
