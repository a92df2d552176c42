"""The SMTP client keeps one connection per sender thread, against the real server:
reused while it lasts, reopened when the server dropped it — the message sent once."""

from __future__ import annotations

import select

import pytest

from services.notifier.adapters.channels.email import SmtpConfig, SmtpEmail
from services.notifier.domain.exceptions import ChannelError
from services.notifier.domain.message import Message
from shared.testing.fixtures import eventually
from tests.integration.notifier.receivers import SmtpServer


@pytest.fixture
def idle_smtp(tls_cert):
    server = SmtpServer(*tls_cert, idle_timeout_s=0.5).start()
    yield server
    server.stop()


def _client(server: SmtpServer) -> SmtpEmail:
    return SmtpEmail(SmtpConfig(host="127.0.0.1", port=server.port, starttls="require",
                                cafile=str(server.cert), timeout_s=3))


def _message(delivery_id: str) -> Message:
    return Message(delivery_id=delivery_id, event_id="e", event_type="registry.case.opened.v1",
                   subject="【紧急】儿童独居", body="正文", urgent=True, link="l", ack_link="a")


def test_one_connection_and_handshake_serve_many_messages(smtp_server):
    email = _client(smtp_server)
    for n in range(5):
        email.send(_message(f"d-{n}"), "director@test.example")
    mail = smtp_server.mailbox
    assert len(mail.connections) == 1 and mail.tls_sessions == 5
    assert mail.ids() == [f"<d-{n}@shouhu.notifier>" for n in range(5)]
    email.close()


def test_a_connection_the_server_dropped_is_reopened_and_the_message_sent_once(idle_smtp):
    email = _client(idle_smtp)
    email.send(_message("d-1"), "director@test.example")
    kept = email.connections.get()
    # the server times the idle connection out ("421 timeout", then closes it)
    eventually(lambda: select.select([kept.sock], [], [], 0)[0], 10,
               message="server dropped the idle connection")
    email.send(_message("d-2"), "director@test.example")
    mail = idle_smtp.mailbox
    assert mail.ids() == ["<d-1@shouhu.notifier>", "<d-2@shouhu.notifier>"], "each once"
    assert len(mail.connections) == 2, "the second went on a new connection"
    assert email.connections.get() is not kept
    email.close()


def test_a_refused_recipient_keeps_the_connection(smtp_server):
    email = _client(smtp_server)
    smtp_server.mailbox.refuse.add("gone@test.example")
    with pytest.raises(ChannelError) as err:
        email.send(_message("d-1"), "gone@test.example")
    assert not err.value.retryable
    email.send(_message("d-2"), "director@test.example")
    assert smtp_server.mailbox.ids() == ["<d-2@shouhu.notifier>"]
    assert len(smtp_server.mailbox.connections) == 1, "RSET, not a new connection"
    email.close()
