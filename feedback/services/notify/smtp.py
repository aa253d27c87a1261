"""Talking to the SMTP server (the only importer of smtplib), and naming its errors without their text."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
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
    password: str = field(repr=False)  # never in a log line or a traceback's locals
    sender: str
    timeout: float
    base_url: str

    @classmethod
    def from_config(cls, config) -> Server:
        return cls(host=config["MAIL_SERVER"], port=int(config["MAIL_PORT"]), use_tls=bool(config["MAIL_USE_TLS"]),
                   use_ssl=bool(config["MAIL_USE_SSL"]), username=config["MAIL_USERNAME"],
                   password=config["MAIL_PASSWORD"], sender=config["MAIL_FROM"],
                   timeout=float(config["MAIL_TIMEOUT"]), base_url=config["MAIL_BASE_URL"])


LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class NeedsTLS(Exception):
    """Refused to log in, or to send a submitter's notice, over plaintext SMTP to a host beyond this machine."""


def encrypted_or_local(server: Server) -> bool:
    """True when what is said to the server cannot be read on the way: TLS (either kind) or a loopback host."""
    return server.use_tls or server.use_ssl or server.host.strip("[]").lower() in LOOPBACK


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
    """Send one message; raises what smtplib raises (OSError included), or NeedsTLS for a plaintext login."""
    if server.username and not encrypted_or_local(server):
        raise NeedsTLS  # a password is never sent in the clear
    if server.use_ssl:
        client: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    try:
        if server.use_tls and not server.use_ssl:
            client.starttls(context=ssl.create_default_context())
        if server.username:
            client.login(server.username, server.password)
        client.send_message(message)
    except BaseException:
        client.close()
        raise
    # The server has accepted the message: what goes wrong from here on (a QUIT answered with 421, a
    # dropped connection) must not count as a failure, or the message would be sent again.
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def error_name(error: BaseException) -> str:
    """An exception's class and SMTP code only: SMTP replies can echo an address, so their text is never kept."""
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code = next(iter(error.recipients.values()))[0]
    return f"{type(error).__name__} {code}" if isinstance(code, int) else type(error).__name__
