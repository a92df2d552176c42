"""The dispatcher: sends pending deliveries, records each attempt, retries, hands over.

Each round claims a batch (state 'sending', committed *before* any network call) and
sends it on a small thread pool; outcomes are recorded as soon as their sends return.
A crash between a send and its record leaves the row 'sending'; after the lease it is
sent again with the same Message-ID / idempotency key — the only duplicate window,
which the protocols cannot close (ADR 0301).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime

from services.notifier.adapters.channels import Channel
from services.notifier.adapters.repository import Claimed
from services.notifier.adapters.templates import Templates
from services.notifier.domain import ack
from services.notifier.domain.delivery import State, after_error, stale_sending_cutoff
from services.notifier.domain.directory import Person
from services.notifier.domain.exceptions import ChannelError
from services.notifier.domain.rules import RuleSet
from services.notifier.service_layer.handlers import announce, reachable
from services.notifier.service_layer.unit_of_work import NotifierUnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchConfig:
    ack_secret: str
    lease_s: float = 60.0  # longer than any channel's timeout
    batch: int = 20
    senders: int = 4


class Dispatcher:
    def __init__(self, uow: Callable[[], NotifierUnitOfWork], rules: Callable[[], RuleSet],
                 templates: Templates, channels: Mapping[str, Channel],
                 config: DispatchConfig,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 rand: Callable[[], float] = random.random):
        self.uow = uow
        self.rules = rules
        self.templates = templates
        self.channels = channels
        self.config = config
        self.clock = clock
        self.rand = rand
        self.pool = ThreadPoolExecutor(config.senders, thread_name_prefix="send")

    def run_once(self) -> int:
        """One round; returns how many deliveries were attempted."""
        now = self.clock()
        with self.uow() as uow:
            claimed = uow.deliveries.claim(
                now, stale_sending_cutoff(now, self.config.lease_s), self.config.batch)
            people = uow.directory.get_many({c.recipient_id for c in claimed})
        pending = {self.pool.submit(self._send, c, people.get(c.recipient_id)): c
                   for c in claimed}
        while pending:
            # Record outcomes as soon as sends return, from this one thread: a crash
            # can only repeat sends in flight, and senders never contend for the lock.
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            rules = self.rules()
            with self.uow() as uow:
                for future in done:
                    c = pending.pop(future)
                    self._record(uow, rules, c, future.result(), people.get(c.recipient_id))
        return len(claimed)

    def _send(self, c: Claimed, person: Person | None) -> ChannelError | None:
        try:
            if c.channel == "inbox":
                return None  # a 'sent' inbox delivery is what GET /inbox lists
            address = person.contacts.get(c.channel) if person else None
            if not address:
                raise ChannelError(f"recipient has no {c.channel} address", retryable=False)
            channel = self.channels.get(c.channel)
            if channel is None:
                raise ChannelError(f"channel {c.channel} is not configured", retryable=False)
            message = self.templates.render(
                delivery_id=c.delivery_id, event_id=c.event_id, event_type=c.event_type,
                data=c.data, urgent=c.urgent, lang=person.lang if person else "zh",
                level=c.level, ack_token=ack.make_token(c.delivery_id, self.config.ack_secret))
            channel.send(message, address)
            return None
        except ChannelError as exc:
            return exc
        except Exception as exc:  # noqa: BLE001 - a bug in one send must not stop the rest
            # class only, no traceback: a library's message may quote the address
            log.error("unexpected %s sending delivery %s", type(exc).__name__, c.delivery_id)
            return ChannelError(f"internal: {type(exc).__name__}")

    def _record(self, uow: NotifierUnitOfWork, rules: RuleSet, c: Claimed,
                err: ChannelError | None, person: Person | None) -> None:
        now = self.clock()
        if err is None:
            uow.deliveries.finish(c, State.SENT, now)
            announce(uow, "sent", c, c.attempt)
            return
        outcome = after_error(rules.retry_for(c.channel), c.attempt, err.retryable, now,
                              self.rand())
        log.warning("delivery %s over %s attempt %d: %s -> %s", c.delivery_id, c.channel,
                    c.attempt, err, outcome.state)
        uow.deliveries.finish(c, outcome.state, now, str(err), outcome.next_attempt_at)
        if outcome.hand_over:
            announce(uow, "failed", c, c.attempt)
            self._hand_over(uow, c, person, now)

    def _hand_over(self, uow: NotifierUnitOfWork, c: Claimed, person: Person | None,
                   now: datetime) -> None:
        """Try the recipient's next channel; when no outside channel reached them and
        none is left, an urgent alert escalates now instead of waiting for its deadline."""
        tried = uow.deliveries.channels_tried(c.event_id, c.recipient_id)
        nxt = reachable(person, uow.channels).next_channel(set(tried)) if person else None
        if nxt is not None:
            uow.deliveries.add(alert_id=c.alert_id, event_id=c.event_id,
                               event_type=c.event_type, case_id=c.case_id,
                               recipient_id=c.recipient_id, channel=nxt, level=c.level,
                               urgent=c.urgent, not_before=now, now=now)
        reached = any(ch != "inbox" and state != State.FAILED for ch, state in tried.items())
        if c.urgent and nxt in (None, "inbox") and not reached:
            uow.deliveries.escalate_now(c.alert_id, c.level, now)
