"""``shouhu demo generate``: write demo data at township, county or province scale;
``shouhu demo fix-tasks``: the demo's fix-task history (infra/demo_fix_tasks.py)."""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path


def cmd_generate(args: argparse.Namespace) -> None:
    from infra.demogen import generate

    started = time.monotonic()
    manifest = generate(args.scale, args.seed, Path(args.out),
                        date.fromisoformat(args.as_of) if args.as_of else date.today())
    counts = ", ".join(f"{v} {k}" for k, v in manifest.get("counts", {}).items())
    print(f"{args.scale} (seed {args.seed}) → {args.out}: {counts} "
          f"in {time.monotonic() - started:.1f} s")


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="demo data").add_subparsers(required=True)
    gen = demo.add_parser("generate", help="write a deterministic demo data set")
    gen.add_argument("--scale", choices=("township", "county", "province"), default="township")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--out", default="demo-data")
    gen.add_argument("--as-of", help="reference date YYYY-MM-DD (default today); the same "
                                     "seed and date give the same bytes")
    gen.set_defaults(func=cmd_generate)
    fix = demo.add_parser("fix-tasks", help="replay the demo's fix tasks (hazards settings)")
    fix.add_argument("file", help="JSON: {tasks: infra.demogen.fix_tasks script, users}")
    fix.set_defaults(func=_fix_tasks)


def _fix_tasks(args: argparse.Namespace) -> None:
    from infra.demo_fix_tasks import cmd_fix_tasks

    cmd_fix_tasks(args)
