"""Test messages: ordinary Danish mail and a malformed corpus."""

from __future__ import annotations

import base64
import datetime as dt
from email.utils import format_datetime

BASE = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def mail(
    n: int,
    *,
    sender: str = "borger{n}@example.org",
    to: str = "advisor@example.dk",
    subject: str = "Spørgsmål om min sag {n}",
    body: str = "Kære borgerrådgiver,\njeg har ikke fået svar på min ansøgning. Mvh {n}\n",
    msgid: bool = True,
    extra: str = "",
    when: dt.datetime | None = None,
) -> bytes:
    when = when or BASE + dt.timedelta(minutes=n)
    head = (
        f"From: Borger {n} <{sender.format(n=n)}>\r\n"
        f"To: {to}\r\n"
        f"Subject: =?utf-8?b?{base64.b64encode(subject.format(n=n).encode()).decode()}?=\r\n"
        f"Date: {format_datetime(when)}\r\n"
        + (f"Message-ID: <msg{n}@example.org>\r\n" if msgid else "")
        + "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n" + extra
    )
    return head.encode() + b"\r\n" + body.format(n=n).replace("\n", "\r\n").encode()


def sent(n: int, *, to: str = "borger{n}@example.org", in_reply_to: int | None = None) -> bytes:
    extra = ""
    if in_reply_to is not None:
        extra = (
            f"In-Reply-To: <msg{in_reply_to}@example.org>\r\n"
            f"References: <msg{in_reply_to}@example.org>\r\n"
        )
    raw = mail(
        10_000 + n,
        sender="advisor@example.dk",
        to=to.format(n=n),
        subject="Sv: din henvendelse",
        body="Tak for din mail. Jeg vender tilbage.\n",
        extra=extra,
    )
    return raw.replace(b"From: Borger", b"From: Advisor", 1)


def malformed() -> dict[str, bytes]:
    """Hand-made messages that have broken real parsers."""
    big = (b"A" * 76 + b"\r\n") * (61 * 1024 * 1024 // 78)
    return {
        "broken_boundary": b"From: a@example.org\r\nSubject: broken\r\nContent-Type: "
        b'multipart/mixed; boundary="XYZ"\r\n\r\n--ABC\r\nContent-Type: text/plain\r\n\r\n'
        b"tekst\r\n--ABC--\r\n",
        "unknown_charset": b"From: b@example.org\r\nSubject: =?x-unknown-cs?q?K=E6re?=\r\n"
        b"Content-Type: text/plain; charset=x-klingon\r\n\r\nK\xe6re borger\r\n",
        "wrong_charset": b"From: c@example.org\r\nSubject: wrong\r\nContent-Type: text/plain;"
        b" charset=utf-8\r\n\r\nS\xf8ren \xe6bler\r\n",
        "eight_bit_header": "From: Søren Æblegård <d@example.org>\r\nSubject: Høring "
        "om børnepasning\r\n\r\nbody\r\n".encode("cp1252"),
        "no_date_no_msgid": b"From: e@example.org\r\nSubject: none\r\n\r\nno date\r\n",
        "nested_rfc822": b"From: f@example.org\r\nSubject: fwd\r\nContent-Type: multipart/"
        b"mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nSe nedenfor\r\n--B\r\n"
        b"Content-Type: message/rfc822\r\n\r\nFrom: g@example.org\r\nSubject: inner\r\n"
        b"Content-Type: multipart/mixed; boundary=C\r\n\r\n--C\r\nContent-Type: message/"
        b"rfc822\r\n\r\nFrom: h@example.org\r\nSubject: innermost\r\n\r\ndybt\r\n--C--\r\n"
        b"--B--\r\n",
        "rfc2231_no_value": b"From: i@example.org\r\nSubject: att\r\nContent-Type: multipart/"
        b"mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nbilag\r\n--B\r\n"
        b"Content-Type: application/pdf; name*\r\nContent-Disposition: attachment; "
        b"filename*\r\nContent-Transfer-Encoding: base64\r\n\r\nQUJD\r\n--B--\r\n",
        "html_only": b"From: j@example.org\r\nSubject: html\r\nContent-Type: text/html; "
        b"charset=windows-1252\r\n\r\n<html><body><h1>Klage</h1><p>Jeg er utilfreds med "
        b"<b>afg\xf8relsen</b>.</p><script>alert(1)</script></body></html>\r\n",
        "empty": b"",
        "huge_attachment": b"From: k@example.org\r\nSubject: stort bilag\r\nMessage-ID: "
        b"<huge@example.org>\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
        b"Content-Type: text/plain\r\n\r\nse bilag\r\n--B\r\nContent-Type: application/"
        b"octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" + big + b"--B--\r\n",
        "bad_base64": b"From: l@example.org\r\nSubject: b64\r\nContent-Type: text/plain\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64@@@\r\n",
        "bad_date": b"From: m@example.org\r\nDate: 31 Feb 99999 25:61 +9999\r\nSubject: d\r\n"
        b"\r\nx\r\n",
        "no_from": b"Subject: anonymous\r\n\r\nwho sent this\r\n",
    }
