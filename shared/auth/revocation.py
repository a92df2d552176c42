"""Ended sessions, known to every service within seconds (docs/adr/0505).

The gateway publishes ``gateway.session.revoked.v1`` (through its outbox, in the same
transaction as the sign-out); every API process reads topic ``gateway.sessions`` on a
background thread into a ``RevocationList`` held in memory and refuses the tokens it
names. Nothing is stored: on start the listener reads back the last token lifetime of
the topic (``offsets_for_times``), which is all that can still matter, since an older
revocation only names tokens that have expired anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask
from kafka import KafkaConsumer, TopicPartition

from shared.auth.flask import set_revocation_check
from shared.auth.tokens import LEEWAY_S, TokenKeys
from shared.config import CommonSettings
from shared.events.envelope import CloudEvent

log = logging.getLogger(__name__)
TOPIC = "gateway.sessions"
EVENT_TYPE = "gateway.session.revoked.v1"


class RevocationList:
    """Revoked sign-ins and per-user cut-offs, forgotten once their tokens expired."""

    def __init__(self) -> None:
        self._sessions: dict[str, int] = {}  # session id → expires_at
        self._users: dict[str, tuple[int, int]] = {}  # user id → (not_before, expires_at)
        self._lock = threading.Lock()

    def apply(self, data: Mapping[str, Any]) -> None:
        expires_at = int(data["expires_at"])
        with self._lock:
            if data.get("session_id"):
                self._sessions[data["session_id"]] = expires_at
            else:
                before = self._users.get(data["user_id"], (0, 0))
                self._users[data["user_id"]] = (max(before[0], int(data["not_before"])),
                                                max(before[1], expires_at))
            self._forget_expired(int(time.time()))

    def _forget_expired(self, now: int) -> None:
        if len(self._sessions) + len(self._users) < 1000:
            return
        self._sessions = {s: e for s, e in self._sessions.items() if e >= now}
        self._users = {u: v for u, v in self._users.items() if v[1] >= now}

    def revoked(self, claims: Mapping[str, Any]) -> bool:
        with self._lock:
            if claims.get("sid") in self._sessions:
                return True
            cut = self._users.get(claims["sub"])
        return cut is not None and int(claims["iat"]) < cut[0]


class RevocationListener:
    """Keeps a RevocationList up to date from the topic (one thread per API process)."""

    def __init__(self, bootstrap: str, topic_prefix: str, lookback_s: int,
                 revocations: RevocationList | None = None):
        self.topic = topic_prefix + TOPIC
        self.bootstrap, self.lookback_s = bootstrap, lookback_s
        self.revocations = revocations or RevocationList()
        self.caught_up = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="revocations", daemon=True)

    def start(self) -> RevocationListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._follow()
            except Exception:  # noqa: BLE001 - broker away: retry, tokens still expire
                log.exception("revocation listener failed; retrying in 2 s")
                self._stop.wait(2.0)

    def _follow(self) -> None:
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False,
                                 group_id=None, fetch_max_wait_ms=50,
                                 request_timeout_ms=30_000)
        try:
            self._seek_back(consumer)
            while not self._stop.is_set():
                for records in consumer.poll(timeout_ms=500).values():
                    for record in records:
                        self._apply(record.value)
                if not consumer.assignment() or all(
                        consumer.position(tp) >= end for tp, end
                        in consumer.end_offsets(list(consumer.assignment())).items()):
                    self.caught_up.set()
        finally:
            consumer.close()

    def _seek_back(self, consumer: KafkaConsumer) -> None:
        partitions = None
        while not partitions and not self._stop.is_set():
            partitions = consumer.partitions_for_topic(self.topic)
            if not partitions:  # the topic is created by `shouhu init` / the stack
                self._stop.wait(1.0)
        tps = [TopicPartition(self.topic, p) for p in sorted(partitions or ())]
        consumer.assign(tps)
        since_ms = int((time.time() - self.lookback_s) * 1000)
        try:
            found = consumer.offsets_for_times({tp: since_ms for tp in tps})
        except Exception:  # noqa: BLE001 - a broker without time look-up: read it all
            log.info("offsets by time unavailable; reading %s from the start", self.topic)
            consumer.seek_to_beginning(*tps)
            return
        for tp in tps:
            if found.get(tp) is not None:
                consumer.seek(tp, found[tp].offset)
            else:
                consumer.seek_to_end(tp)

    def _apply(self, raw: bytes) -> None:
        try:
            event = CloudEvent.from_json(raw)
            if event.type == EVENT_TYPE:
                self.revocations.apply(event.data)
        except Exception:  # noqa: BLE001 - a bad message must not stop revocations
            log.warning("unreadable message on %s skipped", self.topic)


def listen_for_revocations(app: Flask, common: CommonSettings, keys: TokenKeys) -> Flask:
    """Make ``app`` refuse revoked tokens (each service's gunicorn factory calls it)."""
    listener = RevocationListener(common.bootstrap_servers, common.topic_prefix,
                                  keys.ttl_s + 2 * LEEWAY_S).start()
    set_revocation_check(app, listener.revocations.revoked)
    app.extensions["shouhu_revocations"] = listener
    return app
