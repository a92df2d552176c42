"""Rebuilding the read model from the topics: clear it, replay every consumed topic
from the beginning, and report a digest of the result.

The source must be whole: a topic whose first events were dropped (retention) is
refused. The live worker's inbox is cleared with the model and refilled by the replay,
so events republished later (``shouhu replay``, an outbox refilling a new broker) are
applied rather than dropped as seen. Fewer events than the model held before is
reported (``missing``): the broker did not have them all, e.g. a fresh embedded
broker the outboxes are still refilling.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine, delete, func, select

from services.gateway.config import Settings
from services.gateway.read_model.adapters.read_model_store import ReadModelStore
from services.gateway.read_model.adapters.topic_replay import replay, truncated
from services.gateway.read_model.service_layer.projector import Projector
from shared.events import Catalogue
from shared.events.catalogue import PayloadError
from shared.events.envelope import EnvelopeError
from shared.messaging.consumer import ConsumerConfig, EventConsumer, PermanentError
from shared.messaging.handlers import Handler
from shared.messaging.tables import INBOX

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RebuildReport:
    group: str
    messages: int
    skipped: int
    digest: str
    missing: int = 0  # events the model had applied that the topics no longer gave


class Wiring(Protocol):
    """What a rebuild needs of the worker's wiring (bootstrap's ``Gateway`` has it)."""
    settings: Settings
    engine: Engine
    catalogue: Catalogue
    projector: Projector

    def handlers(self) -> dict[str, Handler]: ...


class IncompleteSource(Exception):
    """The topics no longer hold every event: a rebuild would lose data."""


def rebuild(gateway: Wiring, timeout_s: float = 600.0, force: bool = False) -> RebuildReport:
    """Replay into ``gateway``'s database. Stop the gateway worker first: it keeps the
    overlay's index in memory and must reload it from the rebuilt tables."""
    common = gateway.settings.common
    handlers = gateway.handlers()
    topics = sorted({gateway.catalogue.spec(t).topic for t in handlers})
    gone = truncated(common.bootstrap_servers, [common.topic_prefix + t for t in topics])
    if gone and not force:
        raise IncompleteSource(f"the topics no longer hold their first events ({', '.join(gone)})"
                               "; a rebuild would lose them")
    group = f"gateway-rebuild-{uuid.uuid4().hex[:8]}"
    # events are recorded under the live worker's group: it must not apply them again
    consumer = EventConsumer(ConsumerConfig(common.bootstrap_servers, common.service, topics,
                                            common.topic_prefix), gateway.engine,
                             gateway.catalogue, handlers)
    mine = INBOX.c.consumer_group == common.service
    with gateway.engine.begin() as conn:
        before = conn.execute(select(func.count()).select_from(INBOX).where(mine)).scalar() or 0
        ReadModelStore(conn).clear()
        conn.execute(delete(INBOX).where(mine))
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
        after = conn.execute(select(func.count()).select_from(INBOX).where(mine)).scalar() or 0
    log.info("rebuilt the gateway read model from %d message(s) as %s", n, group)
    return RebuildReport(group, n, skipped, digest, max(before - after, 0))
