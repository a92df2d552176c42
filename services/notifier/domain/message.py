"""A rendered message, ready for any channel."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    delivery_id: str  # also the idempotency key / Message-ID every channel passes on
    event_id: str
    event_type: str
    subject: str
    body: str
    urgent: bool
    link: str
    ack_link: str
    sms_template: str = ""
    sms_params: dict[str, str] = field(default_factory=dict)
