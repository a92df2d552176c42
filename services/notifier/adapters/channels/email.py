"""Email over SMTP, upgraded with STARTTLS whenever the server offers it.

The Message-ID is derived from the delivery id, so a message re-sent after a crash
mid-send (the one case SMTP cannot tell us about) carries the same Message-ID and
mail clients and archives fold the copies into one.

Each sender thread keeps its connection (EHLO, STARTTLS and login once) for the next
message: the handshakes cost more than the message. A connection the server dropped
while idle is found out at MAIL FROM — before the server accepted anything — and the
message goes once more on a new connection at once (ADR 0303).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formatdate
from functools import cached_property
from typing import Any

from services.notifier.adapters.channels.per_thread import PerThread
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


class _Connection(smtplib.SMTP):
    """Knows whether the current message reached DATA: before it, nothing was accepted."""

    data_started = False

    def mail(self, sender: str, options: Sequence[str] = ()) -> tuple[int, bytes]:
        self.data_started = False
        return super().mail(sender, options)

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_started = True
        return super().data(msg)


def _dropped(exc: OSError) -> bool:
    """The server closed the connection (idle timeout, restart, 421 "closing")."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code == 421 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    return isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError)


def _refused(exc: OSError) -> bool:
    """The server answered no to this message; the connection itself is fine."""
    return isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused
                      | smtplib.SMTPNotSupportedError) and not _dropped(exc)


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


class SmtpEmail:
    def __init__(self, config: SmtpConfig):
        self.config = config
        self.connections: PerThread[_Connection] = PerThread(self._open, _quit)

    @cached_property
    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.config.cafile or None)

    def _open(self) -> _Connection:
        cfg = self.config
        smtp = _Connection(cfg.host, cfg.port, timeout=cfg.timeout_s)
        try:
            smtp.ehlo()
            if cfg.starttls != "off" and smtp.has_extn("starttls"):
                smtp.starttls(context=self._tls)
                smtp.ehlo()
            elif cfg.starttls == "require":
                raise ChannelError("SMTP server offers no STARTTLS", retryable=True)
            if cfg.username:
                smtp.login(cfg.username, cfg.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def compose(self, message: Message, address: str) -> MIMEText:
        """The classic (compat32) email API: a quarter of the modern one's CPU, which
        parses every header it is given; the generator still refuses a header value
        that would smuggle in another header."""
        cfg = self.config
        mail = MIMEText(message.body, "plain", "utf-8")
        mail["From"] = cfg.sender
        mail["To"] = address
        mail["Subject"] = Header(message.subject, "utf-8").encode()
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = message_id(message.delivery_id, cfg.domain)
        mail["X-Shouhu-Delivery"] = message.delivery_id
        if message.urgent:
            mail["Importance"] = "high"
        return mail

    def send(self, message: Message, address: str) -> str:
        mail = self.compose(message, address)
        try:
            self._deliver(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise ChannelError(f"recipient refused {codes}",
                               retryable=all(c < 500 for c in codes)) from exc
        except smtplib.SMTPResponseException as exc:
            raise ChannelError(f"SMTP {exc.smtp_code}", retryable=exc.smtp_code < 500) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(f"SMTP transport: {type(exc).__name__}") from exc
        return mail["Message-ID"]

    def _deliver(self, mail: MIMEText) -> None:
        """Send on this thread's connection. A refusal leaves it usable (smtplib sent
        RSET); any other error closes it; a kept connection found dropped before DATA
        is replaced and the message sent on the new one."""
        reused = self.connections.held()
        while True:
            smtp = self.connections.get()
            try:
                smtp.send_message(mail)
                return
            except OSError as exc:  # smtplib's errors are OSErrors too
                if _refused(exc):
                    raise
                self.connections.discard()
                if not (reused and _dropped(exc)) or smtp.data_started:
                    raise
                reused = False

    def close(self) -> None:
        self.connections.close()
