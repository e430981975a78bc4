"""The FETCH answers of a batch, read directly where they have the usual shape: the same
as imapclient's reading, against real servers (pymap in-process; Dovecot when installed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import ingest.mail.fetch as imap
from ingest.mail.connect import connect
from tests.ingest.mail.corpus import mail, malformed


def test_direct_reading_is_imapclients(
    make_server: Any, make_config: Any, password_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = malformed()
    srv = make_server({"INBOX": [mail(i) for i in range(12)] + list(bad.values())})
    password_env(srv)
    account = make_config(srv).mail.accounts[0]
    client = connect(account, password=srv.password)
    try:
        imap.examine(client, "INBOX")
        uids = imap.uids_from(client, 1)
        asked = [*uids, max(uids) + 50]  # one UID that is not there (expunged)
        lexed: list[int] = []
        real = imap.parse_fetch_response
        monkeypatch.setattr(imap, "parse_fetch_response", lambda *a: lexed.append(1) or real(*a))
        direct = (imap.fetch_headers(client, asked), imap.fetch_bodies(client, asked))
        if type(srv).__name__ == "DovecotServer":
            assert lexed == [], "Dovecot's answers were not read directly"
        monkeypatch.setattr(imap, "_direct", lambda *_a: None)
        via_imapclient = (imap.fetch_headers(client, asked), imap.fetch_bodies(client, asked))
    finally:
        client.logout()
    assert direct == via_imapclient
    headers, bodies = direct
    assert sorted(headers) == sorted(bodies) == uids
    assert all(
        h.internaldate is not None and h.internaldate.tzinfo is dt.UTC for h in headers.values()
    )
    assert all(headers[u].size == len(bodies[u]) for u in uids)


def test_direct_reading_takes_only_the_usual_shape() -> None:
    ok = [(b"1 (UID 7 BODY[] {3}", b"abc"), b")"]
    assert [
        (int(m.group(1)), raw) for m, raw in imap._direct(ok, imap._BODY_ANSWER, {7}) or []
    ] == [(7, b"abc")]
    for data in (
        [(b"1 (UID 7 BODY[] {4}", b"abc"), b")"],  # the length does not match
        [(b"1 (BODY[] {3}", b"abc"), b" UID 7)"],  # UID after the literal
        [(b"1 (UID 7 FLAGS (\\Seen) BODY[] {3}", b"abc"), b")"],
        [b"2 (UID 8 FLAGS (\\Seen))", (b"1 (UID 7 BODY[] {3}", b"abc"), b")"],
        [(b"1 (UID 9 BODY[] {3}", b"abc"), b")"],  # not asked for
    ):
        assert imap._direct(data, imap._BODY_ANSWER, {7}) is None, data
    head = [
        (
            b'1 (UID 7 RFC822.SIZE 10 INTERNALDATE "06-Dec-2026 21:02:46 +0100" BODY[HEADER] {3}',
            b"a: ",
        ),
        b")",
    ]
    got = imap._direct(head, imap._HEADER_ANSWER, {7})
    assert got is not None and got[0][0].group(3) == b"06-Dec-2026 21:02:46 +0100"
