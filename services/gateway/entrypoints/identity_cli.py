"""``shouhu users …`` and ``shouhu keys …``: accounts and key management from a shell.

- ``shouhu users add NAME --role R --township T [--village V …]`` (password from
  ``SHOUHU_NEW_PASSWORD`` or generated and printed once);
- ``shouhu users demo`` creates one account per role for the demo township;
- ``shouhu keys new`` prints a fresh field key; ``shouhu keys rotate SERVICE``
  re-encrypts a service's encrypted columns under the active key;
- ``shouhu keys public`` prints ``SHOUHU_AUTH_PUBLIC_KEYS`` for the services from the
  gateway's ``SHOUHU_AUTH_KEYS`` (the services never get the private keys).
"""

from __future__ import annotations

import argparse
import importlib
import os
import secrets
from datetime import date

from shared.auth.principal import Principal, Role

DEMO_TOWNSHIP = "500110120"
DEMO_VILLAGE = "500110120201"
ENCRYPTING_SERVICES = ("registry", "hazards", "notifier", "gateway")
_SYSTEM = Principal("cli", Role.STATION_ADMIN)  # a shell on the server is an administrator


def seed_demo_users(service, township: str = DEMO_TOWNSHIP,  # type: ignore[no-untyped-def]
                    village: str = DEMO_VILLAGE) -> list[tuple[str, Role, str]]:
    """One account per role (``demo.<role>``) with a random password and, for roles that
    meet children, an invented clear background check of today; returns (username, role,
    password) for the accounts created now (existing ones are kept)."""
    from services.gateway.domain.identity import NEEDS_CHECK, BackgroundCheck, InvalidUser

    created = []
    for role in Role:
        username = f"demo.{role.value}"
        password = secrets.token_urlsafe(12)
        villages = frozenset({village}) if role is Role.CHILD_DIRECTOR else frozenset()
        try:
            user = service.create_user(_SYSTEM, username, password, role, township, villages)
        except InvalidUser:
            continue  # already there
        if role in NEEDS_CHECK:
            service.record_check(_SYSTEM, user.user_id, BackgroundCheck(date.today(), "clear"))
        created.append((username, role, password))
    return created


def _service():  # type: ignore[no-untyped-def]
    from services.gateway.bootstrap import bootstrap
    from services.gateway.service_layer.identity import IdentityService

    gateway = bootstrap()
    return IdentityService.from_env(gateway.engine, gateway.settings.keys)


def cmd_users_add(args: argparse.Namespace) -> None:
    password = os.environ.get("SHOUHU_NEW_PASSWORD") or secrets.token_urlsafe(12)
    user = _service().create_user(_SYSTEM, args.username, password, Role(args.role),
                                  args.township, frozenset(args.village))
    print(f"created {user.username} ({user.role}) id={user.user_id}")
    if not os.environ.get("SHOUHU_NEW_PASSWORD"):
        print(f"password (shown once): {password}")


def cmd_users_demo(args: argparse.Namespace) -> None:
    for username, role, password in seed_demo_users(_service(), args.township, args.village):
        print(f"{username:28} {role.value:18} {password}")


def cmd_keys_new(_args: argparse.Namespace) -> None:
    from shared.crypto import new_key

    print(new_key())


def cmd_keys_public(_args: argparse.Namespace) -> None:
    from shared.auth.tokens import public_keys_env

    print(public_keys_env(os.environ.get("SHOUHU_AUTH_KEYS", "")))


def cmd_keys_rotate(args: argparse.Namespace) -> None:
    from shared.crypto import reencrypt_metadata
    from shared.db import make_engine

    for service in args.service or ENCRYPTING_SERVICES:
        settings = importlib.import_module(f"services.{service}.config").Settings.from_env()
        metadata = importlib.import_module(f"services.{service}.adapters.tables").metadata
        with make_engine(settings.common.database_url).begin() as conn:
            counts = reencrypt_metadata(conn, metadata)
        print(f"{service}: re-encrypted under the active key: "
              f"{counts or 'no encrypted columns'}")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    users = sub.add_parser("users", help="gateway accounts").add_subparsers(required=True)
    add = users.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--township", default="")
    add.add_argument("--village", action="append", default=[])
    add.set_defaults(func=cmd_users_add)
    demo = users.add_parser("demo", help="one account per role for the demo township")
    demo.add_argument("--township", default=DEMO_TOWNSHIP)
    demo.add_argument("--village", default=DEMO_VILLAGE)
    demo.set_defaults(func=cmd_users_demo)

    keys = sub.add_parser("keys", help="field-encryption and token keys").add_subparsers(
        required=True)
    keys.add_parser("new", help="print a new random field key").set_defaults(func=cmd_keys_new)
    keys.add_parser("public", help="the token verification keys for the services"
                    ).set_defaults(func=cmd_keys_public)
    rot = keys.add_parser("rotate", help="re-encrypt fields under the active key")
    rot.add_argument("service", nargs="*", choices=ENCRYPTING_SERVICES,
                     help="default: every service (each keeps encrypted columns)")
    rot.set_defaults(func=cmd_keys_rotate)
