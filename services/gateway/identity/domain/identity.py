"""People who use Shouhu: accounts, sign-in rules, sessions and background checks.

Pure rules; the user store and the password hasher are ports (adapters/users.py).
- Sign-in: after ``FREE_FAILURES`` wrong passwords from one address, that address waits
  for a time that doubles with every further failure (capped at an hour), so guessing is
  slow but a stranger elsewhere cannot lock anyone out; past ``ACCOUNT_FREE_FAILURES``
  from anywhere, everyone backs off a little (at most five minutes) on that account.
  Unknown user names are throttled alike, so no answer tells whether a name exists.
- Sessions: short access tokens plus a rotating refresh token; presenting a refresh
  token twice means it was stolen, and the whole family of tokens is revoked.
- Background checks (docs/domain.md rule 12): people who meet children need a clear,
  unexpired check; a match ends their assignments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from zxcvbn import zxcvbn

from shared.auth.principal import Principal, Role
from shared.errors import DomainError, FieldError, Kind

FREE_FAILURES = 5  # per user name and address
BASE_LOCK_S = 30
MAX_LOCK_S = 3600
ACCOUNT_FREE_FAILURES = 20  # per user name, from any address (a distributed guess)
MAX_ACCOUNT_BACKOFF_S = 300
MIN_PASSWORD_CHARS = 10
MIN_STRENGTH = 3  # zxcvbn's score (0–4): 3 is "safely unguessable" online, with lockout
# Common Chinese passwords and their parts, which zxcvbn's English lists miss.
ZH_COMMON = ("woaini", "5201314", "1314520", "aini1314", "woaini1314", "520520", "1314",
             "qq123456", "a123456", "123456a", "abc123", "zhang", "wang", "liu", "chen",
             "yang", "huang", "zhao", "zhou", "sun", "zhu", "guo", "lin", "gao", "luo",
             "iloveyou", "88888888", "666666", "147258369", "159357", "1qaz2wsx", "qazwsx",
             "zxcvbnm", "shouhu", "admin")
CHECK_VALID_DAYS = 365  # a clear check is renewed yearly unless it states its own expiry
MATCH_END_WORKING_DAYS = 30  # a match ends the engagement within 30 working days (rule 12)
# Roles that meet children on home visits, patrols or cases (docs/domain.md rule 12).
NEEDS_CHECK = frozenset({Role.STATION_ADMIN, Role.CHILD_SUPERVISOR, Role.CHILD_DIRECTOR,
                         Role.PATROL_MEMBER, Role.SCHOOL_LIAISON})


class IdentityError(DomainError):
    """Base of the identity errors (each kind becomes an HTTP status in shared/web.py)."""

    kind = Kind.INVALID


class InvalidCredentials(IdentityError):
    """Wrong user name or password (never says which)."""

    kind = Kind.UNAUTHORIZED


class AccountLocked(IdentityError):
    kind = Kind.TOO_MANY
    retry_after_s = 60

    def __init__(self, until: datetime):
        super().__init__(f"account locked until {until.isoformat(timespec='seconds')}")
        self.until = until


class InvalidRefreshToken(IdentityError):
    """Unknown, expired, revoked or reused refresh token."""

    kind = Kind.UNAUTHORIZED


class InvalidUser(FieldError, IdentityError):
    """A user that cannot be stored; ``field`` names what is wrong."""


class UnknownUser(IdentityError):
    """No such user in the administrator's scope."""

    kind = Kind.NOT_FOUND


class OutOfScope(IdentityError):
    """The administrator may not manage users of that place."""

    kind = Kind.FORBIDDEN


@dataclass(frozen=True)
class BackgroundCheck:
    checked_on: date
    result: str  # "clear" | "match"
    expires_on: date | None = None

    def __post_init__(self) -> None:
        if self.result not in ("clear", "match"):
            raise InvalidUser("result", "must be 'clear' or 'match'")
        if self.expires_on is not None and self.expires_on <= self.checked_on:
            raise InvalidUser("expires_on", "must be after checked_on")

    @property
    def valid_until(self) -> date:
        return self.expires_on or self.checked_on + timedelta(days=CHECK_VALID_DAYS)


@dataclass(frozen=True)
class CheckStatus:
    valid: bool
    reason: str  # ok | not_required | missing | expired | match | not_yet_valid
    valid_until: date | None = None

    def __bool__(self) -> bool:
        return self.valid


@dataclass(frozen=True)
class User:
    user_id: str
    username: str
    role: Role
    township_code: str = ""
    village_codes: frozenset[str] = frozenset()
    active: bool = True
    password_hash: str = ""
    failed_logins: int = 0
    locked_until: datetime | None = None
    checks: tuple[BackgroundCheck, ...] = field(default_factory=tuple)
    unit: str = ""  # a liaison's own unit, e.g. its school (shared/access.py relations)

    def principal(self) -> Principal:
        return Principal(self.user_id, self.role, self.township_code, self.village_codes,
                         self.unit)


REASONS_ZH = {"missing": "无从业查询记录", "expired": "从业查询已过期",
              "match": "从业查询发现违法犯罪记录", "not_yet_valid": "从业查询日期在后",
              "unknown_user": "无此人员"}


def valid_background_check(user: User, on_date: date) -> CheckStatus:
    """May this person work in their role on ``on_date`` (roles that meet children)?"""
    if user.role not in NEEDS_CHECK:
        return CheckStatus(True, "not_required")
    return contact_check(user, on_date)


def contact_check(user: User, on_date: date) -> CheckStatus:
    """May this person be assigned to close contact with children (a patrol team, a
    child's director, home visits) on ``on_date``, whatever their role?"""
    if any(c.result == "match" for c in user.checks):
        return CheckStatus(False, "match")
    current = [c for c in user.checks if c.checked_on <= on_date]
    if not current:
        return CheckStatus(False, "not_yet_valid" if user.checks else "missing")
    latest = max(current, key=lambda c: c.checked_on)
    if latest.valid_until < on_date:
        return CheckStatus(False, "expired", latest.valid_until)
    return CheckStatus(True, "ok", latest.valid_until)


def working_days_after(start: date, days: int) -> date:
    """``days`` working days (Monday–Friday) after ``start``; public holidays are not
    known to the system, so the station may have a little longer than this date."""
    day, left = start, days
    while left:
        day += timedelta(days=1)
        left -= day.weekday() < 5
    return day


def check_standing(user: User, on_date: date) -> dict[str, object]:
    """What the other services need to know after a check was recorded: until when the
    person may work with children (None: not at all) and, on a match, the end date."""
    status = contact_check(user, on_date)
    matched = status.reason == "match"
    match_day = max((c.checked_on for c in user.checks if c.result == "match"),
                    default=on_date)
    return {"result": "match" if matched else "clear",
            "valid_until": status.valid_until if status else None,
            "end_by": working_days_after(match_day, MATCH_END_WORKING_DAYS) if matched
            else None}


def blocked_users(users: Iterable[User], on_date: date) -> list[tuple[User, CheckStatus]]:
    """The station's report: active people who may not be assigned, and why."""
    statuses = ((u, valid_background_check(u, on_date)) for u in users if u.active)
    return [(u, s) for u, s in statuses if not s]


def lock_until(failures: int, now: datetime, free: int = FREE_FAILURES,
               cap_s: int = MAX_LOCK_S) -> datetime | None:
    """When sign-in opens again after ``failures`` in a row (``free`` ones cost nothing)."""
    if failures < free:
        return None
    seconds = min(BASE_LOCK_S * 2 ** min(failures - free, 20), cap_s)
    return now + timedelta(seconds=seconds)


def account_backoff(failures: int, now: datetime) -> datetime | None:
    """The whole account's short backoff after many failures from anywhere."""
    return lock_until(failures, now, ACCOUNT_FREE_FAILURES, MAX_ACCOUNT_BACKOFF_S)


def check_new_user(admin: Principal, user: User) -> None:
    """Refuse an account outside the administrator's own township or with bad scope."""
    if len(user.username) < 3 or not user.username.replace(".", "").replace("_", "").isalnum():
        raise InvalidUser("username", "3 or more letters, digits, '.' or '_'")
    if user.township_code and len(user.township_code) != 9:
        raise InvalidUser("township_code", "must be a 9-digit township code")
    for code in user.village_codes:
        if len(code) != 12 or not code.startswith(user.township_code):
            raise InvalidUser("village_codes", f"{code} is not a village of the township")
    if user.role is Role.CHILD_DIRECTOR and not user.village_codes:
        raise InvalidUser("village_codes", "a child director serves named villages")
    may_manage(admin, user)


def may_manage(admin: Principal, user: User) -> None:
    if admin.township_code and user.township_code != admin.township_code:
        raise OutOfScope(f"user {user.username} is outside township {admin.township_code}")


def check_password(password: str, username: str) -> None:
    """Long enough, without the user name, and not guessable: zxcvbn's lists of common
    passwords, words and keyboard patterns, plus common Chinese ones (``ZH_COMMON``)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidUser("password", f"至少 {MIN_PASSWORD_CHARS} 个字符 at least "
                                      f"{MIN_PASSWORD_CHARS} characters")
    if username.lower() in password.lower():
        raise InvalidUser("password", "不能包含用户名 must not contain the user name")
    if zxcvbn(password[:100], user_inputs=[username, *ZH_COMMON])["score"] < MIN_STRENGTH:
        raise InvalidUser("password", "密码太常见或太容易猜到，请换一个（如几个词组成的短句） "
                                      "too common or easy to guess: try a short phrase")


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...
    def needs_rehash(self, password_hash: str) -> bool: ...
    def burn(self, password: str) -> None: ...


class LoginThrottle(Protocol):
    """Failures by key (``name|address``, and ``name`` for unknown names)."""

    def until(self, key: str) -> datetime | None: ...
    def failed(self, key: str, now: datetime, free: int, cap_s: int) -> None: ...
    def clear(self, key: str) -> None: ...


class UserRepository(Protocol):
    def by_username(self, username: str) -> User | None: ...
    def record_failure(self, user_id: str, failures: int, locked_until: datetime | None
                       ) -> None: ...
    def record_success(self, user_id: str, new_hash: str | None) -> None: ...


def authenticate(repo: UserRepository, hasher: PasswordHasher, throttle: LoginThrottle,
                 username: str, password: str, address: str, now: datetime) -> User:
    """Check a password with backoff; unknown names and wrong passwords, locked or not,
    get the same answers."""
    name = username.strip().lower()
    pair = f"{name}|{address}"
    user = repo.by_username(username)
    waits = [throttle.until(pair), user.locked_until if user else throttle.until(name)]
    until = max((w for w in waits if w is not None and w > now), default=None)
    if until is not None:
        raise AccountLocked(until)
    if user is None or not hasher.verify(user.password_hash, password) or not user.active:
        if user is None:
            hasher.burn(password)  # as slow as a real check: timing reveals no user names
            throttle.failed(name, now, ACCOUNT_FREE_FAILURES, MAX_ACCOUNT_BACKOFF_S)
        else:
            failures = user.failed_logins + 1
            repo.record_failure(user.user_id, failures, account_backoff(failures, now))
        throttle.failed(pair, now, FREE_FAILURES, MAX_LOCK_S)
        raise InvalidCredentials("wrong user name or password")
    throttle.clear(pair)
    rehash = hasher.hash(password) if hasher.needs_rehash(user.password_hash) else None
    repo.record_success(user.user_id, rehash)
    return user


@dataclass(frozen=True)
class RefreshToken:
    token_hash: str
    user_id: str
    family_id: str
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


def check_refresh(token: RefreshToken | None, now: datetime) -> RefreshToken:
    """The token if it may be exchanged; reuse is reported so the family is revoked."""
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise InvalidRefreshToken("sign in again")
    if token.used_at is not None:
        raise RefreshReused(token.family_id, token.user_id)
    return token


class RefreshReused(InvalidRefreshToken):
    def __init__(self, family_id: str, user_id: str):
        super().__init__("refresh token reused; all sessions of this sign-in are ended")
        self.family_id, self.user_id = family_id, user_id
