"""Reading whole topics from the beginning (no group join: partitions are assigned
directly, so a replay starts at once).

The replay ends when every partition is past the end offset the broker reported at
the start *and* nothing new arrived for ``idle_s``: the embedded broker (Tansu)
under-reports end offsets, so they alone cannot say "done".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from kafka import KafkaConsumer, TopicPartition

log = logging.getLogger(__name__)


def replay(bootstrap: str, topics: list[str], on_message: Callable[[bytes | None], None],
           timeout_s: float = 600.0, idle_s: float = 3.0) -> int:
    """Call ``on_message`` for every message in ``topics``, each partition in offset
    order; return how many there were."""
    kc = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                       auto_offset_reset="earliest", request_timeout_ms=30_000)
    try:
        kc.topics()  # fetch metadata for every topic before asking for partitions
        parts = [TopicPartition(t, p) for t in topics
                 for p in sorted(kc.partitions_for_topic(t) or ())]
        if not parts:
            return 0
        kc.assign(parts)
        kc.seek_to_beginning(*parts)
        end = kc.end_offsets(parts)
        count, deadline, last_seen = 0, time.monotonic() + timeout_s, time.monotonic()
        while True:
            batch = kc.poll(timeout_ms=500)
            for messages in batch.values():
                for msg in messages:
                    on_message(msg.value)
                    count += 1
            now = time.monotonic()
            if batch:
                last_seen = now
            elif now - last_seen >= idle_s and all(kc.position(tp) >= end[tp] for tp in parts):
                return count
            if now > deadline:
                raise TimeoutError(f"replay still receiving after {timeout_s}s")
    finally:
        kc.close(autocommit=False)


def truncated(bootstrap: str, topics: list[str]) -> list[str]:
    """Partitions ('topic[n]') whose first retained offset is past 0: events dropped."""
    kc = KafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=30_000)
    try:
        kc.topics()
        parts = [TopicPartition(t, p) for t in topics
                 for p in sorted(kc.partitions_for_topic(t) or ())]
        first = kc.beginning_offsets(parts) if parts else {}
        return [f"{tp.topic}[{tp.partition}]" for tp, offset in sorted(first.items())
                if offset > 0]
    finally:
        kc.close(autocommit=False)
