"""``shouhu``: run the embedded stack, serve one process, migrate, replay, status."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import logging
import os
import signal
import sys
import time
from pathlib import Path

from shared.config import data_dir

SERVICES = ("registry", "hazards", "notifier", "gateway")
# Modules that add their own subcommands with ``register(subparsers)``.
PLUGINS = (*(f"services.{s}.entrypoints.cli" for s in SERVICES), "infra.demo_cli",
           "infra.keys_cli", "services.gateway.identity.entrypoints.identity_cli")


def _bootstrap(service: str):
    return importlib.import_module(f"services.{service}.bootstrap")


def cmd_migrate(args: argparse.Namespace) -> None:
    mod = _bootstrap(args.service)
    settings = importlib.import_module(f"services.{args.service}.config").Settings.from_env()
    from shared.db import migrate

    migrate(settings.common.database_url, mod.MIGRATIONS)


def cmd_init(_args: argparse.Namespace) -> None:
    """Production start-up step: migrate every service's database, create all topics."""
    from shared.config import CommonSettings
    from shared.events import default_catalogue
    from shared.messaging.kafka import ensure_topics, keep_forever

    for service in SERVICES:
        cmd_migrate(argparse.Namespace(service=service))
    common = CommonSettings.from_env("gateway")
    topics = [common.topic_prefix + t for t in default_catalogue().topics()]
    ensure_topics(common.bootstrap_servers, topics, common.topic_partitions,
                  common.topic_replication)
    keep_forever(common.bootstrap_servers, topics)  # topics made before ADR 0008 too
    print(f"migrated {len(SERVICES)} databases; {len(topics)} topics present, kept forever")


def cmd_serve(args: argparse.Namespace) -> None:
    if args.role == "worker":
        importlib.import_module(f"services.{args.service}.entrypoints.worker").main()
        return
    settings = importlib.import_module(f"services.{args.service}.config").Settings.from_env()
    workers = os.environ.get("SHOUHU_HTTP_WORKERS", "2")
    os.execvp(sys.executable, [
        sys.executable, "-m", "gunicorn", "--bind",
        f"{os.environ.get('SHOUHU_BIND_HOST', '127.0.0.1')}:{settings.port}",
        "--workers", workers, "--threads", "4", "--access-logfile", "-",
        "--access-logformat", '%(m)s %(U)s %(s)s %(L)ss',  # path only: no query strings
        f"services.{args.service}.entrypoints.api:wsgi()",
    ])


def cmd_up(args: argparse.Namespace) -> None:
    from infra.ports import PortTaken

    logging.getLogger("kafka").setLevel(logging.ERROR)  # the drain check's clients
    from infra.stack import Stack, ports_from_env

    stack = Stack(data_dir=Path(args.data_dir).resolve(), broker_port=args.broker_port,
                  ports=ports_from_env(), say=_say)
    print(f"Starting Shouhu in {stack.data_dir} (logs in {stack.logs}) …", flush=True)
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        stack.start()
        if not args.no_demo:
            from infra.demo import seed

            seed(stack)
        _print_running(stack, args.no_demo)
        signal.signal(signal.SIGINT, _stop)
        while not stopping:
            stack.watch()
            time.sleep(0.5)
    except (RuntimeError, TimeoutError, PortTaken) as exc:
        print(f"\nShouhu did not start: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(1) from exc
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping …", flush=True)
        stack.stop()


def _say(message: str) -> None:
    print(f"  {time.strftime('%H:%M:%S')} {message}", flush=True)


def _print_running(stack, no_demo: bool) -> None:
    gw = stack.url("gateway")
    apis = "  ".join(f"{s} {stack.url(s)}/openapi.json" for s in stack.ports)
    print(f"\nShouhu is running. Sign in at {gw}/login — the phone map is {gw}/map"
          f"\n  OpenAPI: {apis}\n  Logs: {stack.logs}", flush=True)
    if no_demo:
        print("  No users yet: `SHOUHU_DATA_DIR=... shouhu users demo` creates one per role",
              flush=True)
    print("Press Ctrl-C to stop.", flush=True)


def cmd_status(args: argparse.Namespace) -> None:
    from infra.status import print_status

    # the table is the answer: kafka-python's connection chatter (some 25 INFO lines) is not
    logging.getLogger("kafka").setLevel(logging.WARNING)
    print_status(args.bootstrap or _broker_of(data_dir()))


def _broker_of(data: Path) -> str:
    """The broker of the stack ``shouhu up`` runs on ``data``, else the configured one."""
    state = data / "stack.json"
    if "SHOUHU_KAFKA_BOOTSTRAP" not in os.environ and state.exists():
        return f"127.0.0.1:{json.loads(state.read_text())['broker']['port']}"
    return os.environ.get("SHOUHU_KAFKA_BOOTSTRAP", "127.0.0.1:9092")


def cmd_replay(args: argparse.Namespace) -> None:
    from shared.clock import typed_instant
    from shared.db import make_engine
    from shared.messaging.relay import mark_for_replay

    settings = importlib.import_module(f"services.{args.service}.config").Settings.from_env()
    n = mark_for_replay(make_engine(settings.common.database_url),
                        typed_instant(args.since), typed_instant(args.until))
    print(f"{n} event(s) of {args.service} marked for republishing by its relay")


def cmd_asyncapi(_args: argparse.Namespace) -> None:
    from shared.events import default_catalogue
    from shared.events.asyncapi import render

    sys.stdout.write(render(default_catalogue()))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="shouhu", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="run the whole system on the embedded default")
    up.add_argument("--data-dir", default=os.environ.get("SHOUHU_DATA_DIR", "data"))
    up.add_argument("--broker-port", type=int,
                    default=int(os.environ.get("SHOUHU_BROKER_PORT") or 9092))
    up.add_argument("--no-demo", action="store_true", help="do not seed the demo township")
    up.set_defaults(func=cmd_up)

    serve = sub.add_parser("serve", help="run one process of one service")
    serve.add_argument("service", choices=SERVICES)
    serve.add_argument("role", choices=("api", "worker"))
    serve.set_defaults(func=cmd_serve)

    init = sub.add_parser("init", help="migrate every database and create every topic")
    init.set_defaults(func=cmd_init)

    mig = sub.add_parser("migrate", help="bring a service's database to the newest schema")
    mig.add_argument("service", choices=SERVICES)
    mig.set_defaults(func=cmd_migrate)

    st = sub.add_parser("status", help="what runs, and each consumer group's lag")
    st.add_argument("--bootstrap", default=None,
                    help="default: the broker `shouhu up` runs on the data folder")
    st.set_defaults(func=cmd_status)

    rp = sub.add_parser("replay", help="republish a service's events created in a time range")
    rp.add_argument("service", choices=SERVICES)
    rp.add_argument("--since", required=True, help="ISO time, inclusive")
    rp.add_argument("--until", required=True, help="ISO time, exclusive")
    rp.set_defaults(func=cmd_replay)

    ev = sub.add_parser("asyncapi", help="print the event catalogue as AsyncAPI YAML")
    ev.set_defaults(func=cmd_asyncapi)

    for name in PLUGINS:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(sub)
    return p


def use_embedded_keys() -> None:
    """Outside production, every command signs with the data folder's key (made at the
    first ``shouhu up``) unless ``SHOUHU_AUTH_KEYS`` says otherwise; a service process
    given the public keys only (the stack's registry, hazards, notifier) stays so."""
    keys = data_dir() / "auth.keys"
    if (not os.environ.get("SHOUHU_AUTH_KEYS") and os.environ.get("SHOUHU_ENV") != "production"
            and not os.environ.get("SHOUHU_AUTH_PUBLIC_KEYS") and keys.exists()):
        os.environ["SHOUHU_AUTH_KEYS"] = keys.read_text().strip()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=os.environ.get("SHOUHU_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration is noise
    from shared.privacy import install_redaction

    install_redaction()  # workers and CLI commands: no ID or phone numbers in logs
    use_embedded_keys()
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
