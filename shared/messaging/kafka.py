"""kafka-python clients configured the one way this project uses them."""

from __future__ import annotations

import contextlib
import logging

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import TopicAlreadyExistsError

log = logging.getLogger(__name__)


def producer(bootstrap: str, client_id: str) -> KafkaProducer:
    """Idempotent producer: acks from all in-sync replicas, no duplicates on retry."""
    return KafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        retries=5,
        request_timeout_ms=10_000,
        max_block_ms=10_000,
    )


def consumer(bootstrap: str, group: str, client_id: str) -> KafkaConsumer:
    """Manual-commit consumer. ``session_timeout_ms=10000`` because the embedded
    broker does not finish a group join with the default (docs/adr/0001-embedded-broker.md)."""
    return KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=10_000,
        heartbeat_interval_ms=1_000,
        max_poll_records=500,
        fetch_max_wait_ms=50,  # the embedded broker holds a fetch for the whole wait
        max_poll_interval_ms=600_000,
        request_timeout_ms=30_000,
    )


# Events are the record of what happened (children, cases, hazards): a topic keeps them
# forever, so a rebuild or a new subscriber reads the whole history (ADR 0008). Kafka's
# default would drop them after seven days.
TOPIC_CONFIG = {"retention.ms": "-1", "retention.bytes": "-1"}


def ensure_topics(bootstrap: str, topics: list[str], partitions: int, replication: int) -> None:
    """Create the topics that do not exist yet, keeping events forever; existing ones
    are left as they are (``shouhu init`` sets their retention)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    try:
        existing = set(admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another process won
                admin.create_topics(
                    [NewTopic(t, partitions, replication, topic_configs=TOPIC_CONFIG)
                     for t in missing], timeout_ms=10_000)
            log.info("created topics %s", ", ".join(missing))
    finally:
        admin.close()


def keep_forever(bootstrap: str, topics: list[str]) -> None:
    """Set existing topics' retention to forever (topics made before ADR 0006)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    try:
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, t, configs=TOPIC_CONFIG)
                             for t in topics])
    finally:
        admin.close()
