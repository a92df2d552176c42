"""Rebuilding the read model from the topics: clear it, replay every consumed topic
from the beginning under a fresh consumer group, and report a digest of the result."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from services.gateway.adapters.read_model_store import ReadModelStore
from services.gateway.adapters.topic_replay import replay
from services.gateway.bootstrap import Gateway
from shared.events.catalogue import PayloadError
from shared.events.envelope import EnvelopeError
from shared.messaging.consumer import ConsumerConfig, EventConsumer, PermanentError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RebuildReport:
    group: str
    messages: int
    skipped: int
    digest: str


def rebuild(gateway: Gateway, timeout_s: float = 600.0) -> RebuildReport:
    """Replay into ``gateway``'s database. Stop the gateway worker first: it keeps the
    overlay's index in memory and must reload it from the rebuilt tables."""
    common = gateway.settings.common
    handlers = gateway.projector.handlers()
    topics = sorted({gateway.catalogue.spec(t).topic for t in handlers})
    group = f"gateway-rebuild-{uuid.uuid4().hex[:8]}"
    consumer = EventConsumer(ConsumerConfig(common.bootstrap_servers, group, topics,
                                            common.topic_prefix), gateway.engine,
                             gateway.catalogue, handlers)
    with gateway.engine.begin() as conn:
        ReadModelStore(conn).clear()
    gateway.projector.invalidate()
    skipped = 0

    def apply(raw: bytes | None) -> None:
        nonlocal skipped
        try:
            consumer.handle(raw)
        except (EnvelopeError, PayloadError, PermanentError) as exc:
            skipped += 1  # went to the dead-letter topic the first time round too
            log.warning("rebuild skipped a message: %s", type(exc).__name__)

    n = replay(common.bootstrap_servers, [common.topic_prefix + t for t in topics], apply,
               timeout_s)
    with gateway.engine.connect() as conn:
        digest = ReadModelStore(conn).digest()
    log.info("rebuilt the gateway read model from %d message(s) as group %s", n, group)
    return RebuildReport(group, n, skipped, digest)
