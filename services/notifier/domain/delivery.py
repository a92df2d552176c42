"""Deliveries: one message to one recipient over one channel for one event.

State machine::

    pending ──claim──► sending ──ok──► sent
       ▲                  │
       └──retryable error─┤
                          └──give up──► failed   (then: next channel, or escalate)

Exactly once per (event, recipient, channel) is a unique key in storage; this module
decides what each outcome means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from services.notifier.domain.exceptions import InvalidTransition
from services.notifier.domain.rules import RetryPolicy


class State(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


TRANSITIONS = {
    State.PENDING: {State.SENDING},
    State.SENDING: {State.SENT, State.PENDING, State.FAILED},
    State.SENT: set(),
    State.FAILED: set(),
}


def check(current: str, target: State) -> None:
    if target not in TRANSITIONS[State(current)]:
        raise InvalidTransition(f"a {current} delivery cannot become {target}")


@dataclass(frozen=True)
class Outcome:
    """What to store after one attempt."""

    state: State
    next_attempt_at: datetime | None = None
    hand_over: bool = False  # failed for good: try the recipient's next channel


def after_error(policy: RetryPolicy, attempt: int, retryable: bool, now: datetime,
                rand: float) -> Outcome:
    """Retry with backoff while attempts remain and the error may pass; else fail."""
    check(State.SENDING, State.PENDING if retryable else State.FAILED)
    if retryable and attempt < policy.max_attempts:
        return Outcome(State.PENDING, now + timedelta(seconds=policy.delay_s(attempt, rand)))
    return Outcome(State.FAILED, hand_over=True)


def stale_sending_cutoff(now: datetime, lease_s: float) -> datetime:
    """A delivery 'sending' since before this was abandoned by a crashed dispatcher.

    The protocol cannot tell us whether that send went out, so it is sent again with
    the same Message-ID / idempotency key (docs/notifier.md, ADR 0301)."""
    return now - timedelta(seconds=lease_s)


@dataclass(frozen=True)
class Claimed:
    """A delivery the dispatcher holds, with what it needs to render and send."""

    delivery_id: str
    alert_id: str
    event_id: str
    event_type: str
    case_id: str
    recipient_id: str
    channel: str
    level: int
    urgent: bool
    attempt: int
    data: dict[str, Any]
    resent: bool = False  # abandoned 'sending' by a crashed dispatcher


@dataclass(frozen=True)
class Finished:
    """How one attempt ended: 'sent', 'pending' again (retry) or 'failed'."""

    claimed: Claimed
    state: State
    detail: str = ""  # error class and status only, never an address
    next_attempt_at: datetime | None = None
