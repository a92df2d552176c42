"""The dispatch queue: claim due deliveries, record how their sends ended.

In a burst the dispatcher runs these hundreds of times a second, so each statement is
built once with bind parameters and reused: building and cache-keying a SQLAlchemy
statement cost more than SQLite took to run it (docs/performance.md). Outcomes are
written with one ``executemany`` per round.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, insert, select, update

from services.notifier.adapters.tables import alerts, attempts, deliveries
from services.notifier.domain.delivery import Claimed, Finished, State
from services.notifier.domain.ports import DispatchQueue

_d = deliveries.c
_CLAIMABLE = select(deliveries, alerts.c.data).join(alerts, alerts.c.alert_id == _d.alert_id)
# one channel's due deliveries, read off ix_deliveries_claim in order: no sort
_DUE = (_CLAIMABLE.where(_d.state == State.PENDING, _d.channel == bindparam("channel"),
                         _d.next_attempt_at <= bindparam("now"))
        .order_by(_d.urgent.desc(), _d.next_attempt_at).limit(bindparam("limit")))
# deliveries a crashed dispatcher left 'sending' (only the few rows in flight are read)
_ABANDONED = (_CLAIMABLE.where(_d.state == State.SENDING,
                               _d.channel.in_(bindparam("channels", expanding=True)),
                               _d.claimed_at < bindparam("stale_before"),
                               _d.delivery_id.not_in(bindparam("holding", expanding=True)))
              .order_by(_d.urgent.desc(), _d.claimed_at).limit(bindparam("limit")))
_PLAIN = (_ABANDONED, _DUE)
_LOCKING = tuple(q.with_for_update(skip_locked=True, of=deliveries)  # several workers
                 for q in _PLAIN)
_CLAIM = (update(deliveries).where(_d.delivery_id == bindparam("d_id"))
          .values(state=State.SENDING, attempt=bindparam("n"), claimed_at=bindparam("at")))
_FINISH = (
    update(deliveries).where(_d.delivery_id == bindparam("d_id"), _d.attempt == bindparam("n"))
    .values(state=bindparam("st"), last_error=bindparam("error"), sent_at=bindparam("sent"),
            next_attempt_at=func.coalesce(bindparam("next_at", type_=_d.next_attempt_at.type),
                                          _d.next_attempt_at)))
_a = attempts.c
_ATTEMPTED = (
    update(attempts).where(_a.delivery_id == bindparam("d_id"), _a.attempt == bindparam("n"),
                           _a.outcome == "sending")
    .values(outcome=bindparam("out"), finished_at=bindparam("at"),
            detail=func.coalesce(func.nullif(bindparam("why", type_=_a.detail.type), ""),
                                 _a.detail)))  # keeps "resent after a crash"
_OUTCOME = {State.SENT: "sent", State.PENDING: "retry", State.FAILED: "failed"}


class Queue(DispatchQueue):
    def __init__(self, conn: Connection):
        self.conn = conn

    def claim(self, now: datetime, stale_before: datetime, quotas: Mapping[str, int],
              holding: Collection[str] = ()) -> list[Claimed]:
        """Mark due deliveries 'sending' and log the attempt: at most ``quotas[channel]``
        per channel, urgent first. 'sending' rows older than ``stale_before`` were
        abandoned by a crash — except those this process is ``holding`` (still sending)."""
        abandoned, due = _LOCKING if self.conn.dialect.name == "postgresql" else _PLAIN
        found = list(self.conn.execute(abandoned, {
            "channels": list(quotas), "stale_before": stale_before, "holding": list(holding),
            "limit": sum(quotas.values())}))
        for channel, limit in quotas.items():
            found += self.conn.execute(due, {"channel": channel, "now": now, "limit": limit})
        claimed = [Claimed(r.delivery_id, r.alert_id, r.event_id, r.event_type, r.case_id,
                           r.recipient_id, r.channel, r.level, r.urgent, r.attempt + 1,
                           json.loads(r.data), r.state == State.SENDING) for r in found]
        if claimed:
            self.conn.execute(_CLAIM, [{"d_id": c.delivery_id, "n": c.attempt, "at": now}
                                       for c in claimed])
            self.conn.execute(insert(attempts), [
                {"delivery_id": c.delivery_id, "attempt": c.attempt, "started_at": now,
                 "outcome": "sending", "detail": "resent after a crash" if c.resent else ""}
                for c in claimed])
        return claimed

    def finish(self, finished: list[Finished], now: datetime) -> None:
        """Store each outcome, guarded by the attempt number: a send that outlived its
        lease (and was claimed again) cannot overwrite the newer attempt."""
        if not finished:
            return
        self.conn.execute(_FINISH, [
            {"d_id": f.claimed.delivery_id, "n": f.claimed.attempt, "st": f.state,
             "error": f.detail[:200] or None, "sent": now if f.state == State.SENT else None,
             "next_at": f.next_attempt_at} for f in finished])
        self.conn.execute(_ATTEMPTED, [
            {"d_id": f.claimed.delivery_id, "n": f.claimed.attempt, "out": _OUTCOME[f.state],
             "at": now, "why": f.detail[:200]} for f in finished])
