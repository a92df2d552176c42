"""Email over SMTP, upgraded with STARTTLS whenever the server offers it.

The Message-ID is derived from the delivery id, so a message re-sent after a crash
mid-send (the one case SMTP cannot tell us about) carries the same Message-ID and
mail clients and archives fold the copies into one.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from services.notifier.domain.exceptions import ChannelError
from services.notifier.domain.message import Message


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "shouhu-notifier@localhost"
    username: str = ""
    password: str = ""
    starttls: str = "auto"  # auto: when offered; require: refuse plain text; off
    cafile: str = ""  # extra CA bundle (a private mail relay's certificate)
    timeout_s: float = 10.0
    domain: str = "shouhu.notifier"  # right-hand side of Message-IDs


def message_id(delivery_id: str, domain: str) -> str:
    return f"<{delivery_id}@{domain}>"


class SmtpEmail:
    def __init__(self, config: SmtpConfig):
        self.config = config

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.config.cafile or None)

    def send(self, message: Message, address: str) -> str:
        cfg = self.config
        mail = EmailMessage()
        mail["From"] = cfg.sender
        mail["To"] = address
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = message_id(message.delivery_id, cfg.domain)
        mail["X-Shouhu-Delivery"] = message.delivery_id
        if message.urgent:
            mail["Importance"] = "high"
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s) as smtp:
                smtp.ehlo()
                if cfg.starttls != "off" and smtp.has_extn("starttls"):
                    smtp.starttls(context=self._tls())
                    smtp.ehlo()
                elif cfg.starttls == "require":
                    raise ChannelError("SMTP server offers no STARTTLS", retryable=True)
                if cfg.username:
                    smtp.login(cfg.username, cfg.password)
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise ChannelError(f"recipient refused {codes}",
                               retryable=all(c < 500 for c in codes)) from exc
        except smtplib.SMTPResponseException as exc:
            raise ChannelError(f"SMTP {exc.smtp_code}", retryable=exc.smtp_code < 500) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(f"SMTP transport: {type(exc).__name__}") from exc
        return mail["Message-ID"]
