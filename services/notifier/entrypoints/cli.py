"""``shouhu notifier …``: check the rules file and preview an event's notifications."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("notifier", help="notifier tools: rules-check, rules-test")
    sub = p.add_subparsers(dest="notifier_command", required=True)
    check = sub.add_parser("rules-check", help="validate a rules file (line and reason)")
    check.add_argument("path", type=Path)
    check.set_defaults(func=cmd_rules_check)
    test = sub.add_parser("rules-test", help="which notifications would this event produce?")
    test.add_argument("event", type=Path, help="a CloudEvent JSON file or {type, data}")
    test.add_argument("--rules", type=Path, help="rules file (default: the configured one)")
    test.add_argument("--at", help="evaluate at this ISO time; without an offset the "
                      "township's time (default: now)")
    test.set_defaults(func=cmd_rules_test)


def cmd_rules_check(args: argparse.Namespace) -> None:
    from services.notifier.adapters.rules_file import parse_text
    from services.notifier.domain.exceptions import RulesError
    from services.notifier.service_layer.handlers import ROUTED

    try:
        rules = parse_text(args.path.read_text(), args.path.name, set(ROUTED))
    except RulesError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    print(f"{args.path}: {len(rules.rules)} rule(s) OK")


def cmd_rules_test(args: argparse.Namespace) -> None:
    from services.notifier.adapters.rules_file import parse_text
    from services.notifier.bootstrap import bootstrap
    from services.notifier.service_layer.handlers import ROUTED, preview
    from shared.clock import typed_instant

    notifier = bootstrap()
    doc = json.loads(args.event.read_text())
    rules = (parse_text(args.rules.read_text(), args.rules.name, set(ROUTED)) if args.rules
             else notifier.rules.current())
    data = notifier.catalogue.validate(doc["type"], doc["data"])
    at = typed_instant(args.at) if args.at else datetime.now(UTC)
    with notifier.uow() as uow:
        plans = preview(uow, rules, doc["type"], data, at)
    print(json.dumps(plans, ensure_ascii=False, indent=2, default=str))
