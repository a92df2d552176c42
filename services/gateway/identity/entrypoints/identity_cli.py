"""``shouhu users …``: accounts from a shell (keys: ``infra/keys_cli.py``).

- ``shouhu users add NAME --role R --township T [--village V …]`` (password from
  ``SHOUHU_NEW_PASSWORD`` or generated and printed once);
- ``shouhu users demo`` makes one account per role for the demo township and prints
  each with a new password (a rerun resets them).
"""

from __future__ import annotations

import argparse
import os
import secrets
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TypeVar

from shared.auth.principal import Principal, Role

DEMO_TOWNSHIP = "500110120"
DEMO_VILLAGE = "500110120201"
DEMO_SCHOOL = "扶欢镇中心小学"  # the demo school liaison's school (infra/demogen/geography.py)
_SYSTEM = Principal("cli", Role.STATION_ADMIN)  # a shell on the server is an administrator
T = TypeVar("T")


def seed_demo_users(service, township: str = DEMO_TOWNSHIP,
                    village: str = DEMO_VILLAGE) -> list[tuple[str, Role, str]]:
    """One account per role (``demo.<role>``) with a fresh random password; returns
    (username, role, password) for every role. An account that exists (an earlier run)
    gets the new password, so a rerun always prints passwords that work; roles that meet
    children get an invented clear background check; a busy database is waited out
    (``_retrying``)."""
    from services.gateway.identity.domain.identity import NEEDS_CHECK, BackgroundCheck

    admin = Principal("cli", Role.STATION_ADMIN, township)
    existing = {u.username: u.user_id for u in _retrying(partial(service.list_users, admin))}
    accounts = []
    for role in Role:
        username = f"demo.{role.value}"
        password = secrets.token_urlsafe(12)
        villages = frozenset({village}) if role is Role.CHILD_DIRECTOR else frozenset()
        if username in existing:
            _retrying(partial(service.update_user, admin, existing[username],
                              {"password": password, "active": True}))
            user_id = existing[username]
        else:
            unit = DEMO_SCHOOL if role is Role.SCHOOL_LIAISON else ""
            user_id = _retrying(partial(service.create_user, _SYSTEM, username, password,
                                        role, township, villages, unit)).user_id
        if role in NEEDS_CHECK and not service.check_status(user_id, date.today()):
            # an invented clear check: demo patrols and directors may meet children
            _retrying(partial(service.record_check, _SYSTEM, user_id,
                              BackgroundCheck(date.today(), "clear")))
        accounts.append((username, role, password))
    return accounts


def _retrying(call: Callable[[], T], attempts: int = 8) -> T:
    """``call`` again while the database is busy (SQLite locked by a seeding writer)."""
    from sqlalchemy.exc import DBAPIError

    from shared.messaging.failures import is_transient

    attempt = 0
    while True:
        attempt += 1
        try:
            return call()
        except DBAPIError as exc:
            if attempt >= attempts or not is_transient(exc):
                raise
            time.sleep(0.25 * 2 ** attempt)


def _service():
    from services.gateway.bootstrap import bootstrap

    return bootstrap().identity


def cmd_users_add(args: argparse.Namespace) -> None:
    password = os.environ.get("SHOUHU_NEW_PASSWORD") or secrets.token_urlsafe(12)
    user = _service().create_user(_SYSTEM, args.username, password, Role(args.role),
                                  args.township, frozenset(args.village), args.unit)
    print(f"created {user.username} ({user.role}) id={user.user_id}")
    if not os.environ.get("SHOUHU_NEW_PASSWORD"):
        print(f"password (shown once): {password}")


def cmd_users_demo(args: argparse.Namespace) -> None:
    for username, role, password in seed_demo_users(_service(), args.township, args.village):
        print(f"{username:28} {role.value:18} {password}")


def register(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="gateway accounts").add_subparsers(required=True)
    add = users.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--township", default="")
    add.add_argument("--village", action="append", default=[])
    add.add_argument("--unit", default="", help="a school liaison's school")
    add.set_defaults(func=cmd_users_add)
    demo = users.add_parser("demo", help="one account per role for the demo township")
    demo.add_argument("--township", default=DEMO_TOWNSHIP)
    demo.add_argument("--village", default=DEMO_VILLAGE)
    demo.set_defaults(func=cmd_users_demo)

