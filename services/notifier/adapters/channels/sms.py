"""SMS through Alibaba Cloud SMS (阿里云短信, ``dysmsapi``), action ``SendSms``.

The request is the RPC style with signature version 1.0: the parameters are sorted,
percent-encoded (RFC 3986), and signed with HMAC-SHA1 keyed by
``AccessKeySecret + "&"``. Messages are pre-approved templates: ``TemplateCode`` plus
``TemplateParam`` (JSON, each value at most 35 characters); ``OutId`` carries the
delivery id so the provider's receipts can be matched to our log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from services.notifier.adapters.channels.http import HttpChannel
from services.notifier.domain.exceptions import ChannelError
from services.notifier.domain.message import Message

RETRYABLE_CODES = {"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "SignatureNonceUsed",
                   "ServiceUnavailable", "InternalError"}


@dataclass(frozen=True)
class SmsConfig:
    endpoint: str = "https://dysmsapi.aliyuncs.com/"
    access_key_id: str = ""
    access_key_secret: str = ""
    sign_name: str = ""
    region: str = "cn-hangzhou"
    timeout_s: float = 10.0


def percent_encode(value: str) -> str:
    return quote(value, safe="~")


def signature(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(params[k])}"
                         for k in sorted(params))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    mac = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


class AliyunSms(HttpChannel):
    def __init__(self, config: SmsConfig,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 nonce: Callable[[], str] = lambda: str(uuid.uuid4())):
        super().__init__(config.timeout_s)
        self.config = config
        self.clock = clock
        self.nonce = nonce

    def params(self, message: Message, phone: str) -> dict[str, str]:
        cfg = self.config
        params = {
            "AccessKeyId": cfg.access_key_id, "Action": "SendSms", "Format": "JSON",
            "OutId": message.delivery_id, "PhoneNumbers": phone, "RegionId": cfg.region,
            "SignName": cfg.sign_name, "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": self.nonce(), "SignatureVersion": "1.0",
            "TemplateCode": message.sms_template,
            "TemplateParam": json.dumps(message.sms_params, ensure_ascii=False),
            "Timestamp": self.clock().strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
        }
        params["Signature"] = signature(params, cfg.access_key_secret)
        return params

    def send(self, message: Message, address: str) -> str:
        if not message.sms_template:
            raise ChannelError(f"no SMS template for {message.event_type}", retryable=False)
        body = self.post(self.config.endpoint, fields=self.params(message, address),
                         encode_multipart=False)  # form-encoded, as the RPC API wants
        code = str(body.get("Code", ""))
        if code != "OK":
            raise ChannelError(f"SendSms {code or 'no code'}", retryable=code in RETRYABLE_CODES)
        return str(body.get("BizId", ""))
