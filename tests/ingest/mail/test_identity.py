"""Mail identity rests on the content: a message is its whole bytes' hash. Forms, alarms
and scanners send mail whose header block and size repeat exactly; only the body tells
two such messages apart, so a second one must be fetched and stored, and the same
message seen again (another folder, a UIDVALIDITY change, a re-sync) must not be."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from ingest.mail.embedded_server import EmbeddedServer
from ingest.mail.sync import sync_all
from store.db import make_engine
from store.models import Contact, EmailMessage, MailLocation

ALARM_HEAD = (
    b"From: alarm@example.org\r\nSubject: Besked fra borger\r\n"
    b"Date: Mon, 2 Mar 2026 10:00:00 +0100\r\n\r\n"
)


def alarm(body: str) -> bytes:
    """The issue's reproduction: one header block, a 130-byte body."""
    data = body.encode().ljust(128, b".") + b"\r\n"
    assert len(data) == 130
    return ALARM_HEAD + data


def count(engine: Engine, model: Any) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def deliver(srv: Any, folder: str, raw: bytes) -> None:
    if isinstance(srv, EmbeddedServer):
        srv.append(folder, raw)
    else:
        srv.deliver(folder, raw)


def test_same_headers_and_size_but_another_body_is_a_new_message(
    make_server: Any, make_config: Any, password_env: Any, engine: Engine
) -> None:
    srv = make_server({"INBOX": [alarm("Borger 1 ringede om sin sag")]})
    password_env(srv)
    cfg = make_config(srv, folders=["INBOX"])
    first = sync_all(engine=engine, config=cfg)
    assert first[0].error is None and first[0].new == 1
    deliver(srv, "INBOX", alarm("Borger 2 ringede om noget andet"))
    second = sync_all(engine=engine, config=cfg)
    assert second[0].error is None
    assert (second[0].new, second[0].located) == (1, 0)
    assert count(engine, EmailMessage) == 2 and count(engine, Contact) == 2
    with Session(engine) as s:
        texts = sorted(s.execute(select(EmailMessage.text)).scalars())
    assert [t.split(".")[0] for t in texts] == [
        "Borger 1 ringede om sin sag",
        "Borger 2 ringede om noget andet",
    ]
    # And a re-sync changes nothing.
    third = sync_all(engine=engine, config=cfg)
    assert third[0].unchanged and count(engine, EmailMessage) == 2
    assert count(engine, MailLocation) == 2


def test_too_large_messages_with_the_same_headers_and_size_stay_apart(
    make_server: Any, make_config: Any, password_env: Any, engine: Engine
) -> None:
    """Above max_message_bytes only the headers are kept, but the message is still known
    by its whole bytes (read in pieces), never by its headers and size."""
    big = [ALARM_HEAD + (c * 3000).encode() + b"\r\n" for c in "ab"]
    srv = make_server({"INBOX": big, "Sager": [big[0]]})
    password_env(srv)
    cfg = make_config(srv, folders=["INBOX", "Sager"], max_message_bytes=1024)
    reports = sync_all(engine=engine, config=cfg)
    assert [r.error for r in reports] == [None, None]
    assert [(r.new, r.located, r.too_large) for r in reports] == [(2, 0, 2), (0, 1, 0)]
    with Session(engine) as s:
        stored = s.execute(
            select(EmailMessage.content_hash, EmailMessage.too_large, EmailMessage.raw)
        ).all()
    assert sorted(h for h, _t, _r in stored) == sorted(hashlib.sha256(b).hexdigest() for b in big)
    assert all(t and r == ALARM_HEAD for _h, t, r in stored)
    assert count(engine, Contact) == 2


# --------------------------------------------------------------------------- property

LIMIT = 1024
FOLDERS = ("INBOX", "Sager")


@st.composite
def near_duplicates(draw: st.DrawFn) -> tuple[list[bytes], list[tuple[int, str]]]:
    """Messages with one header block and one size whose bodies differ in a character or
    two (some above the size limit, so kept as headers only), and where each lands: the
    same message may land twice, in one folder or in both."""
    length = draw(st.sampled_from([130, LIMIT + 200]))
    base = bytearray(b"x" * (length - 2) + b"\r\n")
    bodies: list[bytes] = []
    for _ in range(draw(st.integers(1, 5))):
        body = bytearray(base)
        for pos in draw(st.lists(st.integers(0, length - 3), min_size=1, max_size=2)):
            body[pos] = ord(draw(st.sampled_from("xyz")))
        if bytes(body) not in bodies:
            bodies.append(bytes(body))
    raws = [ALARM_HEAD + b for b in bodies]
    places = draw(
        st.lists(
            st.tuples(st.integers(0, len(raws) - 1), st.sampled_from(FOLDERS)),
            min_size=len(raws),
            max_size=len(raws) + 4,
        )
    )
    placed = {i for i, _f in places}
    places += [(i, "INBOX") for i in range(len(raws)) if i not in placed]
    return raws, places


def _stored(engine: Engine) -> tuple[list[str], int, int]:
    with Session(engine) as s:
        hashes = sorted(s.execute(select(EmailMessage.content_hash)).scalars())
    return hashes, count(engine, Contact), count(engine, MailLocation)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=near_duplicates())
def test_identity_never_merges_different_messages_nor_duplicates_one(
    case: tuple[list[bytes], list[tuple[int, str]]],
    make_config: Any,
    _sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raws, places = case
    content = {f: [raws[i] for i, g in places if g == f] for f in FOLDERS}
    dest = tmp_path_factory.mktemp("identity") / "db.sqlite3"
    shutil.copyfile(_sqlite_template, dest)
    engine = make_engine(f"sqlite:///{dest}")
    want = sorted(hashlib.sha256(r).hexdigest() for r in raws)
    try:
        with EmbeddedServer(content) as srv:
            monkeypatch.setenv("BD_TEST_IMAP_PW", srv.password)
            cfg = make_config(srv, folders=list(FOLDERS), max_message_bytes=LIMIT)
            assert all(r.error is None for r in sync_all(engine=engine, config=cfg))
            # Every different message stored, each once, each with its contact; every
            # copy located.
            assert _stored(engine) == (want, len(raws), len(places))
            # Re-syncs: as they are, then after the server renumbered a folder.
            assert all(r.error is None for r in sync_all(engine=engine, config=cfg))
            assert _stored(engine) == (want, len(raws), len(places))
            srv.recreate_folder("INBOX")
            assert all(r.error is None for r in sync_all(engine=engine, config=cfg))
            assert _stored(engine) == (want, len(raws), len(places))
    finally:
        engine.dispose()
