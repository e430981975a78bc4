"""Opening an authenticated IMAP connection for a configured account.

- TLS verifies the certificate and host name (the stdlib default context), optionally
  against a custom CA file; STARTTLS is required, never opportunistic, when configured.
- `security = "none"` is accepted only for a loopback host (checked by the config too).
- Password login, or XOAUTH2 with a token from msal (`ingest.mail.oauth`).
- Every failure becomes a `MailError`: one line saying what failed and what to check. The
  username is masked and no secret ever appears in a message.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import imapclient
from imapclient.exceptions import IMAPClientError, LoginError

from store.addresses import mask
from store.errors import UserError
from store.secrets import get_secret, mail_key

if TYPE_CHECKING:
    # Not at run time: the config machinery (pydantic, the whole config model) costs a
    # large folder's fetch process ~0.4 s of start-up, and it only needs an Endpoint.
    from store.config.mail import MailAccount

DEFAULT_TIMEOUT = 60.0

# imapclient logs every command and response at DEBUG: addresses ("Logged in as ..."),
# message bytes. Logs must never carry those, whatever level the daemon runs at.
logging.getLogger("imapclient").setLevel(logging.WARNING)


class MailError(UserError):
    """A mail account problem, phrased as one line for the user and the status view."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """What opening a connection and logging in needs, as plain data. Built only from a
    validated account (`of`), so the transport rules hold for it; it is what a large
    folder's fetch process gets instead of the config."""

    name: str
    host: str
    port: int
    security: str
    ca_file: str | None
    username: str
    auth: str

    @classmethod
    def of(cls, account: MailAccount) -> Endpoint:
        from store.config.mail import is_loopback

        if account.security == "none" and not is_loopback(account.host):
            raise MailError(f'{_where(account)}: security = "none" is only allowed for loopback')
        return cls(
            name=account.name,
            host=account.host,
            port=account.effective_port,
            security=account.security,
            ca_file=str(account.ca_file.expanduser()) if account.ca_file else None,
            username=account.username,
            auth=account.auth,
        )


def ssl_context(ep: Endpoint) -> ssl.SSLContext:
    try:
        ctx = ssl.create_default_context(cafile=ep.ca_file)
    except (OSError, ssl.SSLError) as e:
        raise MailError(f"account {ep.name}: cannot load ca_file {ep.ca_file}: {e}") from None
    # create_default_context already sets CERT_REQUIRED and check_hostname; stated here
    # so nobody "fixes" it by accident.
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def _where(account: MailAccount | Endpoint) -> str:
    port = account.port if isinstance(account, Endpoint) else account.effective_port
    return f"account {account.name} ({account.host}:{port})"


def open_connection(account: MailAccount, *, timeout: float = DEFAULT_TIMEOUT) -> Any:
    """A connected (not yet logged in) IMAPClient, with transport security applied."""
    return open_endpoint(Endpoint.of(account), timeout=timeout)


def open_endpoint(account: Endpoint, *, timeout: float = DEFAULT_TIMEOUT) -> Any:
    ctx = ssl_context(account) if account.security != "none" else None
    try:
        client = imapclient.IMAPClient(
            account.host,
            port=account.port,
            ssl=account.security == "tls",
            ssl_context=ctx,
            timeout=timeout,
        )
        if account.security == "starttls":
            if b"STARTTLS" not in client.capabilities():
                raise MailError(
                    f"{_where(account)}: the server does not offer STARTTLS; use "
                    'security = "tls" (usually port 993)'
                )
            client.starttls(ctx)
    except ssl.SSLCertVerificationError as e:
        raise MailError(
            f"{_where(account)}: the server's certificate was not accepted "
            f"({e.verify_message}); if it uses a private CA, set ca_file"
        ) from None
    except ssl.SSLError as e:
        raise MailError(
            f"{_where(account)}: TLS failed ({e.reason or e}); check security "
            "and port (tls is usually 993, starttls 143)"
        ) from None
    except socket.gaierror:
        raise MailError(f"{_where(account)}: host name not found; check host") from None
    except TimeoutError:
        raise MailError(
            f"{_where(account)}: no answer within {timeout:.0f} s; check host, port and firewall"
        ) from None
    except ConnectionRefusedError:
        raise MailError(f"{_where(account)}: connection refused; check host and port") from None
    except OSError as e:
        raise MailError(f"{_where(account)}: cannot connect ({e.strerror or e})") from None
    except IMAPClientError as e:
        raise MailError(f"{_where(account)}: IMAP error on connect ({e})") from None
    client.normalise_times = False
    # imapclient sets imaplib's debug level to 5 and routes it to a logger, so imaplib
    # formats repr() of every response line and literal (whole message bodies) and, per
    # command, of the whole response list, whether or not anything is logged. On a first
    # sync that formatting was ~85 % of the client's fetch CPU (bare BODY.PEEK[] loop:
    # 0.22 ms/message with it, 0.04 without). Off, message bytes also never reach a log.
    client._imap.debug = 0
    return client


def login(
    client: Any,
    account: MailAccount | Endpoint,
    *,
    password: str | None = None,
    token: str | None = None,
) -> None:
    """Log in with the account's method. The secret is looked up unless given (an
    Endpoint always comes with its secret)."""
    user = mask(account.username.lower()) if "@" in account.username else "****"
    if account.auth == "xoauth2":
        if token is None:
            from ingest.mail.oauth import acquire_token

            assert not isinstance(account, Endpoint)
            token = acquire_token(account)
        try:
            client.oauth2_login(account.username, token)
        except (LoginError, IMAPClientError) as e:
            raise MailError(
                f"{_where(account)}: the server refused the OAuth token for {user} "
                f"({_short(e)}). Check: the app registration has IMAP.AccessAsUser.All "
                "(device login) or IMAP.AccessAsApp with admin consent (daemon); for a "
                "daemon, the service principal was granted the mailbox "
                "(Add-MailboxPermission); IMAP is enabled for the mailbox; then run "
                f"'borgerdesk mail login {account.name}'"
            ) from None
        return
    if password is None:
        assert not isinstance(account, Endpoint)
        password = get_secret(
            mail_key(account.name), env=account.password_env, file=account.password_file
        )
    try:
        client.login(account.username, password)
    except LoginError as e:
        raise MailError(
            f"{_where(account)}: login refused for {user} ({_short(e)}); check username "
            f"and password ('borgerdesk mail set-password {account.name}')"
        ) from None
    except IMAPClientError as e:
        raise MailError(f"{_where(account)}: login failed ({_short(e)})") from None


def _short(e: BaseException) -> str:
    text = str(e)
    if isinstance(e.args[0] if e.args else None, bytes):
        text = e.args[0].decode("utf-8", "replace")
    return " ".join(text.split())[:200]


def connect(
    account: MailAccount | Endpoint,
    *,
    password: str | None = None,
    token: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Any:
    """Connected and logged in."""
    if isinstance(account, Endpoint):
        client = open_endpoint(account, timeout=timeout)
    else:
        client = open_connection(account, timeout=timeout)
    try:
        login(client, account, password=password, token=token)
    except BaseException:
        with contextlib.suppress(Exception):
            client.shutdown()
        raise
    return client
