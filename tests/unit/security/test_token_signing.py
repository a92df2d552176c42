"""Only the gateway signs: services hold public keys and cannot mint a token."""

import base64
import time

import jwt
import pytest

from shared.auth import Principal, Role, TokenKeys
from shared.auth.revocation import RevocationList
from shared.auth.tokens import AuthError, public_key_of, public_keys_env
from shared.config import ConfigError

GATEWAY = TokenKeys({"k1": "gateway-private-secret-" + "z" * 20}, "k1")
ADMIN = Principal("admin-1", Role.STATION_ADMIN, "500110120")


def test_a_service_verifies_with_the_public_key_but_cannot_sign():
    service = GATEWAY.verifier()
    assert service.keys == {} and service.public_keys == {"k1": public_key_of(GATEWAY.keys["k1"])}
    assert service.verify(GATEWAY.issue(ADMIN)).user_id == "admin-1"
    with pytest.raises(AuthError, match="no signing key"):
        service.issue(ADMIN)


def test_tokens_are_eddsa_and_hs256_forgeries_with_the_public_key_are_refused():
    token = GATEWAY.issue(ADMIN)
    assert jwt.get_unverified_header(token)["alg"] == "EdDSA"
    public = GATEWAY.verifier().public_keys["k1"]
    now = int(time.time())
    forged = jwt.encode({"iss": "shouhu", "typ": "access", "sub": "x", "role": "station_admin",
                         "iat": now, "exp": now + 60, "jti": "j"}, public, algorithm="HS256",
                        headers={"kid": "k1"})
    with pytest.raises(AuthError):
        GATEWAY.verifier().verify(forged)


def test_services_read_only_public_keys_from_the_environment(monkeypatch):
    private = "k1:" + "p" * 40
    monkeypatch.delenv("SHOUHU_AUTH_KEYS", raising=False)
    monkeypatch.setenv("SHOUHU_AUTH_PUBLIC_KEYS", public_keys_env(private))
    service = TokenKeys.from_env(signing=False)
    assert service.keys == {}
    assert len(base64.urlsafe_b64decode(service.public_keys["k1"] + "==")) == 32
    with pytest.raises(ConfigError):
        TokenKeys.from_env(signing=True)  # the gateway needs its private keys
    # a production service given only the private keys refuses to start
    monkeypatch.delenv("SHOUHU_AUTH_PUBLIC_KEYS")
    monkeypatch.setenv("SHOUHU_AUTH_KEYS", private)
    monkeypatch.setenv("SHOUHU_ENV", "production")
    with pytest.raises(ConfigError, match="PUBLIC_KEYS"):
        TokenKeys.from_env(signing=False)


def test_revocation_list_refuses_a_sign_in_and_tokens_older_than_a_cut_off():
    revoked = RevocationList()
    now = int(time.time())
    claims = {"sub": "u1", "sid": "s1", "iat": now - 5}
    assert not revoked.revoked(claims)
    revoked.apply({"user_id": "u1", "session_id": "s1", "not_before": now,
                   "expires_at": now + 900})
    assert revoked.revoked(claims)
    assert not revoked.revoked({**claims, "sid": "s2"})
    revoked.apply({"user_id": "u1", "session_id": "", "not_before": now,
                   "expires_at": now + 900})
    assert revoked.revoked({**claims, "sid": "s2"})
    assert not revoked.revoked({**claims, "sid": "s3", "iat": now + 1})  # signed in again
