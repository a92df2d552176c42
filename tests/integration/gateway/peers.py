"""The registry and the notifier as the gateway's pages reach them: their real apps on
real HTTP ports, signing keys shared with the gateway tests. Between them the events
go by hand (``relay``): the Kafka hop is the end-to-end tests' part."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from gw_helpers import KEYS
from sqlalchemy import select, update
from werkzeug.serving import make_server

from infra.broker import free_port
from services.notifier.bootstrap import Notifier
from services.registry.adapters.tables import outbox
from services.registry.bootstrap import Registry
from shared.events.envelope import CloudEvent
from tests.integration.registry.reg_helpers import make_settings

DIRECTOR_ID = "director-1"  # the login whose inbox the directory entry feeds
DIRECTORY = f"""people:
  - {{person_id: village-director, role: child_director, scope_code: "500110120201",
     user_id: {DIRECTOR_ID}, contacts: {{}}}}
"""


class Served:
    """A WSGI app on a free local port, in a thread, until ``stop``."""

    def __init__(self, app: Flask):
        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def registry(database_url: str) -> Registry:
    from services.registry.bootstrap import bootstrap

    return bootstrap(replace(make_settings(database_url), keys=KEYS))


def notifier(tmp: Path, monkeypatch: pytest.MonkeyPatch, directory: str = DIRECTORY,
             awake: bool = False) -> Notifier:
    """The default rules and templates, a directory (by default of one child director),
    no channel but the inbox (nothing configured). ``awake``: the default rules without
    their quiet hours, so a non-urgent message is delivered whatever the hour."""
    from services.notifier.bootstrap import bootstrap
    from services.notifier.config import HERE, Settings

    (tmp / "directory.yaml").write_text(directory)
    if awake:
        rules = (HERE / "rules" / "default.yaml").read_text(encoding="utf-8")
        (tmp / "rules.yaml").write_text(re.sub(r"(?m)^quiet_hours:.*$", "", rules),
                                        encoding="utf-8")
        monkeypatch.setenv("SHOUHU_NOTIFIER_RULES", str(tmp / "rules.yaml"))
    monkeypatch.setenv("SHOUHU_AUTH_KEYS", "k1:" + KEYS.keys["k1"])
    monkeypatch.setenv("SHOUHU_NOTIFIER_DATABASE_URL", f"sqlite:///{tmp / 'notifier.db'}")
    monkeypatch.setenv("SHOUHU_NOTIFIER_DIRECTORY", str(tmp / "directory.yaml"))
    return bootstrap(Settings.from_env(), rules_check_s=0)


def published(registry: Registry, unsent_only: bool = False) -> list[CloudEvent]:
    """The registry's events in its outbox (``unsent_only``: and marks them sent)."""
    with registry.engine.begin() as conn:
        where = outbox.c.sent_at.is_(None) if unsent_only else outbox.c.seq > 0
        rows = list(conn.execute(select(outbox).where(where).order_by(outbox.c.seq)))
        if unsent_only:
            conn.execute(update(outbox).values(sent_at=datetime.now(UTC)))
    return [CloudEvent.from_json(row.payload) for row in rows]


def relay(registry: Registry, notifier: Notifier) -> int:
    """The registry's unsent events to the notifier's handler, then one dispatch round
    (an inbox delivery is 'sent' when dispatched); returns how many events."""
    from services.notifier.service_layer.handlers import handle_event

    events = published(registry, unsent_only=True)
    for event in events:
        with notifier.uow() as uow:
            handle_event(uow, notifier.rules.current(), event, datetime.now(UTC))
    notifier.dispatcher().run_once()
    return len(events)
