"""Outbox relay: publishes stored events in order and marks them sent.

Only the elected leader of a service's relays publishes (``leader.RelayLeadership``),
so several relay processes never publish the same row concurrently and one
aggregate's events keep their order. No database transaction is held while talking
to the broker: rows are read, published and flushed with ``acks='all'``, then marked
sent in a short transaction. A crash in between means the batch is sent again, which
consumers absorb through their inbox.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from kafka import KafkaProducer
from kafka.errors import KafkaError
from sqlalchemy import Engine, delete, select, update

from shared.messaging.kafka import ensure_topics, producer
from shared.messaging.leader import RelayLeadership
from shared.messaging.tables import INBOX, OUTBOX

log = logging.getLogger(__name__)

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
        retention: timedelta = timedelta(days=7),
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
        self.leadership = RelayLeadership(engine)

    def _connect(self) -> KafkaProducer:
        if self._producer is None:
            ensure_topics(
                self.bootstrap, [self.prefix + t for t in self.topics],
                self.partitions, self.replication,
            )
            self._producer = producer(self.bootstrap, self.client_id)
        return self._producer

    def _drop_producer(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=1)
            except Exception:  # noqa: BLE001 - closing a broken client must not raise
                log.debug("producer close failed", exc_info=True)
        self._producer = None

    def publish_batch(self) -> int:
        """Publish up to ``batch_size`` unsent rows; return how many were sent."""
        if not self.leadership.acquire():
            return 0
        prod = self._connect()
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(OUTBOX.c.seq, OUTBOX.c.topic, OUTBOX.c.key, OUTBOX.c.payload)
                .where(OUTBOX.c.sent_at.is_(None))
                .order_by(OUTBOX.c.seq)
                .limit(self.batch_size)
            ).all()
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
        than that can no longer come back and its inbox row no longer matters."""
        cutoff = datetime.now(UTC) - self.retention
        with self.engine.begin() as conn:
            res = conn.execute(
                delete(OUTBOX).where(OUTBOX.c.sent_at.is_not(None), OUTBOX.c.sent_at < cutoff)
            )
            conn.execute(delete(INBOX).where(INBOX.c.applied_at < cutoff - timedelta(days=1)))
        return res.rowcount or 0

    def run(self, stop: threading.Event, idle_s: float = 0.05) -> None:
        """Publish until ``stop`` is set, backing off while the broker is away."""
        backoff = 0.5
        last_purge = 0.0
        while not stop.is_set():
            try:
                sent = self.publish_batch()
                backoff = 0.5
            except (KafkaError, OSError) as exc:
                log.warning("relay: broker unavailable (%s); retrying in %.1fs",
                            type(exc).__name__, backoff)
                self._drop_producer()
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


def mark_for_replay(engine: Engine, since: datetime, until: datetime) -> int:
    """Mark events created in [since, until) unsent so the relay publishes them again."""
    with engine.begin() as conn:
        res = conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.created_at >= since, OUTBOX.c.created_at < until)
            .values(sent_at=None)
        )
    return res.rowcount or 0
