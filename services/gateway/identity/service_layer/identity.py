"""Use cases of identity: sign in, refresh, sign out, manage users, background checks.

Every ended session is also published (``gateway.session.revoked.v1``, outbox, same
transaction) so that the other services refuse its access tokens within seconds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from services.gateway.identity.adapters.users import Argon2Hasher, MemoryThrottle, UserStore
from services.gateway.identity.domain import identity as domain
from services.gateway.identity.domain.identity import BackgroundCheck, CheckStatus, User
from shared.auth.principal import Principal, Role
from shared.auth.tokens import LEEWAY_S, TokenKeys
from shared.clock import business_date
from shared.events import default_catalogue
from shared.messaging import outbox


@dataclass(frozen=True)
class Session:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User
    session_id: str = ""  # the sign-in (refresh family) its tokens name as ``sid``


@dataclass
class IdentityService:
    engine: Engine
    keys: TokenKeys
    hasher: Argon2Hasher
    source: str  # the CloudEvents source of its events (the gateway's, from bootstrap)
    refresh_ttl: timedelta = timedelta(hours=12)
    throttle: MemoryThrottle = field(default_factory=MemoryThrottle)

    def _session(self, store: UserStore, user: User, family_id: str | None = None) -> Session:
        family_id = family_id or str(uuid.uuid4())
        raw = store.new_refresh(user.user_id, self.refresh_ttl, family_id)
        check = domain.contact_check(user, business_date(_now()))
        access = self.keys.issue(user.principal(), sid=family_id,
                                 check_until=check.valid_until if check else None)
        return Session(access, raw, self.keys.ttl_s, user, family_id)

    def _announce(self, conn: Connection, user_id: str, session_id: str = "",
                  not_before: int | None = None) -> None:
        """Tell every service (outbox, this transaction) that these tokens are revoked."""
        now = int(_now().timestamp())
        outbox.record(conn, default_catalogue(), "gateway.session.revoked.v1", {
            "user_id": user_id, "session_id": session_id,
            "not_before": not_before or now + 1,
            "expires_at": now + self.keys.ttl_s + LEEWAY_S}, source=self.source)

    def login(self, username: str, password: str, address: str = "") -> Session:
        with self.engine.begin() as conn:  # a failure's counter must commit too
            store = UserStore(conn)
            try:
                user = domain.authenticate(store, self.hasher, self.throttle, username,
                                           password, address, _now())
            except domain.IdentityError as exc:
                failure = exc
            else:
                return self._session(store, user)
        raise failure

    def refresh(self, raw: str) -> Session:
        with self.engine.begin() as conn:
            store = UserStore(conn)
            try:
                token = domain.check_refresh(store.refresh_token(raw), _now())
            except domain.RefreshReused as exc:
                store.revoke_family(exc.family_id)  # the stolen pair's access tokens too
                self._announce(conn, exc.user_id, exc.family_id)
                failure: domain.IdentityError = exc
            except domain.InvalidRefreshToken as exc:
                failure = exc
            else:
                user = store.get(token.user_id)
                if user is None or not user.active:
                    raise domain.InvalidRefreshToken("sign in again")
                store.mark_used(token.token_hash)
                return self._session(store, user, token.family_id)
        raise failure

    def logout(self, claims: dict[str, Any], refresh_raw: str | None) -> None:
        """End this sign-in: its access tokens and refresh tokens, whichever client
        (cookie or JSON) holds them, and a refresh token sent along if it is another."""
        with self.engine.begin() as conn:
            store = UserStore(conn)
            store.deny(claims["jti"], int(claims["exp"]))
            families = {claims.get("sid", "")}
            token = store.refresh_token(refresh_raw) if refresh_raw else None
            if token is not None and token.user_id == claims["sub"]:
                families.add(token.family_id)
            for family_id in sorted(families - {""}):
                store.revoke_family(family_id)
                self._announce(conn, claims["sub"], family_id)

    def create_user(self, admin: Principal, username: str, password: str, role: Role,
                    township_code: str, village_codes: frozenset[str],
                    unit: str = "") -> User:
        user = User(str(uuid.uuid4()), username, role, township_code, village_codes,
                    unit=unit)
        domain.check_new_user(admin, user)
        domain.check_password(password, username)
        user = replace(user, password_hash=self.hasher.hash(password))
        with self.engine.begin() as conn:
            store = UserStore(conn)
            if store.by_username(username) is not None:
                raise domain.InvalidUser("username", "already taken")
            store.add(user)
        return user

    def _managed(self, store: UserStore, admin: Principal, user_id: str) -> User:
        user = store.get(user_id)
        if user is None:
            raise domain.UnknownUser(user_id)
        try:
            domain.may_manage(admin, user)
        except domain.OutOfScope as exc:
            raise domain.UnknownUser(user_id) from exc  # outside scope reads as absent
        return user

    def get_user(self, admin: Principal, user_id: str) -> User:
        with self.engine.connect() as conn:
            return self._managed(UserStore(conn), admin, user_id)

    def list_users(self, admin: Principal) -> list[User]:
        with self.engine.connect() as conn:
            return UserStore(conn).all(admin.township_code)

    def me(self, principal: Principal) -> User:
        with self.engine.connect() as conn:
            user = UserStore(conn).get(principal.user_id)
        return user or User(principal.user_id, principal.user_id, principal.role,
                            principal.township_code, principal.village_codes)

    def update_user(self, admin: Principal, user_id: str, changes: dict[str, Any]) -> User:
        """Change role, scope or activity; any such change ends the user's sessions."""
        with self.engine.begin() as conn:
            store = UserStore(conn)
            user = self._managed(store, admin, user_id)
            if "password" in changes:
                domain.check_password(changes["password"], user.username)
                changes["password_hash"] = self.hasher.hash(changes.pop("password"))
            candidate = replace(user, **{k: v for k, v in changes.items()
                                         if k in ("role", "village_codes", "active", "unit")})
            domain.check_new_user(admin, candidate)
            store.update(user_id, **changes)
            self._end_all(conn, store, user_id)
            return self._managed(store, admin, user_id)

    def _end_all(self, conn: Connection, store: UserStore, user_id: str) -> None:
        self._announce(conn, user_id, not_before=store.revoke_user_sessions(user_id))

    def end_sessions(self, admin: Principal, user_id: str) -> None:
        with self.engine.begin() as conn:
            store = UserStore(conn)
            self._managed(store, admin, user_id)
            self._end_all(conn, store, user_id)

    def record_check(self, admin: Principal, user_id: str, check: BackgroundCheck
                     ) -> CheckStatus:
        """Record a check and tell every service (``gateway.staff_check.recorded.v1``);
        a match ends the person's sessions at once and the station is notified."""
        today = business_date(_now())
        with self.engine.begin() as conn:
            store = UserStore(conn)
            self._managed(store, admin, user_id)
            store.add_check(user_id, check, admin.user_id)
            user = store.get(user_id)
            assert user is not None
            standing = domain.check_standing(user, today)
            outbox.record(conn, default_catalogue(), "gateway.staff_check.recorded.v1", {
                "user_id": user_id, "township_code": user.township_code,
                "village_code": min(user.village_codes, default=""),
                "checked_on": check.checked_on.isoformat(),
                **{k: v.isoformat() if isinstance(v, date) else v
                   for k, v in standing.items()}}, source=self.source)
            if standing["result"] == "match":
                self._end_all(conn, store, user_id)
        return domain.valid_background_check(user, today)

    def check_status(self, user_id: str, on_date: date) -> CheckStatus:
        """For the planner: may this person be assigned to a patrol or visit that day?"""
        with self.engine.connect() as conn:
            user = UserStore(conn).get(user_id)
        if user is None:
            return CheckStatus(False, "missing")
        return domain.valid_background_check(user, on_date)

    def blocked(self, admin: Principal, on_date: date) -> list[tuple[User, CheckStatus]]:
        return domain.blocked_users(self.list_users(admin), on_date)


def _now() -> datetime:
    return datetime.now(UTC)
