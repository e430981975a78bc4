"""SMTP submission of one reply through the advisor's own account.

587 with STARTTLS (required, never opportunistic) or 465 with TLS, certificates and host
name verified (the same context as IMAP, `ca_file` included); plain SMTP only to a
loopback host. Password auth from the IMAP secret sources, or XOAUTH2 with the account's
Microsoft 365 token for the SMTP.Send scope.

What went wrong decides what the outbox does, so every failure is a `SubmitError` with an
`outcome`:
- "retry": the server never took the message (cannot connect, wrong password, a 4xx):
  queued again, retried later;
- "failed": refused for good (a 5xx on a recipient, the sender or the data): not retried,
  the server's words kept;
- "unknown": the connection broke after the message's data was sent, before the server's
  answer: it may have been accepted. Never retried blindly (the Sent folder decides).
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
from collections.abc import Callable
from typing import Literal

from ingest.mail.connect import Endpoint, MailError, ssl_context
from store.config.mail import MailAccount, is_loopback
from store.secrets import get_secret, mail_key

Outcome = Literal["retry", "failed", "unknown"]
DEFAULT_TIMEOUT = 60.0


class SubmitError(MailError):
    def __init__(self, message: str, outcome: Outcome) -> None:
        super().__init__(message)
        self.outcome = outcome


def _where(account: MailAccount) -> str:
    return f"account {account.name} (SMTP {account.smtp_host}:{account.effective_smtp_port})"


def _words(code: int, msg: bytes | str) -> str:
    text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else msg
    return f"{code} {' '.join(text.split())}"[:300]


def xoauth2(username: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (base64 is added by smtplib)."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01"


def _open(account: MailAccount, timeout: float) -> smtplib.SMTP:
    host = account.smtp_host
    assert host is not None
    if account.smtp_security == "none" and not is_loopback(host):
        raise SubmitError(
            f'{_where(account)}: smtp_security = "none" is only allowed for loopback', "failed"
        )
    ctx = ssl_context(Endpoint.of(account)) if account.smtp_security != "none" else None
    port = account.effective_smtp_port
    try:
        if account.smtp_security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ctx)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        smtp.ehlo()
        if account.smtp_security == "starttls":
            if not smtp.has_extn("starttls"):
                smtp.close()
                raise SubmitError(
                    f"{_where(account)}: the server does not offer STARTTLS; "
                    'use smtp_security = "tls" (usually port 465)',
                    "retry",
                )
            smtp.starttls(context=ctx)
            smtp.ehlo()
    except ssl.SSLCertVerificationError as e:
        raise SubmitError(
            f"{_where(account)}: the server's certificate was not accepted "
            f"({e.verify_message}); if it uses a private CA, set ca_file",
            "retry",
        ) from None
    except ssl.SSLError as e:
        raise SubmitError(
            f"{_where(account)}: TLS failed ({e.reason or e}); check "
            "smtp_security and smtp_port (tls 465, starttls 587)",
            "retry",
        ) from None
    except socket.gaierror:
        raise SubmitError(
            f"{_where(account)}: host name not found; check smtp_host", "retry"
        ) from None
    except (OSError, smtplib.SMTPException) as e:
        raise SubmitError(
            f"{_where(account)}: cannot connect ({_short(e)}); the reply stays "
            "queued and is retried",
            "retry",
        ) from None
    return smtp


def _short(e: BaseException) -> str:
    if isinstance(e, smtplib.SMTPResponseException):
        return _words(e.smtp_code, e.smtp_error)
    return " ".join((getattr(e, "strerror", None) or str(e) or type(e).__name__).split())[:200]


def _login(
    smtp: smtplib.SMTP, account: MailAccount, password: str | None, token: str | None
) -> None:
    try:
        if account.auth == "xoauth2":
            if token is None:
                from ingest.mail.oauth import SMTP_SCOPES, acquire_token

                token = acquire_token(account, scopes=SMTP_SCOPES)
            bearer = token
            smtp.auth("XOAUTH2", lambda challenge=None: xoauth2(account.username, bearer))
        else:
            if password is None:
                password = get_secret(
                    mail_key(account.name), env=account.password_env, file=account.password_file
                )
            # One mechanism, one try: smtplib.login would try each offered mechanism with
            # the same wrong password (and some servers stall on the second).
            offered = (smtp.esmtp_features.get("auth") or "").upper().split()
            if "AUTH" not in (k.upper() for k in smtp.esmtp_features) or not offered:
                raise smtplib.SMTPNotSupportedError
            smtp.user, smtp.password = account.username, password
            if "PLAIN" in offered:
                smtp.auth("PLAIN", smtp.auth_plain)
            elif "LOGIN" in offered:
                smtp.auth("LOGIN", smtp.auth_login, initial_response_ok=False)
            else:
                raise smtplib.SMTPNotSupportedError
    except smtplib.SMTPAuthenticationError as e:
        what = (
            "the OAuth token (expired, or the app lacks SMTP.Send; run 'borgerdesk mail "
            f"login {account.name}')"
            if account.auth == "xoauth2"
            else f"the password ('borgerdesk mail set-password {account.name}')"
        )
        raise SubmitError(
            f"{_where(account)}: login refused ({_words(e.smtp_code, e.smtp_error)})"
            f"; check {what}; the reply stays queued",
            "retry",
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise SubmitError(
            f"{_where(account)}: the server offers no login; SMTP AUTH may be "
            "disabled for the mailbox (docs/replying.md)",
            "retry",
        ) from None
    except (OSError, smtplib.SMTPException) as e:
        raise SubmitError(
            f"{_where(account)}: login failed ({_short(e)}); the reply stays queued", "retry"
        ) from None


def submit(
    account: MailAccount,
    raw: bytes,
    *,
    sender: str,
    recipient: str,
    password: str | None = None,
    token: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    before_data: Callable[[], None] | None = None,
) -> None:
    """Hand `raw` to the account's submission server, for `recipient` only. Returns when
    the server has accepted it; raises `SubmitError` otherwise."""
    if not account.smtp_host:
        raise SubmitError(
            f"account {account.name}: no smtp_host; set "
            f"mail.accounts[].smtp_host for {account.name} in the config",
            "retry",
        )
    smtp = _open(account, timeout)
    data_sent = False
    try:
        _login(smtp, account, password, token)
        code, msg = smtp.mail(sender)
        if code != 250:
            raise SubmitError(
                f"{_where(account)}: sender {sender} refused ({_words(code, msg)})",
                "failed" if code >= 500 else "retry",
            )
        code, msg = smtp.rcpt(recipient)
        if code not in (250, 251):
            raise SubmitError(
                f"{_where(account)}: recipient {recipient} refused ({_words(code, msg)})",
                "failed" if code >= 500 else "retry",
            )
        # From here on a broken connection may hide an acceptance; the caller records that
        # (committed) before the first byte of the message goes out.
        if before_data is not None:
            before_data()
        data_sent = True
        code, msg = smtp.data(raw)
        if code != 250:
            raise SubmitError(
                f"{_where(account)}: message refused ({_words(code, msg)})",
                "failed" if code >= 500 else "retry",
            )
    except SubmitError:
        raise
    except smtplib.SMTPResponseException as e:
        outcome: Outcome = "failed" if e.smtp_code >= 500 else "retry"
        if data_sent and e.smtp_code == 421:
            outcome = "unknown"
        raise SubmitError(f"{_where(account)}: {_short(e)}", outcome) from None
    except (OSError, smtplib.SMTPException) as e:
        outcome = "unknown" if data_sent else "retry"
        raise SubmitError(f"{_where(account)}: connection lost ({_short(e)})", outcome) from None
    finally:
        with contextlib.suppress(Exception):
            smtp.quit()
        with contextlib.suppress(Exception):
            smtp.close()
