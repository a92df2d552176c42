"""The daily digest: one per child director and day, of overdue visits and open
referrals; closed work drops out."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from services.notifier.bootstrap import bootstrap
from services.notifier.config import Settings
from services.notifier.service_layer import timers
from services.notifier.service_layer.handlers import track_event
from shared.events.envelope import CloudEvent
from tests.integration.notifier.helpers import delivery_rows, notifier_env

V = "500110120000"


def _ev(type_: str, **data) -> CloudEvent:
    return CloudEvent(type=type_, source="/t", subject="x", data=data)


def test_one_digest_per_director_and_day(tmp_path, monkeypatch, database_url):
    env = notifier_env(tmp_path, database_url, "127.0.0.1:1", "x.", 25, "http://127.0.0.1:1",
                       tmp_path / "ca.pem")
    (tmp_path / "rules.yaml").write_text(
        (tmp_path / "rules.yaml").read_text().replace("rules:", 'digest_at: "08:00"\nrules:', 1))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    notifier = bootstrap(replace(Settings.from_env()), rules_check_s=0)
    rules = notifier.rules.current()
    with notifier.uow() as uow:
        for child in ("c1", "c2"):
            track_event(uow, _ev("registry.visit.overdue.v1", child_id=child, village_code=V,
                                 due_date="2026-07-01", child_director_id="u",
                                 risk_grade="high"))
        track_event(uow, _ev("registry.case.referred.v1", case_id="k1", referral_id="r1",
                             village_code=V, unit="school"))
        track_event(uow, _ev("registry.visit.recorded.v1", visit_id="v", child_id="c2",
                             village_code=V, visited_at="2026-07-02T09:00:00+08:00",
                             visitor_id="u", next_due="2026-08-01"))
    early = datetime(2026, 7, 2, 23, 0, tzinfo=UTC)  # 07:00 local: not yet
    assert timers.send_digests(notifier.uow, rules, early) == 0
    morning = datetime(2026, 7, 3, 0, 30, tzinfo=UTC)  # 08:30 local
    assert timers.send_digests(notifier.uow, rules, morning) == 1
    assert timers.send_digests(notifier.uow, rules, morning) == 0, "once a day"
    [digest] = delivery_rows(notifier.engine, recipient_id="director-0")
    assert digest.channel == "email" and digest.event_type == "notifier.digest"
    with notifier.uow() as uow:
        alert = uow.deliveries.alert(digest.alert_id)
    msg = notifier.templates.render(delivery_id="d", event_id="e", event_type="notifier.digest",
                                    data=json.loads(alert.data), urgent=False,
                                    lang="zh", level=0, ack_token="")
    assert "逾期家访 1 次，未结转介 1 件" in msg.subject
    assert "c1" in msg.body and "c2" not in msg.body
