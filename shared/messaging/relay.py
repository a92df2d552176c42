"""Outbox relay: publishes stored events in order and marks them sent.

Only the elected leader of a service's relays publishes (``leader.RelayLeadership``),
so several relay processes never publish the same row concurrently and one
aggregate's events keep their order. No database transaction is held while talking
to the broker: rows are read, published and flushed with ``acks='all'``, then marked
sent in a short transaction. A crash in between means the batch is sent again, which
consumers absorb through their inbox.

The outbox is also the durable log (ADR 0008): before each batch the relay asks the
broker for its cluster id. A broker it has never filled (the embedded broker keeps
events in memory and gets a new id at every start) is given every retained event
again, in order, before anything new; consumers drop what they already applied.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaError
from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import DBAPIError

from shared.messaging.failures import is_transient
from shared.messaging.kafka import ensure_topics, producer
from shared.messaging.leader import RelayLeadership
from shared.messaging.tables import INBOX, OUTBOX

log = logging.getLogger(__name__)

# The inbox rows under this name are the brokers (cluster ids) this service's relay has
# filled with its whole outbox: the relay "applied" that broker.
BROKERS_FILLED = "relay.brokers"

class OutboxRelay:
    def __init__(
        self,
        engine: Engine,
        bootstrap: str,
        *,
        topic_prefix: str = "",
        topics: list[str] | None = None,
        partitions: int = 3,
        replication: int = 1,
        batch_size: int = 500,
        retention: timedelta | None = timedelta(days=7),
        client_id: str = "relay",
    ):
        self.engine = engine
        self.bootstrap = bootstrap
        self.prefix = topic_prefix
        self.topics = topics or []
        self.partitions = partitions
        self.replication = replication
        self.batch_size = batch_size
        self.retention = retention
        self.client_id = client_id
        self._producer: KafkaProducer | None = None
        self._admin: KafkaAdminClient | None = None
        self._filled: str | None = None  # cluster id of the broker known to hold the log
        self._checked_at = 0.0
        self.check_s = 2.0
        self.leadership = RelayLeadership(engine)

    def _connect(self) -> tuple[KafkaProducer, KafkaAdminClient]:
        if self._producer is None or self._admin is None:
            ensure_topics(
                self.bootstrap, [self.prefix + t for t in self.topics],
                self.partitions, self.replication,
            )
            self._admin = KafkaAdminClient(bootstrap_servers=self.bootstrap,
                                           client_id=f"{self.client_id}-admin",
                                           request_timeout_ms=10_000)
            self._producer = producer(self.bootstrap, self.client_id)
        return self._producer, self._admin

    def _drop_producer(self) -> None:
        for client in (self._producer, self._admin):
            if client is None:
                continue
            try:
                client.close()
            except Exception:  # noqa: BLE001 - closing a broken client must not raise
                log.debug("kafka client close failed", exc_info=True)
        self._producer = self._admin = None
        self._filled = None

    def _unsent(self) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(
                select(OUTBOX.c.seq, OUTBOX.c.topic, OUTBOX.c.key, OUTBOX.c.payload)
                .where(OUTBOX.c.sent_at.is_(None))
                .order_by(OUTBOX.c.seq)
                .limit(self.batch_size)
            ).all())

    def _ensure_filled(self, admin: KafkaAdminClient) -> bool:
        """Give a broker this service has never filled every retained event again;
        True when rows were marked unsent for it."""
        cluster = _cluster_id(admin)
        self._checked_at = time.monotonic()
        if cluster == self._filled:
            return False
        marked = 0
        with self.engine.begin() as conn:
            if not _seen(conn, cluster):
                marked = conn.execute(update(OUTBOX).where(OUTBOX.c.sent_at.is_not(None))
                                      .values(sent_at=None)).rowcount or 0
                conn.execute(insert(INBOX), {"consumer_group": BROKERS_FILLED,
                                             "event_id": cluster,
                                             "applied_at": datetime.now(UTC)})
                log.warning("relay: broker %s is new; republishing %d stored event(s)",
                            cluster, marked)
        self._filled = cluster
        return marked > 0

    def publish_batch(self) -> int:
        """Publish up to ``batch_size`` unsent rows; return how many were sent."""
        if not self.leadership.acquire():
            return 0
        prod, admin = self._connect()
        rows = self._unsent()
        # before anything goes out, and every few seconds while idle: is it still the
        # broker that holds the log?
        stale = time.monotonic() - self._checked_at > self.check_s
        if (rows or stale) and self._ensure_filled(admin):
            rows = self._unsent()
        if not rows:
            return 0
        headers = [("content-type", b"application/cloudevents+json")]
        futures = [
            prod.send(self.prefix + r.topic, key=r.key.encode(), value=r.payload.encode(),
                      headers=headers)
            for r in rows
        ]
        prod.flush(timeout=30)
        for f in futures:
            f.get(timeout=30)  # raises if any send failed: the batch stays unsent
        if _cluster_id(admin) != self._filled:
            raise _BrokerReplaced()  # it went during the batch: start again, in order
        with self.engine.begin() as conn:
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.seq.in_([r.seq for r in rows]))
                .values(sent_at=datetime.now(UTC))
            )
        return len(rows)

    def purge(self) -> int:
        """Delete sent rows older than the retention period, and inbox rows a day older
        still: a replay republishes only what the outboxes keep, so an event id older
        than that can no longer come back and its inbox row no longer matters. With no
        retention (the embedded default, where the outbox is the only durable log and is
        re-published into a new broker) both are kept: the inbox dedupes that re-run."""
        if self.retention is None:
            return 0
        cutoff = datetime.now(UTC) - self.retention
        with self.engine.begin() as conn:
            res = conn.execute(
                delete(OUTBOX).where(OUTBOX.c.sent_at.is_not(None), OUTBOX.c.sent_at < cutoff)
            )
            conn.execute(delete(INBOX).where(INBOX.c.applied_at < cutoff - timedelta(days=1),
                                             INBOX.c.consumer_group != BROKERS_FILLED))
        return res.rowcount or 0

    def run(self, stop: threading.Event, idle_s: float = 0.05) -> None:
        """Publish until ``stop`` is set, backing off while the broker is away."""
        backoff = 0.5
        last_purge = 0.0
        while not stop.is_set():
            try:
                sent = self.publish_batch()
                backoff = 0.5
            except (KafkaError, OSError, _BrokerReplaced) as exc:
                log.warning("relay: broker unavailable (%s); retrying in %.1fs",
                            type(exc).__name__, backoff)
                self._drop_producer()
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            except DBAPIError as exc:
                if not is_transient(exc):
                    raise  # a schema problem: the worker stops loudly
                log.warning("relay: database busy or away (%s); retrying in %.1fs",
                            type(exc).__name__, backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            if time.monotonic() - last_purge > 3600:
                self.purge()
                last_purge = time.monotonic()
            if not sent:
                stop.wait(idle_s)
        self._drop_producer()
        self.leadership.release()


class _BrokerReplaced(Exception):
    """The broker's cluster id changed while a batch was being sent."""


def _cluster_id(admin: KafkaAdminClient) -> str:
    return str(admin.describe_cluster()["cluster_id"])[:36]


def _seen(conn: Connection, cluster: str) -> bool:
    return conn.execute(select(INBOX.c.event_id).where(
        INBOX.c.consumer_group == BROKERS_FILLED, INBOX.c.event_id == cluster)).first() is not None


def mark_for_replay(engine: Engine, since: datetime, until: datetime) -> int:
    """Mark events created in [since, until) unsent so the relay publishes them again."""
    with engine.begin() as conn:
        res = conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.created_at >= since, OUTBOX.c.created_at < until)
            .values(sent_at=None)
        )
    return res.rowcount or 0
