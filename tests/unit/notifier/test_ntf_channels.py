"""Channel signatures computed the way the providers document them."""

from __future__ import annotations

import base64
import hashlib
import hmac

from services.notifier.adapters.channels.sms import signature
from services.notifier.adapters.channels.webhook import dingtalk_sign, hmac_signature


def test_alibaba_sms_signature_matches_the_documented_example():
    # The worked example of Alibaba Cloud's SMS API documentation (RPC signature v1).
    params = {
        "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
        "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
    }
    assert signature(params, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_dingtalk_signature_is_hmac_sha256_of_timestamp_and_secret():
    expected = base64.b64encode(hmac.new(b"SEC1", b"1700000000000\nSEC1",
                                         hashlib.sha256).digest()).decode()
    assert dingtalk_sign("SEC1", "1700000000000") == expected


def test_generic_webhook_signature_covers_timestamp_and_body():
    sig = hmac_signature("s", "100", b'{"a":1}')
    assert sig == "sha256=" + hmac.new(b"s", b'100.{"a":1}', hashlib.sha256).hexdigest()
    assert sig != hmac_signature("s", "101", b'{"a":1}')
