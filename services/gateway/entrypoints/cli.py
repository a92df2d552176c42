"""``shouhu gateway rebuild``: the read model again, from the topics alone."""

from __future__ import annotations

import argparse
import sys

from services.gateway.bootstrap import bootstrap
from services.gateway.read_model.service_layer.rebuild import IncompleteSource, rebuild


def cmd_rebuild(args: argparse.Namespace) -> None:
    try:
        report = rebuild(bootstrap(database_url=args.database_url), args.timeout, args.force)
    except IncompleteSource as exc:
        raise SystemExit(f"refused: {exc}. --force rebuilds from what is left.") from exc
    print(f"replayed {report.messages} message(s) as {report.group}; "
          f"skipped {report.skipped}; digest {report.digest}")
    if report.missing:
        print(f"WARNING: the read model had applied {report.missing} event(s) more than the "
              "topics gave now; they arrive when their producers republish them (a fresh "
              "embedded broker is refilled from the outboxes: see `shouhu status`, or "
              "`shouhu replay <service>`).", file=sys.stderr)


def register(sub: argparse._SubParsersAction) -> None:
    gw = sub.add_parser("gateway", help="gateway maintenance").add_subparsers(required=True)
    rb = gw.add_parser("rebuild", help="replay all topics into a fresh read model "
                                       "(stop the gateway worker first)")
    rb.add_argument("--database-url", default=None,
                    help="rebuild into this database instead of the configured one")
    rb.add_argument("--timeout", type=float, default=600.0, help="seconds")
    rb.add_argument("--force", action="store_true",
                    help="rebuild even though the topics lost their first events")
    rb.set_defaults(func=cmd_rebuild)
