"""Events in → real email (SMTP with STARTTLS) and signed webhooks out; acknowledgement
and escalation; the delivery log — on SQLite and PostgreSQL with the real broker."""

from __future__ import annotations

import threading
import time

import pytest

from services.notifier.entrypoints.api import create_app
from services.notifier.entrypoints.worker import threads
from shared.auth import Role
from shared.testing.fixtures import eventually
from tests.integration.notifier.helpers import (
    ack_token,
    alert_of,
    bearer,
    case_opened,
    delivery_rows,
    finding,
    produce,
    published,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def running(make_notifier):
    stop = threading.Event()
    started: list[threading.Thread] = []

    def start(**kwargs):
        notifier = make_notifier(**kwargs)
        started.extend(threads(notifier, stop))
        for t in started:
            t.start()
        return notifier

    yield start
    stop.set()
    for t in started:
        t.join(30)


def test_a_living_alone_case_reaches_police_and_director_by_email_and_webhook(
        running, smtp_server, receiver, broker, topic_prefix):
    notifier = running(ack="10m")
    t0 = time.monotonic()
    produce(broker.bootstrap, topic_prefix, [case_opened("case-1")])
    mail = smtp_server.mailbox
    eventually(lambda: mail.to("police@test.example") and mail.to("director-0@test.example")
               and receiver.at("/hook/police"), 60, message="email and webhook delivered")
    took = time.monotonic() - t0
    [hook] = receiver.at("/hook/police")
    assert hook.verified, "HMAC signature"
    body = hook.json()
    assert body["event_type"] == "registry.case.opened.v1" and body["urgent"] is True
    assert body["link"].endswith("/cases/case-1") and "child-case-1" not in hook.body.decode()
    [police_mail] = mail.to("police@test.example")
    assert mail.tls_sessions >= 2, "STARTTLS was offered, so it was used"
    assert "儿童独居" in police_mail["Subject"]

    client = create_app(notifier).test_client()

    def logged() -> dict:  # a send is recorded just after the receiver has it
        log = client.get("/deliveries?case_id=case-1",
                         headers=bearer(Role.STATION_ADMIN)).get_json()
        got = {(d["recipient_id"], d["channel"]): d for d in log["items"]}
        return got if all(d["state"] != "sending" for d in got.values()) else {}

    got = eventually(logged, 10, message="every send recorded")
    assert set(got) == {("police", "email"), ("police", "webhook"), ("police", "inbox"),
                        ("director-0", "email"), ("director-0", "inbox")}
    assert all(d["state"] == "sent" and d["attempts"][0]["outcome"] == "sent"
               for d in got.values())
    assert police_mail["Message-ID"] == f"<{got['police', 'email']['delivery_id']}@shouhu.notifier>"
    inbox = client.get("/inbox", headers=bearer(Role.CHILD_DIRECTOR,
                                                 "dir-0")).get_json()
    assert [i["case_id"] for i in inbox] == ["case-1"] and "/cases/case-1" in inbox[0]["link"]
    assert published(notifier.engine).count("notifier.delivery.sent.v1") == 5
    print(f"case → email + webhook in {took:.1f}s (includes the consumer group join)")


def test_unacknowledged_escalates_at_the_deadline_acknowledged_does_not(
        running, smtp_server, broker, topic_prefix):
    notifier = running(ack="3s")
    produce(broker.bootstrap, topic_prefix, [case_opened("case-a"), case_opened("case-b")])
    mail = smtp_server.mailbox
    eventually(lambda: len(mail.to("director-0@test.example")) == 2, 60,
               message="both cases delivered")
    [to_ack] = [m for m in mail.to("director-0@test.example") if "/cases/case-a" in
                m.get_content()]
    client = create_app(notifier).test_client()
    token = ack_token(to_ack)
    for opened in (client.get, client.head, client.get):  # a mail scanner acks nothing
        page = opened(f"/ack/{token}")
        assert page.status_code == 200
    assert "确认收到" in client.get(f"/ack/{token}").get_data(as_text=True)
    done = client.post(f"/ack/{token}")
    assert done.status_code == 200 and "已确认" in done.get_data(as_text=True)
    assert client.post(f"/ack/{token}").status_code == 410, "ack links are single-use"
    assert client.get(f"/ack/{token}").status_code == 410

    eventually(lambda: mail.to("supervisor@test.example"), 30, message="escalated")
    [escalated] = mail.to("supervisor@test.example")
    assert "/cases/case-b" in escalated.get_content()
    assert escalated.get_content().startswith("【升级】")
    a, b = alert_of(notifier.engine, "case-a"), alert_of(notifier.engine, "case-b")
    assert a.acked_at is not None and a.level == 0, "acknowledged: no escalation"
    assert b.level == 1 and b.deadline is None
    waited = (b.created_at and delivery_rows(notifier.engine, recipient_id="supervisor")[0]
              .created_at - b.created_at).total_seconds()
    assert waited >= 3.0, "escalated at the deadline, not before"
    events = published(notifier.engine)
    assert events.count("notifier.delivery.acknowledged.v1") == 1
    assert events.count("notifier.delivery.escalated.v1") == 2  # supervisor: email + inbox


def test_robots_get_signed_markdown_and_failures_are_retried(
        running, receiver, broker, topic_prefix):
    notifier = running()
    receiver.fail_next = 2  # the first two robot calls get HTTP 503
    produce(broker.bootstrap, topic_prefix, [finding("f-1")])
    eventually(lambda: len(receiver.at("/wecom/0")) + len(receiver.at("/dingtalk/0")) >= 4,
               60, message="robots reached after retries")
    assert all(r.verified for r in receiver.at("/dingtalk/0")), "DingTalk signed URL"
    assert all(r.verified for r in receiver.at("/wecom/0"))
    sent = eventually(lambda: [d for d in delivery_rows(notifier.engine, recipient_id="patrol-0")
                               if d.state == "sent"] if len(
        delivery_rows(notifier.engine, recipient_id="patrol-0", state="sent")) == 3 else None,
        30, message="three deliveries sent")
    assert sum(d.attempt for d in sent) == 3 + 2, "two retries"


def test_an_unreachable_recipient_escalates_at_once(
        running, smtp_server, receiver, broker, topic_prefix):
    notifier = running(ack="10m")  # the deadline is far: only the failures can escalate
    receiver.fail_status, receiver.fail_next = 400, 1  # the police system refuses it …
    smtp_server.mailbox.refuse.add("police@test.example")  # … and so does its mail server
    produce(broker.bootstrap, topic_prefix, [case_opened("case-f")])
    eventually(lambda: smtp_server.mailbox.to("supervisor@test.example"), 60,
               message="escalated when the police desk could not be reached")
    police = {d.channel: d for d in delivery_rows(notifier.engine, recipient_id="police")}
    assert police["webhook"].state == police["email"].state == "failed"
    assert police["webhook"].attempt == police["email"].attempt == 1, "4xx/5xx not retried"
    assert alert_of(notifier.engine, "case-f").level == 1
    events = published(notifier.engine)
    assert "notifier.delivery.failed.v1" in events and "notifier.delivery.escalated.v1" in events


def test_children_at_the_water_where_nobody_is_named_reach_the_station_and_raise_an_alarm(
        running, smtp_server, receiver, broker, topic_prefix):
    notifier = running(ack="10m")
    produce(broker.bootstrap, topic_prefix, [finding("f-gap", village="500110120007")])
    eventually(lambda: receiver.at("/dingtalk/station"), 60,
               message="the station told instead of nobody")
    assert not receiver.at("/dingtalk/0"), "village 000's patrol lead serves another village"
    eventually(lambda: "notifier.directory.gap.v1" in published(notifier.engine), 10,
               message="the gap announced for the dashboard")
    assert {d.recipient_id for d in delivery_rows(notifier.engine)} == {"station"}
