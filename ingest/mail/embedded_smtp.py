"""The demo's submission server: aiosmtpd on loopback that files every accepted message
in the embedded IMAP server's Sent folder, as Microsoft 365 files SMTP submissions in
Sent Items. So `borgerdesk demo` can send a reply and show the target met, and the next
sync finds the copy in Sent.

Plain SMTP with AUTH PLAIN/LOGIN against the IMAP server's password: allowed only because
both are on loopback (`smtp_security = "none"` is refused for any other host). aiosmtpd
is a development dependency; without it the demo simply cannot send.
"""

from __future__ import annotations

from typing import Any

from ingest.mail.embedded_server import EmbeddedServer, free_port


class SubmissionSink:
    def __init__(self, imap: EmbeddedServer, *, folder: str = "Sent") -> None:
        self.imap = imap
        self.folder = folder
        self.host = "127.0.0.1"
        self.port = 0
        self._controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        self.imap.append(self.folder, envelope.original_content or envelope.content)
        return "250 2.0.0 Ok: filed in Sent"

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.imap.username
            and auth_data.password.decode() == self.imap.password
        )
        # handled=False: aiosmtpd answers 535 itself on a failure.
        return AuthResult(success=ok, handled=False)

    def start(self) -> SubmissionSink:
        from aiosmtpd.controller import Controller

        self.port = free_port(self.host)
        self._controller = Controller(
            self, hostname=self.host, port=self.port, authenticator=self._authenticate,
            auth_require_tls=False,
        )  # fmt: skip
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def available() -> bool:
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        return False
    return True
