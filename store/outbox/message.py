"""The reply as a careful mail client writes it (RFC 5322).

UTF-8 text, RFC 2047 encoded words in headers, In-Reply-To and References to the
citizen's mail so it lands in the thread, a Message-ID on the advisor's own domain, and
no Auto-Submitted header: a person sent it. A CR or LF in any header value is refused
here, whatever the caller checked: one stray line break in a subject or a name would
let text from a citizen's mail write headers (Bcc:) of the advisor's.
"""

from __future__ import annotations

import datetime as dt
import re
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from store.errors import UserError
from store.timeutil import CPH

_MSGID = re.compile(r"<[^<>\s]+@[^<>\s]+>")
# Enough of the thread for any client to place the reply; RFC 5322 suggests trimming.
MAX_REFERENCES = 20
# An address as the advisor types or a citizen's mail gives it: a dot-atom local part
# (RFC 5322 atext, no quoted strings or comments, which parsers read differently) at a
# domain of letters, digits and hyphens; at most 64 and 254 characters (RFC 5321).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_ADDR = re.compile(
    rf"{_ATEXT}(?:\.{_ATEXT})*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
)
MAX_LOCAL, MAX_ADDRESS = 64, 254


class MessageError(UserError):
    """A value that cannot go into a mail header, phrased for the user."""


def one_line(value: str, what: str) -> str:
    if "\r" in value or "\n" in value or "\0" in value:
        raise MessageError(f"{what} contains a line break; give it on one line")
    return value


def address(addr: str, what: str, display_name: str | None = None) -> Address:
    """A checked address. Non-ASCII local parts would need SMTPUTF8, which not every
    server offers, so they are refused rather than sent and bounced."""
    one_line(addr, what)
    if display_name is not None:
        one_line(display_name, f"{what} name")
    addr = addr.strip()
    bad = MessageError(f"{what} {addr[:100]!r} is not an e-mail address like navn@example.dk")
    local = addr.rpartition("@")[0]
    if len(local) > MAX_LOCAL or len(addr) > MAX_ADDRESS:
        raise MessageError(
            f"{what} is too long for an e-mail address (at most "
            f"{MAX_LOCAL} characters before the @ and {MAX_ADDRESS} in all)"
        )
    if not _ADDR.fullmatch(addr):
        raise bad
    try:
        checked = Address(display_name=display_name or "", addr_spec=addr)
    except (ValueError, IndexError, HeaderParseError):
        raise bad from None
    if checked.addr_spec != addr:  # the parser read it as something else: never send there
        raise bad
    return checked


def new_message_id(sender: str) -> str:
    """A fresh Message-ID on the sender's domain."""
    return make_msgid(domain=sender.rpartition("@")[2].lower() or "localhost")


def thread_ids(message_id: str | None, references: str | None) -> tuple[str | None, str]:
    """(In-Reply-To, References) for a reply to a mail with these headers. Only
    well-formed ids pass: they come from the citizen's mail."""
    refs = _MSGID.findall(references or "")
    parent = message_id.strip() if message_id else None
    if parent is not None and not _MSGID.fullmatch(parent):
        parent = None
    if parent is not None and parent not in refs:
        refs.append(parent)
    return parent, " ".join(refs[-MAX_REFERENCES:])


def build(
    *,
    sender: str,
    sender_name: str | None,
    to: str,
    to_name: str | None,
    subject: str,
    body: str,
    message_id: str,
    date: dt.datetime,
    in_reply_to: str | None,
    references: str,
) -> bytes:
    """The exact bytes to submit and to append to Sent (CRLF line ends)."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = address(sender, "from_address", sender_name)
    msg["To"] = address(to, "recipient", to_name)
    msg["Subject"] = one_line(subject, "subject")
    msg["Date"] = format_datetime(date.astimezone(CPH))
    msg["Message-ID"] = one_line(message_id, "Message-ID")
    if in_reply_to:
        msg["In-Reply-To"] = one_line(in_reply_to, "In-Reply-To")
    if references:
        msg["References"] = one_line(references, "References")
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    msg.set_content(text, charset="utf-8", cte="quoted-printable")
    return msg.as_bytes()
