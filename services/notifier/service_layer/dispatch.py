"""The dispatcher: sends pending deliveries, records each attempt, retries, hands over.

Each channel has its own few senders, so a slow or failing provider cannot hold up
the others, and each sender keeps its connection between messages. A round records
the sends that returned and claims — urgent first — as many due deliveries as each
channel has idle senders, in one transaction; a claim ('sending') is committed
*before* the network call. A crash between a send and its record leaves the row
'sending'; after the lease it is sent again with the same Message-ID / idempotency
key — the only duplicate window, which the protocols cannot close (ADR 0301, 0303).
"""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from services.notifier.adapters.channels import Channel
from services.notifier.adapters.templates import Templates
from services.notifier.domain import ack
from services.notifier.domain.delivery import (
    Claimed,
    Finished,
    State,
    after_error,
    stale_sending_cutoff,
)
from services.notifier.domain.directory import CHANNELS, Person
from services.notifier.domain.exceptions import ChannelError
from services.notifier.domain.ports import UnitOfWork
from services.notifier.domain.rules import RuleSet
from services.notifier.service_layer.handlers import announce, reachable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchConfig:
    ack_secret: str
    lease_s: float = 60.0  # longer than any send (a dropped connection: two timeouts)
    batch: int = 20  # claimed and not yet recorded, per channel
    senders: int = 4  # per channel
    poll_s: float = 0.05  # longest wait for a send to return before claiming again


Sent = Future[ChannelError | None]
Result = tuple[Claimed, Person | None, ChannelError | None]


class Dispatcher:
    def __init__(self, uow: Callable[[], UnitOfWork], rules: Callable[[], RuleSet],
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
        self.lanes = {name: ThreadPoolExecutor(config.senders, thread_name_prefix=f"send-{name}")
                      for name in channels}
        self.local = [name for name in CHANNELS if name not in channels]  # no network
        self.in_flight: dict[Sent, tuple[Claimed, Person | None]] = {}
        self._returned = threading.Condition()  # senders count their returns under it
        self._count = self._seen = 0

    def run_once(self) -> int:
        """One round; returns how many deliveries are in hand (recorded, claimed or
        still sending), so the caller idles only when there is nothing."""
        now = self.clock()
        done = [f for f in self.in_flight if f.done()]
        results = [(*self.in_flight[f], f.result()) for f in done]
        to_send = []
        with self.uow() as uow:
            claimed = uow.queue.claim(
                now, stale_sending_cutoff(now, self.config.lease_s), self._quotas(),
                [c.delivery_id for c, _ in self.in_flight.values()])
            people = uow.directory.get_many({c.recipient_id for c in claimed})
            for c in claimed:
                person = people.get(c.recipient_id)
                if c.channel in self.lanes:
                    to_send.append((c, person))
                else:  # the inbox, or a channel no longer configured: known at once
                    results.append((c, person, self._send(c, person)))
            self._record(uow, results)
        for future in done:  # forgotten only once their outcomes are committed
            del self.in_flight[future]
        for c, person in to_send:  # sent only once their claims are committed
            future = self.lanes[c.channel].submit(self._send, c, person)
            future.add_done_callback(self._one_returned)
            self.in_flight[future] = (c, person)
        self._await()
        return len(results) + len(self.in_flight)

    def _await(self) -> None:
        """Wait until a send returns (or ``poll_s``): its outcome is recorded at once, so
        a crash repeats little more than the sends in flight (ADR 0301). Sends that
        return while a round runs are recorded together by the next one."""
        with self._returned:
            if any(not f.done() for f in self.in_flight):
                self._returned.wait_for(lambda: self._count > self._seen, self.config.poll_s)
            self._seen = self._count

    def _one_returned(self, _: Sent) -> None:
        with self._returned:
            self._count += 1
            self._returned.notify()

    def _quotas(self) -> dict[str, int]:
        """Each channel holds up to ``batch`` claimed deliveries, so its senders never
        wait for a round, and is topped up once half of them have been recorded; the
        local channels take a batch each round."""
        held = Counter(c.channel for c, _ in self.in_flight.values())
        room = {name: self.config.batch - held[name] for name in self.lanes}
        return {name: n for name, n in room.items() if 2 * n >= self.config.batch} | (
            dict.fromkeys(self.local, self.config.batch))

    def close(self) -> None:
        """Let the sends in flight return and record them; close kept connections."""
        for lane in self.lanes.values():
            lane.shutdown(wait=True)
        with self.uow() as uow:
            self._record(uow, [(*held, f.result()) for f, held in self.in_flight.items()])
        self.in_flight.clear()
        for channel in self.channels.values():
            channel.close()

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
                level=c.level,
                ack_token=ack.make_token(c.delivery_id, self.config.ack_secret, self.clock()))
            channel.send(message, address)
            return None
        except ChannelError as exc:
            return exc
        except Exception as exc:  # noqa: BLE001 - a bug in one send must not stop the rest
            # class only, no traceback: a library's message may quote the address
            log.error("unexpected %s sending delivery %s", type(exc).__name__, c.delivery_id)
            return ChannelError(f"internal: {type(exc).__name__}")

    def _record(self, uow: UnitOfWork, results: list[Result]) -> None:
        """Store a round's outcomes (one statement for all); announce them; hand each
        delivery that failed for good over to the recipient's next channel."""
        now = self.clock()
        rules = self.rules()
        finished = [self._finished(rules, c, err, now) for c, _, err in results]
        uow.queue.finish(finished, now)
        announce(uow, "sent", *(f.claimed for f in finished if f.state == State.SENT))
        for f, (c, person, _) in zip(finished, results, strict=True):
            if f.state == State.FAILED:
                announce(uow, "failed", c)
                self._hand_over(uow, c, person, now)

    def _finished(self, rules: RuleSet, c: Claimed, err: ChannelError | None,
                  now: datetime) -> Finished:
        if err is None:
            return Finished(c, State.SENT)
        outcome = after_error(rules.retry_for(c.channel), c.attempt, err.retryable, now,
                              self.rand())
        log.warning("delivery %s over %s attempt %d: %s -> %s", c.delivery_id, c.channel,
                    c.attempt, err, outcome.state)
        return Finished(c, outcome.state, str(err), outcome.next_attempt_at)

    def _hand_over(self, uow: UnitOfWork, c: Claimed, person: Person | None,
                   now: datetime) -> None:
        """Try the recipient's next channel; when no outside channel reached them and
        none is left, an urgent alert escalates now instead of waiting for its deadline."""
        tried = uow.deliveries.channels_tried(c.event_id, c.recipient_id)
        nxt = reachable(person, uow.channels).next_channel(set(tried)) if person else None
        if nxt is not None:
            uow.deliveries.add(alert_id=c.alert_id, event_id=c.event_id,
                               event_type=c.event_type, case_id=c.case_id, level=c.level,
                               urgent=c.urgent, now=now, to=[(c.recipient_id, nxt, now)])
        reached = any(ch != "inbox" and state != State.FAILED for ch, state in tried.items())
        if c.urgent and nxt in (None, "inbox") and not reached:
            uow.deliveries.escalate_now(c.alert_id, c.level, now)
