"""Notifier settings, read once from the environment.

Channel credentials (SMTP login, webhook and robot secrets, SMS access keys) come
only from here; a channel whose credentials are missing is simply not configured.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from services.notifier.adapters.channels.email import SmtpConfig
from services.notifier.adapters.channels.sms import SmsConfig
from shared.auth.tokens import TokenKeys
from shared.config import CommonSettings, env_float, env_int
from shared.crypto import FieldKeys

HERE = Path(__file__).resolve().parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"SHOUHU_NOTIFIER_{name}", default)


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    port: int
    keys: TokenKeys
    rules_path: Path
    directory_path: Path | None  # seeds an empty directory; "" in the env: none
    gateway_url: str  # links in messages point here, never carry details
    public_url: str  # where acknowledgement links (GET /ack/<token>) are served
    ack_secret: str
    smtp: SmtpConfig
    webhook_secret: str
    dingtalk_secret: str
    sms: SmsConfig
    lease_s: float
    batch: int
    senders: int
    tick_s: float

    @classmethod
    def from_env(cls) -> Settings:
        keys = TokenKeys.from_env(signing=False)
        port = env_int("SHOUHU_NOTIFIER_PORT", 8103)
        directory = _env("DIRECTORY", str(HERE / "rules" / "directory.yaml"))
        # Without an explicit secret, ack links are keyed by a key derived from the
        # active field key (the notifier holds no token-signing key), so the embedded
        # default needs no extra configuration.
        field_keys = FieldKeys.from_env()
        derived = hmac.new(field_keys.keys[field_keys.active_kid], b"shouhu-notifier-ack",
                           hashlib.sha256).hexdigest()
        return cls(
            common=CommonSettings.from_env("notifier"), port=port, keys=keys,
            rules_path=Path(_env("RULES", str(HERE / "rules" / "default.yaml"))),
            directory_path=Path(directory) if directory else None,
            gateway_url=os.environ.get("SHOUHU_GATEWAY_PUBLIC_URL", "http://127.0.0.1:8100"),
            public_url=_env("PUBLIC_URL", f"http://127.0.0.1:{port}"),
            ack_secret=_env("ACK_SECRET", derived),
            smtp=SmtpConfig(
                host=_env("SMTP_HOST"),  # unset: no email channel
                port=env_int("SHOUHU_NOTIFIER_SMTP_PORT", 25),
                sender=_env("SMTP_FROM", "shouhu-notifier@localhost"),
                username=_env("SMTP_USER"), password=_env("SMTP_PASSWORD"),
                starttls=_env("SMTP_STARTTLS", "auto"), cafile=_env("SMTP_CAFILE"),
                timeout_s=env_float("SHOUHU_NOTIFIER_SMTP_TIMEOUT_S", 10.0)),
            webhook_secret=_env("WEBHOOK_SECRET"), dingtalk_secret=_env("DINGTALK_SECRET"),
            sms=SmsConfig(
                endpoint=_env("SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
                access_key_id=_env("SMS_ACCESS_KEY_ID"),
                access_key_secret=_env("SMS_ACCESS_KEY_SECRET"),
                sign_name=_env("SMS_SIGN_NAME")),
            lease_s=env_float("SHOUHU_NOTIFIER_SENDING_LEASE_S", 60.0),
            batch=env_int("SHOUHU_NOTIFIER_DISPATCH_BATCH", 20),
            senders=env_int("SHOUHU_NOTIFIER_SENDERS", 4),
            tick_s=env_float("SHOUHU_NOTIFIER_TICK_S", 1.0),
        )
