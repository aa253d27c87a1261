"""A real SMTP server on loopback (aiosmtpd), for tests that read the mail the app sent."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    """One message as the server got it: the envelope and the parsed message."""

    envelope_to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def body(self) -> str:
        return self.message.get_content()

    @property
    def raw(self) -> str:
        return self.message.as_string()


@dataclass
class Handler:
    """Keeps what it receives; refuse_with makes it answer every recipient with that reply instead."""

    received: list[Received] = field(default_factory=list)
    refuse_with: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if self.refuse_with:
            return self.refuse_with.format(address=address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted"


class MailServer:
    """A running local SMTP server: received, refuse(reply), stop(), and the app settings that point at it."""

    def __init__(self, login: tuple[str, str] | None = None, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = free_port()
        self.handler = Handler()
        self.login = login
        self.logins: list[str] = []
        # Logins over plain loopback: there is no certificate here to offer STARTTLS with.
        options = {"authenticator": self._authenticate, "auth_require_tls": False} if login else {}
        self.controller = Controller(self.handler, hostname=host, port=self.port, **options)
        self.controller.start()
        self.running = True

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and self.login is not None and \
            (auth_data.login.decode(), auth_data.password.decode()) == self.login
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def refuse(self, reply: str | None) -> None:
        """Answer each recipient with reply ('{address}' is replaced by it), or accept again with None."""
        self.handler.refuse_with = reply

    def stop(self) -> None:
        if self.running:
            self.controller.stop()
            self.running = False

    def config(self) -> dict:
        return {"MAIL_SERVER": self.host, "MAIL_PORT": self.port, "MAIL_TIMEOUT": 5.0,
                "MAIL_BASE_URL": "https://feedback.example.org", "MAIL_FROM": "Feedback <no-reply@example.org>"}


@pytest.fixture
def mail_server_with_login():
    """A local SMTP server that checks a login (mailer / a mail password) and records who logged in."""
    server = MailServer(login=("mailer", "a mail password"))
    yield server
    server.stop()


@pytest.fixture
def mail_server_not_on_loopback():
    """A local SMTP server the app reaches as 127.0.0.2: not a loopback name the plaintext rule accepts."""
    server = MailServer(host="127.0.0.2")
    yield server
    server.stop()


@pytest.fixture
def mail_server():
    server = MailServer()
    yield server
    server.stop()
