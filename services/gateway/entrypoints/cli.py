"""``shouhu gateway rebuild``: the read model again, from the topics alone."""

from __future__ import annotations

import argparse

from services.gateway.bootstrap import bootstrap
from services.gateway.service_layer.rebuild import rebuild


def cmd_rebuild(args: argparse.Namespace) -> None:
    report = rebuild(bootstrap(database_url=args.database_url), args.timeout)
    print(f"replayed {report.messages} message(s) as {report.group}; "
          f"skipped {report.skipped}; digest {report.digest}")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    gw = sub.add_parser("gateway", help="gateway maintenance").add_subparsers(required=True)
    rb = gw.add_parser("rebuild", help="replay all topics into a fresh read model "
                                       "(stop the gateway worker first)")
    rb.add_argument("--database-url", default=None,
                    help="rebuild into this database instead of the configured one")
    rb.add_argument("--timeout", type=float, default=600.0, help="seconds")
    rb.set_defaults(func=cmd_rebuild)
