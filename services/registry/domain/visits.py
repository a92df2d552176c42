"""Home visits: when the next one is due, and which are overdue (rule 3)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from shared.events.vocabulary import FINDING_AREAS as FINDING_AREAS  # re-exported


@dataclass
class Visit:
    child_id: str
    visitor_id: str
    visited_at: datetime
    lon: float | None = None
    lat: float | None = None
    findings: dict[str, str] = field(default_factory=dict)  # FINDING_AREAS → text
    next_steps: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


def next_due(since: date, interval_days: int) -> date:
    """The next visit is due ``interval_days`` after the last one (or registration)."""
    return since + timedelta(days=interval_days)


def earlier_due(current: date | None, since: date, interval_days: int) -> date:
    """When the grade rises, the visit comes sooner; a falling grade never postpones it."""
    candidate = next_due(since, interval_days)
    return candidate if current is None else min(current, candidate)
