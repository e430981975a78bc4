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
_ctype = st.sampled_from(
    [
        b"text/plain",
        b"text/html",
        b"multipart/mixed; boundary=B",
        b"multipart/alternative",
        b"message/rfc822",
        b"application/pdf; name*",
        b"text/plain; charset=x-nope",
        b'text/plain; charset="utf-8',
        b'multipart/mixed; boundary=""',
    ]
)
_cte = st.sampled_from([b"", b"base64", b"quoted-printable", b"8bit", b"x-uuencode", b"7bit"])


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    lines = []
    for name in draw(
        st.lists(
            st.sampled_from(
                [
                    b"From",
                    b"To",
                    b"Subject",
                    b"Date",
                    b"Message-ID",
                    b"Cc",
                    b"References",
                    b"Auto-Submitted",
                    b"Precedence",
                    b"Return-Path",
                    b"Content-Disposition",
                ]
            ),
            max_size=8,
        )
    ):
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
    raw = (
        b"From: \xff\xfe <x@example.org>\r\nSubject: a\x00b \xed\xa0\x80\r\n"
        b"Message-ID: <a\x00b@x>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"\xed\xa0\x80 body\x00\r\n"
    )
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
            slow.subject,
            slow.from_addr,
            slow.sent_at,
            slow.is_auto,
        )


# --------------------------------------------------------------------------- direct reads


def _stdlib_fields(block: bytes) -> list[tuple[str, str]]:
    from email.policy import compat32

    head = email.parser.BytesHeaderParser(policy=compat32).parsebytes(block)
    return [(str(n), str(v)) for n, v in head.raw_items()]


_ODD_BLOCKS = [
    b"Subject: a\r\n\tfolded\r\n  twice\r\nFrom:  x@y.dk \r\n\r\n",
    b"Subject:\r\nX-Empty:   \r\nTo: a@b.dk\n\n",
    b"Subject: no final newline",
    b"Subject: a\r\n\r\nNot: a header\r\n",
    b"Subject: \xe6\xf8\xe5 8-bit\r\nX-Tab:\tvalue\t\r\n\r\n",
    b"Subject: mixed\nTo: a@b.dk\r\n\r\n",
    b"A-Weird!Name~: v\r\n\r\n",
    b"Subject: a\x0bb\x0cc\x1cd\r\n\r\n",
]
_FALLBACK_BLOCKS = [
    b" continuation first\r\nSubject: a\r\n\r\n",
    b"From sender@example.org Mon Jan  1 00:00:00 2024\r\nSubject: a\r\n\r\n",
    b"Subject: bare\rcr\r\n\r\n",
    b": no name\r\nSubject: a\r\n\r\n",
    b"Subject: a\r\nnot a header line\r\nTo: b@c.dk\r\n\r\n",
    b"Bad Name: space in the name\r\n\r\n",
]


@pytest.mark.parametrize("name", [*sorted(CORPUS), "bench", "odd"])
def test_direct_header_read_is_compat32s(name: str) -> None:
    """`_raw_headers` gives exactly the (name, value) pairs of the stdlib's compat32
    header parser, or None so that the stdlib reads the message."""
    from ingest.mail.parse import _raw_headers

    if name == "bench":
        blocks = [header_block(_bench_like(i)) for i in range(40)]
    elif name == "odd":
        blocks = _ODD_BLOCKS
    else:
        blocks = [header_block(CORPUS[name])]
    for block in blocks:
        got = _raw_headers(block)
        if got is not None:
            assert got == _stdlib_fields(block), block[:200]
    assert all(_raw_headers(b) is not None for b in _ODD_BLOCKS)
    assert all(_raw_headers(b) is None for b in _FALLBACK_BLOCKS)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    b"Subject: ",
                    b"To: ",
                    b"From:",
                    b" ",
                    b"\t",
                    b"X-A: ",
                    b"From ",
                    b": ",
                    b"\r",
                    b"\n",
                    b"\r\n",
                    b"\r\n ",
                    b"=?utf-8?q?x?=",
                    b"\xe6",
                ]
            ),
            st.binary(max_size=12),
        ),
        max_size=25,
    ).map(b"".join)
)
def test_direct_header_read_agrees_on_arbitrary_bytes(block: bytes) -> None:
    from ingest.mail.parse import _raw_headers

    got = _raw_headers(block)
    if got is not None:
        assert got == _stdlib_fields(block)


_ADDRESS_VALUES = [
    "borger1@example.org",
    "Borger Jensen <borger1@example.org>",
    '"Jensen, Borger" <b.j@example.org>',
    "Børge Ærø <b+tag@sub.example.dk>",
    "a@b.dk, c@d.dk",
    "a@b.dk,, c@d.dk ,",
    "  <x@y.dk>  ",
    "Name<x@y.dk>",
    "undisclosed-recipients:;",
    "a@b.dk (comment)",
    "Jens H. Hansen <j@h.dk>",
    "<@route:a@b.dk>",
    '"a@b" <c@d.dk>',
    "a@[1.2.3.4]",
    "weird@",
    "@nolocal.dk",
    "a..b@c.dk",
    ".a@c.dk",
    "a@c.dk.",
    '"quoted local"@x.dk',
    "Hansen, Jens <j@h.dk>",
    "x@y.dk <z@w.dk>",
    "<a@b.dk> trailing",
    "Name <a@b.dk>, Other <c@d.dk>",
    "",
    '"unterminated <a@b.dk>',
    "Tab\tName <a@b.dk>",
    "a@b.dk;c@d.dk",
    "=?x?q?y?= <a@b.dk>",
]


def _stdlib_addrs(values: list[str]) -> list[str]:
    from email.utils import getaddresses

    return [a for _n, a in getaddresses(values)]


@pytest.mark.parametrize("value", _ADDRESS_VALUES)
def test_simple_address_read_is_getaddresses(value: str) -> None:
    from ingest.mail.parse import _simple_addresses

    got = _simple_addresses([value])
    if got is not None:
        assert got == [a for a in _stdlib_addrs([value]) if a]


def test_simple_address_read_covers_the_usual_forms() -> None:
    from ingest.mail.parse import _simple_addresses

    assert _simple_addresses(["Borger Jensen <borger1@example.org>", "a@b.dk, c@d.dk"]) == [
        "borger1@example.org",
        "a@b.dk",
        "c@d.dk",
    ]
    assert _simple_addresses(["Hansen, Jens <j@h.dk>"]) is None
    assert _simple_addresses(["a@b.dk (comment)"]) is None


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from([*'ab.@<>", ;:()[]\\æ\t-+', "x@y.dk", "Name ", "<a@b.dk>"]), max_size=20
        ).map("".join),
        min_size=1,
        max_size=3,
    )
)
def test_simple_address_read_agrees_on_arbitrary_text(values: list[str]) -> None:
    from ingest.mail.parse import _simple_addresses

    got = _simple_addresses(values)
    if got is not None:
        assert got == [a for a in _stdlib_addrs(values) if a]


@pytest.mark.parametrize("name", [*sorted(CORPUS), "bench"])
def test_direct_reads_store_what_the_stdlib_reads(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whole parses with and without the direct header and address reads are equal."""
    import dataclasses

    import ingest.mail.parse as parse_mod

    raws = [_bench_like(i) for i in range(40)] if name == "bench" else [CORPUS[name]]
    for raw in raws:
        fast = parse_message(raw)
        monkeypatch.setattr(parse_mod, "_raw_headers", lambda _b: None)
        monkeypatch.setattr(parse_mod, "_simple_addresses", lambda _v: None)
        slow = parse_message(raw)
        monkeypatch.undo()
        assert dataclasses.asdict(fast) == dataclasses.asdict(slow)
