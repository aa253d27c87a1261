"""Talking to the SMTP server (the only importer of smtplib), and naming its errors without their text."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


@dataclass(frozen=True)
class Server:
    """The MAIL_* settings the sender needs."""

    host: str
    port: int
    use_tls: bool
    use_ssl: bool
    username: str
    password: str
    sender: str
    timeout: float
    base_url: str

    @classmethod
    def from_config(cls, config) -> Server:
        return cls(host=config["MAIL_SERVER"], port=int(config["MAIL_PORT"]), use_tls=bool(config["MAIL_USE_TLS"]),
                   use_ssl=bool(config["MAIL_USE_SSL"]), username=config["MAIL_USERNAME"],
                   password=config["MAIL_PASSWORD"], sender=config["MAIL_FROM"],
                   timeout=float(config["MAIL_TIMEOUT"]), base_url=config["MAIL_BASE_URL"])


def compose(server: Server, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = server.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="town-hall-feedback")
    message.set_content(body)
    return message


def send(server: Server, message: EmailMessage) -> None:
    """Send one message; raises what smtplib raises (OSError included)."""
    if server.use_ssl:
        client: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    with client:
        if server.use_tls and not server.use_ssl:
            client.starttls(context=ssl.create_default_context())
        if server.username:
            client.login(server.username, server.password)
        client.send_message(message)


def error_name(error: BaseException) -> str:
    """An exception's class and SMTP code only: SMTP replies can echo an address, so their text is never kept."""
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code = next(iter(error.recipients.values()))[0]
    return f"{type(error).__name__} {code}" if isinstance(code, int) else type(error).__name__
