"""A real SMTP submission server for tests: aiosmtpd in-process, STARTTLS (or implicit
TLS) with a certificate from a throwaway CA, AUTH PLAIN/LOGIN against one password and
XOAUTH2 against one bearer token, recipients it refuses on demand, and an optional
`deliver` hook (a server that files submissions in Sent, as Microsoft 365 does)."""

from __future__ import annotations

import asyncio
import base64
import email
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from ingest.mail.embedded_server import free_port
from tests.daemon.tls import make_certs


@dataclass
class Sink:
    password: str
    token: str = "test-bearer-token"
    refuse: set[str] = field(default_factory=set)
    deliver: Callable[[bytes], None] | None = None
    received: list[bytes] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)  # (mechanism, user)
    # Hold the client at "DATA" (its message read, no answer yet) or "QUIT" (accepted):
    # `reached` is set there, and the server answers once `release` is set.
    hold: str | None = None
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def _hold(self, step: str) -> None:
        if self.hold == step:
            self.reached.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)

    @property
    def messages(self) -> list[Message]:
        return [email.message_from_bytes(r) for r in self.received]

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await self._hold("DATA")
        raw = envelope.original_content or envelope.content
        self.received.append(raw)
        if self.deliver is not None:
            self.deliver(raw)
        return "250 2.0.0 Ok: queued"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        await self._hold("QUIT")
        return "221 Bye"

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        if len(args) < 2:
            return AuthResult(success=False)
        parts = base64.b64decode(args[1]).decode().split("\x01")
        user = parts[0].removeprefix("user=")
        ok = f"auth=Bearer {self.token}" in parts
        if ok:
            self.logins.append(("XOAUTH2", user))
        return AuthResult(success=ok, handled=False, auth_data=user)

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == self.password.encode()
        if ok:
            self.logins.append((mechanism, auth_data.login.decode()))
        # handled=False: aiosmtpd then answers 535 (its default, handled=True, means the
        # hook already answered, and the client would wait for a reply forever).
        return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    host: str
    port: int
    ca: Path
    sink: Sink


@contextmanager
def smtp_server(
    folder: Path, password: str, *, implicit_tls: bool = False, exclude: tuple[str, ...] = ()
) -> Iterator[SmtpServer]:
    folder.mkdir(parents=True, exist_ok=True)
    ca, cert, key = make_certs(folder)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    sink = Sink(password=password)
    port = free_port()
    controller = Controller(
        sink, hostname="127.0.0.1", port=port,
        tls_context=None if implicit_tls else ctx,
        ssl_context=ctx if implicit_tls else None,
        require_starttls=not implicit_tls, authenticator=sink.authenticate,
        # aiosmtpd counts only STARTTLS as TLS; an implicit-TLS session is TLS too.
        auth_require_tls=not implicit_tls, auth_exclude_mechanism=list(exclude),
    )  # fmt: skip
    controller.start()
    try:
        yield SmtpServer(host="127.0.0.1", port=port, ca=ca, sink=sink)
    finally:
        controller.stop()
