"""The parser never raises and never loses a message: hand-made and generated input."""

from __future__ import annotations

import email
import email.policy
import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.mail.parse import decode_bytes, header_block, header_hash, parse_message
from tests.ingest.mail.corpus import mail, malformed

CORPUS = malformed()


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_malformed_corpus_parses_without_raising(name: str) -> None:
    raw = CORPUS[name]
    p = parse_message(raw)
    assert p.content_hash == hashlib.sha256(raw).hexdigest()
    assert p.raw_size == len(raw)
    assert p.text is not None or p.parse_error is not None


def test_stdlib_default_policy_raises_where_we_do_not() -> None:
    """The documented trap: policy.default raises on an RFC 2231 `name*` with no value."""
    raw = CORPUS["rfc2231_no_value"]
    with pytest.raises(IndexError):
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        for part in msg.walk():
            part.get_filename()
    p = parse_message(raw)
    assert p.parse_error is None
    assert p.text == "bilag"
    assert [a["content_type"] for a in p.attachments] == ["application/pdf"]


def test_charset_fallbacks() -> None:
    assert decode_bytes("æøå".encode("iso-8859-1"), "iso-8859-1") == "æøå"
    assert decode_bytes("æøå".encode(), "x-klingon") == "æøå"  # unknown -> UTF-8
    assert decode_bytes("Søren".encode("cp1252"), "utf-8") == "Søren"  # lies -> cp1252
    assert decode_bytes(b"\x81\x8d", None)  # undefined in cp1252: replaced, not raised
    p = parse_message(CORPUS["wrong_charset"])
    assert p.text == "Søren æbler"
    p = parse_message(CORPUS["unknown_charset"])
    assert p.text == "Kære borger"
    p = parse_message(CORPUS["eight_bit_header"])
    assert p.subject == "Høring om børnepasning"
    assert p.from_addr == "d@example.org"


def test_fields_of_an_ordinary_message() -> None:
    p = parse_message(mail(3, extra="Cc: A <A@Example.DK>, b@example.dk\r\n"))
    assert p.subject == "Spørgsmål om min sag 3"
    assert p.from_addr == "borger3@example.org"
    assert p.to_addrs == ["advisor@example.dk"]
    assert p.cc_addrs == ["a@example.dk", "b@example.dk"]
    assert p.message_id == "<msg3@example.org>"
    assert p.sent_at is not None and p.sent_at.tzinfo is not None
    assert p.text.startswith("Kære borgerrådgiver,\njeg har")
    assert not p.is_auto and p.parse_error is None


def test_missing_date_and_message_id_and_empty_message() -> None:
    p = parse_message(CORPUS["no_date_no_msgid"])
    assert p.sent_at is None and p.message_id is None
    p = parse_message(b"")
    assert p.parse_error is None and p.text == "" and p.from_addr is None


def test_nested_message_is_an_attachment_and_html_only_becomes_text() -> None:
    p = parse_message(CORPUS["nested_rfc822"])
    assert p.text == "Se nedenfor"
    assert p.attachments[0]["content_type"] == "message/rfc822"
    assert p.attachments[0]["filename"] == "inner.eml"
    p = parse_message(CORPUS["html_only"])
    assert "Klage" in p.text and "afgørelsen" in p.text and "<p>" not in p.text


def test_header_hash_agrees_between_header_fetch_and_full_message() -> None:
    raw = mail(1)
    head = header_block(raw)
    assert header_hash(head) == header_hash(head.rstrip(b"\r\n") + b"\r\n")
    assert header_hash(head.replace(b"\r\n", b"\n")) == parse_message(raw).header_hash


def test_auto_generated_detection() -> None:
    def auto(extra: str) -> bool:
        return parse_message(mail(1, extra=extra)).is_auto

    assert auto("Auto-Submitted: auto-replied\r\n")
    assert not auto("Auto-Submitted: no\r\n")
    for prec in ("bulk", "list", "junk"):
        assert auto(f"Precedence: {prec}\r\n")
    assert auto("X-Autoreply: yes\r\n") and auto("X-Autorespond: x\r\n")
    assert auto("Return-Path: <>\r\n")
    assert not auto("Return-Path: <a@b.dk>\r\n")
    p = parse_message(mail(1, extra="Precedence: bulk\r\nList-Id: <nyt.example.org>\r\n"))
    assert p.headers["precedence"] == "bulk" and p.headers["list-id"] == "<nyt.example.org>"


# --------------------------------------------------------------------------- hypothesis

_header_value = st.binary(min_size=0, max_size=80).map(
    lambda b: b.replace(b"\r", b"").replace(b"\n", b"")
)
_ctype = st.sampled_from([
    b"text/plain", b"text/html", b"multipart/mixed; boundary=B", b"multipart/alternative",
    b"message/rfc822", b"application/pdf; name*", b"text/plain; charset=x-nope",
    b"text/plain; charset=\"utf-8", b"multipart/mixed; boundary=\"\"",
])
_cte = st.sampled_from([b"", b"base64", b"quoted-printable", b"8bit", b"x-uuencode", b"7bit"])


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    lines = []
    for name in draw(st.lists(st.sampled_from(
        [b"From", b"To", b"Subject", b"Date", b"Message-ID", b"Cc", b"References",
         b"Auto-Submitted", b"Precedence", b"Return-Path", b"Content-Disposition"]
    ), max_size=8)):
        lines.append(name + b": " + draw(_header_value))
    lines.append(b"Content-Type: " + draw(_ctype))
    cte = draw(_cte)
    if cte:
        lines.append(b"Content-Transfer-Encoding: " + cte)
    parts = draw(st.lists(st.binary(max_size=200), max_size=4))
    body = b""
    for part in parts:
        body += b"--B\r\n" + draw(st.sampled_from([b"", b"Content-Type: " + draw(_ctype)]))
        body += b"\r\n\r\n" + part + b"\r\n"
    if draw(st.booleans()):
        body += b"--B--\r\n"
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages())
def test_generated_messages_never_raise(raw: bytes) -> None:
    p = parse_message(raw)
    assert p.content_hash == hashlib.sha256(raw).hexdigest()
    assert p.text is not None or p.parse_error is not None
    _storable(p)


def _storable(p: object) -> None:
    """Every string a database must accept: UTF-8 encodable, no NUL."""
    import dataclasses
    import json

    blob = json.dumps(dataclasses.asdict(p), default=str, ensure_ascii=False)  # type: ignore[call-overload]
    blob.encode("utf-8")
    assert "\x00" not in blob and "\\u0000" not in blob


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    p = parse_message(raw)
    assert p.raw_size == len(raw)
    _storable(p)
    _storable(parse_message(raw, headers_only=True))


def test_surrogates_and_nul_are_made_storable() -> None:
    raw = (b"From: \xff\xfe <x@example.org>\r\nSubject: a\x00b \xed\xa0\x80\r\n"
           b"Message-ID: <a\x00b@x>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           b"\xed\xa0\x80 body\x00\r\n")
    p = parse_message(raw)
    _storable(p)
    assert p.subject is not None and "\x00" not in p.subject


def _bench_like(i: int) -> bytes:
    import random
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
    import bench_imap_sync

    return bench_imap_sync.make_message(i, random.Random(i))


@pytest.mark.parametrize("name", [*sorted(set(CORPUS) - {"huge_attachment"}), "bench"])
def test_fast_path_agrees_with_the_stdlib_path(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """fast-mail-parser only splits MIME: what is stored must not depend on it."""
    import ingest.mail.parse as parse_mod

    raws = [_bench_like(i) for i in range(40)] if name == "bench" else [CORPUS[name]]
    for raw in raws:
        fast = parse_message(raw)
        monkeypatch.setattr(parse_mod, "_fmp", None)
        slow = parse_message(raw)
        monkeypatch.undo()
        assert fast.text == slow.text
        assert [(a["filename"], a["content_type"]) for a in fast.attachments] == [
            (a["filename"], a["content_type"]) for a in slow.attachments
        ]
        assert (fast.subject, fast.from_addr, fast.sent_at, fast.is_auto) == (
            slow.subject, slow.from_addr, slow.sent_at, slow.is_auto
        )
