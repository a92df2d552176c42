"""The SMS adapter against a recorded contract of Alibaba Cloud's SendSms: a local
server checks the request (parameters, signature) and replays recorded answers.

The server verifies signatures with its own implementation of the provider's documented
algorithm, not the adapter's ``signature()``: a mistake shared by both would pass.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from services.notifier.adapters.channels.sms import AliyunSms, SmsConfig
from services.notifier.domain.exceptions import ChannelError
from services.notifier.domain.message import Message

CONTRACT = json.loads((Path(__file__).parent / "contracts" / "aliyun_sendsms.json").read_text())
SECRET = "test-access-key-secret"
REQUIRED = {"AccessKeyId", "Action", "Format", "OutId", "PhoneNumbers", "RegionId", "SignName",
            "SignatureMethod", "SignatureNonce", "SignatureVersion", "TemplateCode",
            "TemplateParam", "Timestamp", "Version", "Signature"}


def provider_signature(params: dict[str, str], secret: str) -> str:
    """RPC signature v1 as Alibaba Cloud documents it: RFC 3986 percent-encoding of UTF-8
    (only ``A-Z a-z 0-9 - _ . ~`` kept), parameters sorted by name, then
    ``POST&%2F&<encoded query>`` signed with HMAC-SHA1 under ``secret + "&"``."""
    def enc(text: str) -> str:
        return urllib.parse.quote(text, safe="~")

    query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    mac = hmac.new(f"{secret}&".encode(), f"POST&{enc('/')}&{enc(query)}".encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


@pytest.fixture
def sms_api():
    seen: list[dict[str, str]] = []

    class Replay(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's API
            raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
            params = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
            seen.append(dict(params))
            given = params.pop("Signature", "")
            if given != provider_signature(params, SECRET):
                refused = CONTRACT["bad_signature"]
                status, body = refused["status"], refused["body"]
            else:
                match = next(e for e in CONTRACT["exchanges"]
                             if e["when"]["PhoneNumbers"] == params["PhoneNumbers"])
                status, body = match["status"], match["body"]
            out = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", seen
    server.shutdown()


def _sms(endpoint: str, secret: str = SECRET) -> AliyunSms:
    return AliyunSms(SmsConfig(endpoint=endpoint, access_key_id="testId",
                               access_key_secret=secret, sign_name="守护"))


MSG = Message(delivery_id="d-1", event_id="e-1", event_type="hazards.finding.reported.v1",
              subject="s", body="b", urgent=True, link="l", ack_link="a",
              sms_template="SMS_SHOUHU_FINDING",
              sms_params={"kind": "儿童在水边", "village": "500110120201"})


def test_a_signed_send_sms_request_is_accepted(sms_api):
    endpoint, seen = sms_api
    assert _sms(endpoint).send(MSG, "13800000001") == "900619746936498440^0"
    [req] = seen
    assert set(req) >= REQUIRED
    assert req["Action"] == "SendSms" and req["Version"] == "2017-05-25"
    assert req["OutId"] == "d-1" and req["TemplateCode"] == "SMS_SHOUHU_FINDING"
    assert json.loads(req["TemplateParam"]) == {"kind": "儿童在水边", "village": "500110120201"}


@pytest.mark.parametrize(("phone", "secret", "retryable", "code"), [
    ("1380000", SECRET, False, "isv.MOBILE_NUMBER_ILLEGAL"),
    ("13900000002", SECRET, True, "isv.BUSINESS_LIMIT_CONTROL"),
    ("13800000001", "wrong-secret", False, "HTTP 400"),
])
def test_provider_errors_map_to_retry_or_give_up(sms_api, phone, secret, retryable, code):
    endpoint, _ = sms_api
    with pytest.raises(ChannelError) as err:
        _sms(endpoint, secret).send(MSG, phone)
    assert err.value.retryable is retryable and code in str(err.value)
