"""Event consumer: apply each event once, commit offsets only after the effect.

For every message: decode the CloudEvent, validate its data against the catalogue,
then in one database transaction record the event id in the inbox and run the
handler. A redelivered event finds its id in the inbox and changes nothing. Offsets
are committed after the batch's transactions committed. What cannot be decoded or
applied goes to ``<group>.dlq`` with headers saying why; the database being away is
retried with backoff instead, since the event itself is fine. A schema problem (a
missing table) is neither: the consumer stops and its process ends non-zero
(``shared.messaging.failures``), rather than dead-lettering every event.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata
from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from shared.events.catalogue import Catalogue, PayloadError, UnknownEventType
from shared.events.envelope import CloudEvent, EnvelopeError
from shared.messaging.failures import is_transient
from shared.messaging.handlers import Handler
from shared.messaging.kafka import consumer as make_consumer
from shared.messaging.kafka import ensure_topics, producer
from shared.messaging.tables import INBOX

log = logging.getLogger(__name__)


class PermanentError(Exception):
    """A handler's verdict that this event can never be applied (goes to the DLQ)."""


@dataclass(frozen=True)
class ConsumerConfig:
    bootstrap: str
    group: str
    topics: list[str]  # logical names, without prefix
    topic_prefix: str = ""
    partitions: int = 3
    replication: int = 1
    max_attempts: int = 3  # for unexpected handler errors, before dead-lettering

    @property
    def dlq_topic(self) -> str:
        return f"{self.topic_prefix}{self.group}.dlq"


class EventConsumer:
    def __init__(
        self,
        config: ConsumerConfig,
        engine: Engine,
        catalogue: Catalogue,
        handlers: Mapping[str, Handler],
    ):
        self.config = config
        self.engine = engine
        self.catalogue = catalogue
        self.handlers = dict(handlers)
        self.stop = threading.Event()
        self._dlq: KafkaProducer | None = None

    # -- applying events ---------------------------------------------------------
    def decode(self, raw: bytes | None) -> CloudEvent | None:
        """The validated event, or None when this group has no handler for its type.

        Raises EnvelopeError/PayloadError/PermanentError: the message is a dead letter.
        """
        if raw is None:
            raise EnvelopeError("empty message value")
        event = CloudEvent.from_json(raw)
        if event.type not in self.handlers:
            return None  # topics carry types this group does not care about
        try:
            data = self.catalogue.validate(event.type, event.data)
        except UnknownEventType as exc:
            raise PermanentError(f"event type {event.type} is not in the catalogue") from exc
        return CloudEvent(type=event.type, source=event.source, subject=event.subject,
                          data=data, id=event.id, time=event.time)

    def apply(self, conn: Connection, event: CloudEvent) -> str:
        """Record the event id and run its handler in ``conn``'s transaction."""
        seen = conn.execute(
            select(INBOX.c.event_id).where(
                INBOX.c.consumer_group == self.config.group, INBOX.c.event_id == event.id)
        ).first()
        if seen:
            return "duplicate"
        conn.execute(insert(INBOX), {"consumer_group": self.config.group,
                                     "event_id": event.id, "applied_at": datetime.now(UTC)})
        self.handlers[event.type](conn, event)
        return "applied"

    def handle(self, raw: bytes | None) -> str:
        """Decode and apply one message: 'applied', 'duplicate' or 'ignored'."""
        event = self.decode(raw)
        if event is None:
            return "ignored"
        with self.engine.begin() as conn:
            return self.apply(conn, event)

    def _handle_batch(self, messages: list[Any]) -> None:
        """Apply a poll's messages in one transaction (one commit, not one per event);
        if anything in it fails, apply them one by one under the error policy."""
        decoded: list[tuple[Any, CloudEvent]] = []
        for msg in messages:
            try:
                event = self.decode(msg.value)
            except _DEAD_LETTERS as exc:
                self._dead_letter(msg, exc, 1)
                continue
            if event is not None:
                decoded.append((msg, event))
        if not decoded:
            return
        try:
            with self.engine.begin() as conn:
                for _msg, event in decoded:
                    self.apply(conn, event)
            return
        except Exception:  # noqa: BLE001 - retried one by one below, with the policy
            log.info("batch of %d failed; applying one by one", len(decoded))
        for msg, event in decoded:
            self._handle_with_policy(msg, event)
            if self.stop.is_set():
                raise _Stopping()

    def _handle_with_policy(self, msg: Any, event: CloudEvent) -> None:
        where = f"{msg.topic}[{msg.partition}]@{msg.offset}"
        attempt = 0
        backoff = 0.2
        while True:
            attempt += 1
            try:
                with self.engine.begin() as conn:
                    self.apply(conn, event)
                return
            except PermanentError as exc:
                log.warning("dead-lettering %s: %s", where, type(exc).__name__)
                self._dead_letter(msg, exc, attempt)
                return
            except Exception as exc:  # noqa: BLE001 - the error policy decides
                if is_transient(exc):
                    log.warning("database away while applying %s; retry in %.1fs", where,
                                backoff)
                elif isinstance(exc, OperationalError | ProgrammingError):
                    log.critical("cannot apply %s: the database schema is wrong (%s); "
                                 "stopping", where, type(exc).__name__)
                    raise
                elif attempt >= self.config.max_attempts:
                    log.exception("giving up on %s after %d attempts", where, attempt)
                    self._dead_letter(msg, exc, attempt)
                    return
                else:
                    log.warning("error applying %s (%s), attempt %d", where,
                                type(exc).__name__, attempt)
            if self.stop.wait(backoff):
                raise _Stopping()
            backoff = min(backoff * 2, 5.0)

    def _dead_letter(self, msg: Any, exc: BaseException, attempts: int) -> None:
        if self._dlq is None:
            ensure_topics(self.config.bootstrap, [self.config.dlq_topic],
                          self.config.partitions, self.config.replication)
            self._dlq = producer(self.config.bootstrap, f"{self.config.group}-dlq")
        headers = [
            ("dlq.original.topic", msg.topic.encode()),
            ("dlq.original.partition", str(msg.partition).encode()),
            ("dlq.original.offset", str(msg.offset).encode()),
            ("dlq.error.class", type(exc).__name__.encode()),
            ("dlq.error.reason", str(exc)[:500].encode()),
            ("dlq.attempts", str(attempts).encode()),
        ]
        self._dlq.send(self.config.dlq_topic, key=msg.key, value=msg.value or b"",
                       headers=headers).get(timeout=30)

    # -- the loop ----------------------------------------------------------------
    def run(self, ready: threading.Event | None = None) -> None:
        """Consume until ``stop`` is set; reconnects when the broker goes away."""
        topics = [self.config.topic_prefix + t for t in self.config.topics]
        while not self.stop.is_set():
            try:
                ensure_topics(self.config.bootstrap, topics, self.config.partitions,
                              self.config.replication)
                kc = make_consumer(self.config.bootstrap, self.config.group, self.config.group)
            except (KafkaError, OSError) as exc:
                log.warning("consumer %s: broker unavailable (%s)", self.config.group,
                            type(exc).__name__)
                self.stop.wait(1.0)
                continue
            try:
                kc.subscribe(topics)
                self._loop(kc, ready)
            except _Stopping:
                pass
            except (KafkaError, OSError) as exc:
                log.warning("consumer %s: lost the broker (%s); reconnecting",
                            self.config.group, type(exc).__name__)
                self.stop.wait(1.0)
            finally:
                try:
                    kc.close(autocommit=False)
                except Exception:  # noqa: BLE001
                    log.debug("consumer close failed", exc_info=True)
        if self._dlq is not None:
            self._dlq.close(timeout=2)

    def _loop(self, kc: Any, ready: threading.Event | None) -> None:
        while not self.stop.is_set():
            batch = kc.poll(timeout_ms=200)
            if ready is not None and kc.assignment():
                ready.set()
            for tp, messages in batch.items():
                self._handle_batch(messages)
                kc.commit({tp: OffsetAndMetadata(messages[-1].offset + 1, "", -1)})
                if self.stop.is_set():
                    return

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT finish the current message, commit, then close."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop.set())


class _Stopping(Exception):
    pass


_DEAD_LETTERS = (EnvelopeError, PayloadError, PermanentError)

