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
import time
import urllib.parse
from dataclasses import dataclass, field
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from infra.broker import free_port
from tests.integration.notifier.helpers import DINGTALK_SECRET, WEBHOOK_SECRET


# -- SMTP ------------------------------------------------------------------------------
@dataclass
class Mailbox:
    messages: list[Any] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # time.time() of each arrival
    tls_sessions: int = 0
    connections: set[tuple[str, int]] = field(default_factory=set)  # client (host, port)s
    refuse: set[str] = field(default_factory=set)  # addresses answered "550 no such user"
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append(msg)
            self.times.append(time.time())
            self.tls_sessions += session.ssl is not None
            self.connections.add(tuple(session.peer))
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.messages]


def make_cert(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the SMTP server's STARTTLS)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


class SmtpServer:
    """``idle_timeout_s``: a client silent that long gets "421 timeout" and is dropped."""

    def __init__(self, cert: Path, key: Path, idle_timeout_s: float = 300):
        self.port = free_port()
        self.mailbox = Mailbox()
        self.cert, self.key = cert, key
        self.idle_timeout_s = idle_timeout_s
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port,
                                     tls_context=ctx, timeout=self.idle_timeout_s)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


# -- HTTP ------------------------------------------------------------------------------
@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    at: float = field(default_factory=time.time)

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """Records POSTs. /hook/* checks the generic HMAC, /dingtalk/* DingTalk's signed URL,
    /wecom/* answers like the WeCom robot. ``fail_next`` makes the next answers fail
with ``fail_status``."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.fail_next = 0
        self.fail_status = 503  # 503 is retried; a 4xx such as 400 is not
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do …
            disable_nagle_algorithm = True  # … and, as they do, no 40 ms delayed-ACK stall

            def do_POST(self):  # noqa: N802 - http.server's API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.record(self.path, dict(self.headers), body)
                with receiver.lock:
                    failing = receiver.fail_next > 0
                    receiver.fail_next -= failing
                self.send_response(receiver.fail_status if failing else 200)
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


