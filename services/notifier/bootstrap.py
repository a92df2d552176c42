"""The one place that picks the notifier's concrete adapters."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from services.notifier.adapters import yaml_lines
from services.notifier.adapters.channels import Channel
from services.notifier.adapters.channels.email import SmtpEmail
from services.notifier.adapters.channels.sms import AliyunSms
from services.notifier.adapters.channels.webhook import DingTalkRobot, SignedWebhook, WeComRobot
from services.notifier.adapters.rules_file import RulesSource
from services.notifier.adapters.templates import Templates
from services.notifier.config import Settings
from services.notifier.domain.directory import parse_directory
from services.notifier.domain.exceptions import RulesError
from services.notifier.service_layer.dispatch import DispatchConfig, Dispatcher
from services.notifier.service_layer.handlers import HANDLERS, ROUTED, Incoming
from services.notifier.service_layer.unit_of_work import SOURCE, NotifierUnitOfWork
from shared.db import make_engine, migrate
from shared.events import Catalogue, default_catalogue
from shared.messaging.handlers import Handler, bind

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"
log = logging.getLogger(__name__)


@dataclass
class Notifier:
    settings: Settings
    engine: Engine
    catalogue: Catalogue
    rules: RulesSource
    templates: Templates

    def uow(self) -> NotifierUnitOfWork:
        return NotifierUnitOfWork(self.engine, self.catalogue, SOURCE, self.configured())

    def handlers(self) -> dict[str, Handler]:
        """The consumer's handlers: ``HANDLERS`` on a unit of work in its transaction,
        with the rules in force when the event arrives."""
        return bind(HANDLERS, self._incoming)

    def _incoming(self, conn: Connection) -> nullcontext[Incoming]:
        uow = NotifierUnitOfWork.on_connection(conn, self.catalogue, SOURCE,
                                               channels=self.configured())
        return nullcontext(Incoming(uow, self.rules.current(), datetime.now(UTC)))

    def configured(self) -> frozenset[str]:
        """Channels with credentials; routing offers only these (and the inbox)."""
        s = self.settings
        return frozenset(name for name, ok in (
            ("email", bool(s.smtp.host)), ("webhook", bool(s.webhook_secret)),
            ("wecom", True), ("dingtalk", bool(s.dingtalk_secret)), ("inbox", True),
            ("sms", bool(s.sms.access_key_id and s.sms.access_key_secret))) if ok)

    def channels(self) -> dict[str, Channel]:
        """Clients for the configured channels (the inbox needs none)."""
        s = self.settings
        clients: dict[str, Channel] = {
            "email": SmtpEmail(s.smtp), "webhook": SignedWebhook(s.webhook_secret),
            "wecom": WeComRobot(), "dingtalk": DingTalkRobot(s.dingtalk_secret),
            "sms": AliyunSms(s.sms)}
        return {name: c for name, c in clients.items() if name in self.configured()}

    def dispatcher(self) -> Dispatcher:
        s = self.settings
        return Dispatcher(self.uow, self.rules.current, self.templates, self.channels(),
                          DispatchConfig(s.ack_secret, s.lease_s, s.batch, s.senders))

    def seed_directory(self, path: Path) -> int:
        """Load the directory file into an empty directory (the embedded default)."""
        doc, lines = yaml_lines.load(path.read_text(), path.name)
        try:
            people = parse_directory(doc)
        except RulesError as exc:
            raise yaml_lines.locate(exc, lines, path.name) from exc
        try:
            with self.uow() as uow:
                if uow.directory.everyone():
                    return 0
                for person in people:
                    uow.directory.upsert(person)
        except IntegrityError:  # the API and the worker seeded at the same moment
            return 0
        log.info("directory seeded with %d entries from %s", len(people), path.name)
        return len(people)


def bootstrap(settings: Settings | None = None, *, run_migrations: bool = True,
              rules_check_s: float = 1.0) -> Notifier:
    settings = settings or Settings.from_env()
    if run_migrations:
        migrate(settings.common.database_url, MIGRATIONS)
    templates = Templates.load(settings.gateway_url, settings.public_url)
    notifier = Notifier(settings, make_engine(settings.common.database_url),
                        default_catalogue(),
                        RulesSource(settings.rules_path, set(ROUTED), rules_check_s), templates)
    if settings.directory_path is not None:
        notifier.seed_directory(settings.directory_path)
    return notifier
