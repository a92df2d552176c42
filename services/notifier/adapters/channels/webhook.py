"""Webhooks: a generic JSON POST signed with HMAC-SHA256, the WeCom group robot, and
the DingTalk robot with its signed URL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Callable

from services.notifier.adapters.channels.http import HttpChannel, check_errcode
from services.notifier.domain.message import Message


def hmac_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` over ``<timestamp>.<body>``; receivers recompute and compare,
    and reject old timestamps to stop replays."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def dingtalk_sign(secret: str, timestamp_ms: str) -> str:
    """DingTalk's robot signature: base64(HMAC-SHA256(secret, "<ts>\\n<secret>"))."""
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


class SignedWebhook(HttpChannel):
    """Generic JSON webhook for other departments' systems."""

    def __init__(self, secret: str, timeout_s: float = 10.0,
                 clock: Callable[[], float] = time.time):
        super().__init__(timeout_s)
        self.secret = secret
        self.clock = clock

    def send(self, message: Message, address: str) -> str:
        body = json.dumps({
            "delivery_id": message.delivery_id, "event_id": message.event_id,
            "event_type": message.event_type, "urgent": message.urgent,
            "title": message.subject, "text": message.body, "link": message.link,
            "ack_link": message.ack_link,
        }, ensure_ascii=False).encode()
        ts = str(int(self.clock()))
        self.post(address, body=body, headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Shouhu-Delivery": message.delivery_id,  # receivers dedupe on it
            "X-Shouhu-Timestamp": ts,
            "X-Shouhu-Signature": hmac_signature(self.secret, ts, body),
        })
        return message.delivery_id


class WeComRobot(HttpChannel):
    """WeCom (企业微信) group robot: ``POST …/cgi-bin/webhook/send?key=…`` markdown."""

    RETRYABLE = {-1, 45009}  # system busy, rate limited

    def send(self, message: Message, address: str) -> str:
        content = f"**{message.subject}**\n{message.body}"
        body = self.post(address, json={"msgtype": "markdown",
                                        "markdown": {"content": content}})
        check_errcode(body, self.RETRYABLE)
        return message.delivery_id


class DingTalkRobot(HttpChannel):
    """DingTalk (钉钉) robot with the "加签" security setting: the URL carries
    ``timestamp`` (ms) and ``sign``; the server refuses signatures older than an hour."""

    RETRYABLE = {-1, 130101}  # system busy, sending too fast

    def __init__(self, secret: str, timeout_s: float = 10.0,
                 clock: Callable[[], float] = time.time):
        super().__init__(timeout_s)
        self.secret = secret
        self.clock = clock

    def send(self, message: Message, address: str) -> str:
        ts = str(int(self.clock() * 1000))
        sign = urllib.parse.quote_plus(dingtalk_sign(self.secret, ts))
        url = f"{address}{'&' if '?' in address else '?'}timestamp={ts}&sign={sign}"
        body = self.post(url, json={
            "msgtype": "markdown",
            "markdown": {"title": message.subject, "text": f"### {message.subject}\n\n"
                         f"{message.body}"},
        })
        check_errcode(body, self.RETRYABLE)
        return message.delivery_id
