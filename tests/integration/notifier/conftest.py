"""Real receivers for the notifier's channels: an SMTP server (aiosmtpd, STARTTLS with
a throwaway certificate) and a threaded HTTP server that checks signatures."""

from __future__ import annotations

import base64
import email
import hashlib
import hmac
import json
import ssl
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from infra.broker import free_port

WEBHOOK_SECRET = "test-webhook-secret"
DINGTALK_SECRET = "SECtest-dingtalk"


# -- SMTP ------------------------------------------------------------------------------
@dataclass
class Mailbox:
    messages: list[Any] = field(default_factory=list)
    tls_sessions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append(msg)
            self.tls_sessions += session.ssl is not None
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.messages]


class SmtpServer:
    def __init__(self, cert: Path, key: Path):
        self.port = free_port()
        self.mailbox = Mailbox()
        self.cert, self.key = cert, key
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port,
                                     tls_context=ctx)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def smtp_server(tls_cert) -> Iterator[SmtpServer]:
    server = SmtpServer(*tls_cert).start()
    yield server
    server.stop()


# -- HTTP ------------------------------------------------------------------------------
@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """Records POSTs. /hook/* checks the generic HMAC, /dingtalk/* DingTalk's signed URL,
    /wecom/* answers like the WeCom robot. ``fail_next`` makes the next answers 503."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.record(self.path, dict(self.headers), body)
                with receiver.lock:
                    failing = receiver.fail_next > 0
                    receiver.fail_next -= failing
                self.send_response(503 if failing else 200)
                out = b'{"errcode":0,"errmsg":"ok"}'
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def record(self, path: str, headers: dict[str, str], body: bytes) -> None:
        verified = False
        if path.startswith("/hook"):
            ts = headers.get("X-Shouhu-Timestamp", "")
            mac = hmac.new(WEBHOOK_SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256)
            verified = hmac.compare_digest(headers.get("X-Shouhu-Signature", ""),
                                           "sha256=" + mac.hexdigest())
        elif path.startswith("/dingtalk"):
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
            ts = q["timestamp"][0]
            mac = hmac.new(DINGTALK_SECRET.encode(), f"{ts}\n{DINGTALK_SECRET}".encode(),
                           hashlib.sha256)
            verified = q["sign"][0] == base64.b64encode(mac.digest()).decode()
        elif path.startswith("/wecom"):
            verified = json.loads(body).get("msgtype") == "markdown"
        with self.lock:
            self.requests.append(Received(path, headers, body, verified))

    def at(self, prefix: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path.startswith(prefix)]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


# -- the notifier's configuration ------------------------------------------------------
RULES = """\
version: 1
timezone: Asia/Shanghai
retry:
  default: {max_attempts: 30, base: 1s, cap: 4s}
rules:
  - name: mandatory-report
    event: registry.case.opened.v1
    when: {mandatory_report: true}
    urgent: true
    notify:
      - {role: police_station, level: township}
      - {role: child_director, level: village}
    channels: [email, webhook, inbox]
    ack_within: ACK
    escalate: [{role: child_supervisor, level: township}]
  - name: children-at-water
    event: hazards.finding.reported.v1
    when: {kind: children_at_water}
    urgent: true
    notify: [{role: patrol_lead, level: village}]
    channels: [wecom, dingtalk, inbox]
"""


def directory(hooks: str, villages: int = 1) -> str:
    """Police desk, supervisor, and per village a child director and a patrol lead."""
    lines = ["people:",
             f"  - {{person_id: police, role: police_station, scope_code: '500110108',"
             f" contacts: {{email: police@test.example, webhook: '{hooks}/hook/police'}}}}",
             "  - {person_id: supervisor, role: child_supervisor, scope_code: '500110108',"
             " user_id: sup, contacts: {email: supervisor@test.example}}"]
    for v in range(villages):
        code = f"500110108{v:03d}"
        lines += [f"  - {{person_id: director-{v}, role: child_director, scope_code: '{code}',"
                  f" user_id: dir-{v}, contacts: {{email: director-{v}@test.example}}}}",
                  f"  - {{person_id: patrol-{v}, role: patrol_lead, scope_code: '{code}',"
                  f" contacts: {{wecom: '{hooks}/wecom/{v}', dingtalk: '{hooks}/dingtalk/{v}'}}}}"]
    return "\n".join(lines) + "\n"


def notifier_env(tmp: Path, database_url: str, bootstrap: str, prefix: str, smtp_port: int,
                 hooks: str, cafile: Path, ack: str = "3s", villages: int = 1) -> dict[str, str]:
    (tmp / "rules.yaml").write_text(RULES.replace("ACK", ack))
    (tmp / "directory.yaml").write_text(directory(hooks, villages))
    return {
        "SHOUHU_AUTH_KEYS": "k1:integration-test-key-of-32-bytes-or-more",
        "SHOUHU_NOTIFIER_DATABASE_URL": database_url,
        "SHOUHU_KAFKA_BOOTSTRAP": bootstrap, "SHOUHU_TOPIC_PREFIX": prefix,
        "SHOUHU_NOTIFIER_RULES": str(tmp / "rules.yaml"),
        "SHOUHU_NOTIFIER_DIRECTORY": str(tmp / "directory.yaml"),
        "SHOUHU_NOTIFIER_SMTP_PORT": str(smtp_port), "SHOUHU_NOTIFIER_SMTP_CAFILE": str(cafile),
        "SHOUHU_NOTIFIER_SMTP_STARTTLS": "require",
        "SHOUHU_NOTIFIER_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SHOUHU_NOTIFIER_DINGTALK_SECRET": DINGTALK_SECRET,
        "SHOUHU_NOTIFIER_SENDING_LEASE_S": "5", "SHOUHU_NOTIFIER_SMTP_TIMEOUT_S": "3",
        "SHOUHU_NOTIFIER_TICK_S": "0.2",
    }


@pytest.fixture
def make_notifier(tmp_path, monkeypatch, database_url, broker, topic_prefix, smtp_server,
                  receiver):
    """Build a Notifier for this test's database, broker prefix and receivers."""
    from services.notifier.bootstrap import bootstrap
    from services.notifier.config import Settings

    def make(**kwargs: Any):  # type: ignore[no-untyped-def]
        env = notifier_env(tmp_path, database_url, broker.bootstrap, topic_prefix,
                           smtp_server.port, receiver.url, smtp_server.cert, **kwargs)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        return bootstrap(replace(Settings.from_env()), rules_check_s=0.2)

    return make
