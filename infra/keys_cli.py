"""``shouhu keys …``: field-encryption and token keys, from a shell on the server.

- ``shouhu keys new`` prints a fresh field key;
- ``shouhu keys rotate SERVICE`` re-encrypts a service's encrypted columns under the
  active key;
- ``shouhu keys public`` prints ``SHOUHU_AUTH_PUBLIC_KEYS`` for the services from the
  gateway's ``SHOUHU_AUTH_KEYS`` (the services never get the private keys).

Rotation opens every service's database, so it lives here in the composition layer,
the one package allowed to import every service (ADR 0407).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from sqlalchemy import MetaData


def _registry() -> tuple[str, MetaData]:
    from services.registry.adapters.tables import metadata
    from services.registry.config import Settings

    return Settings.from_env().common.database_url, metadata


def _hazards() -> tuple[str, MetaData]:
    from services.hazards.adapters.tables import metadata
    from services.hazards.config import Settings

    return Settings.from_env().common.database_url, metadata


def _notifier() -> tuple[str, MetaData]:
    from services.notifier.adapters.tables import metadata
    from services.notifier.config import Settings

    return Settings.from_env().common.database_url, metadata


def _gateway() -> tuple[str, MetaData]:
    from services.gateway.adapters.tables import metadata
    from services.gateway.config import Settings

    return Settings.from_env().common.database_url, metadata


# each service's database and tables, imported only when that service is rotated
DATABASES: dict[str, Callable[[], tuple[str, MetaData]]] = {
    "registry": _registry, "hazards": _hazards, "notifier": _notifier, "gateway": _gateway}
ENCRYPTING_SERVICES = tuple(DATABASES)


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
        url, metadata = DATABASES[service]()
        with make_engine(url).begin() as conn:
            counts = reencrypt_metadata(conn, metadata)
        print(f"{service}: re-encrypted under the active key: "
              f"{counts or 'no encrypted columns'}")


def register(sub: argparse._SubParsersAction) -> None:
    keys = sub.add_parser("keys", help="field-encryption and token keys").add_subparsers(
        required=True)
    keys.add_parser("new", help="print a new random field key").set_defaults(func=cmd_keys_new)
    keys.add_parser("public", help="the token verification keys for the services"
                    ).set_defaults(func=cmd_keys_public)
    rot = keys.add_parser("rotate", help="re-encrypt fields under the active key")
    rot.add_argument("service", nargs="*", choices=ENCRYPTING_SERVICES,
                     help="default: every service (each keeps encrypted columns)")
    rot.set_defaults(func=cmd_keys_rotate)
