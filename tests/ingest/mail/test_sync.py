"""Sync against real IMAP servers (pymap in-process; Dovecot when installed)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import imapclient
import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

import ingest.mail.fetch as imap
import ingest.mail.sync as sync_mod
from ingest.mail.embedded_server import EmbeddedServer, Seed
from ingest.mail.fetch_process import FetchProcess
from ingest.mail.persist import VANISHED
from ingest.mail.sync import sync_all
from store.models import Case, Contact, EmailMessage, MailLocation, PartyEmail, SyncState
from store.parties import create_party
from tests.ingest.mail.conftest import snapshot
from tests.ingest.mail.corpus import mail, malformed, sent
from tests.servers.proxy import TcpProxy


def rows(engine: Engine, model: Any) -> list[Any]:
    with Session(engine) as s:
        return list(s.execute(select(model)).scalars())


def count(engine: Engine, model: Any) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def expunge(server: Any, folder: str, uids: list[int]) -> None:
    """Delete messages as another mail client would."""
    if isinstance(server, EmbeddedServer):
        server.expunge(folder, uids)
        return
    c = imapclient.IMAPClient(server.host, port=server.port, ssl=False)
    c.login(server.username, server.password)
    c.select_folder(folder)
    c.delete_messages(uids)
    c.expunge()
    c.logout()


def test_first_sync_stores_every_message_once_and_changes_nothing(
    make_server: Any, make_config: Any, password_env: Any, engine: Engine
) -> None:
    bad = malformed()
    inbox = [mail(i) for i in range(30)] + [
        Seed(mail(100), flags=("\\Seen",)),
        Seed(mail(101), flags=("\\Flagged", "\\Answered")),
        *bad.values(),
    ]
    srv = make_server({"INBOX": inbox, "Sent": [sent(1, in_reply_to=1)]})
    password_env(srv)
    cfg = make_config(srv)
    before = snapshot(srv)

    reports = sync_all(engine=engine, config=cfg)

    assert [r.error for r in reports] == [None, None]
    assert {r.folder for r in reports} == {"INBOX", "Sent"}
    assert snapshot(srv) == before, "the sync changed the mailbox"
    inbox_rep = next(r for r in reports if r.folder == "INBOX")
    # Every message is accounted for: stored, or already stored (identical bytes).
    assert inbox_rep.new + inbox_rep.located == len(inbox)
    assert inbox_rep.too_large == 1  # the 60 MB attachment
    assert count(engine, MailLocation) == len(inbox) + 1
    stored = rows(engine, EmailMessage)
    assert len(stored) == len(inbox) + 1
    by_subject = {m.subject: m for m in stored}
    assert by_subject["stort bilag"].too_large is True
    assert by_subject["stort bilag"].text is None
    assert by_subject["stort bilag"].raw.startswith(b"From: k@example.org")  # headers kept
    assert by_subject["html"].text.startswith("Klage")
    assert "afgørelsen" in by_subject["html"].text
    assert "alert(1)" not in by_subject["html"].text
    assert by_subject["Høring om børnepasning"].from_addr == "d@example.org"
    for m in stored:
        if not m.too_large:
            assert m.raw is not None and len(m.raw) == m.raw_size  # raw kept, always

    # A second pass finds nothing new and duplicates nothing.
    again = sync_all(engine=engine, config=cfg)
    assert all(r.unchanged for r in again)
    assert count(engine, EmailMessage) == len(inbox) + 1
    assert count(engine, Contact) == len(stored)
    assert snapshot(srv) == before


def test_no_change_poll_is_one_status_per_folder(
    make_server: Any, make_config: Any, password_env: Any, engine: Engine
) -> None:
    srv = make_server({"INBOX": [mail(i) for i in range(50)], "Archive": [mail(99)]})
    password_env(srv)
    with TcpProxy(srv.host, srv.port) as proxy:
        cfg = make_config(srv, port=proxy.port, folders=["INBOX", "Archive"])
        sync_all(engine=engine, config=cfg)
        proxy.reset()
        reports = sync_all(engine=engine, config=cfg)
        cmds = proxy.commands()
    assert all(r.unchanged for r in reports)
    assert cmds.count("STATUS") == 2
    forbidden = {"SELECT", "EXAMINE", "FETCH", "UID FETCH", "SEARCH", "UID SEARCH"}
    assert not forbidden & set(cmds), cmds
    # Nothing that could change a mailbox is ever sent.
    assert not {
        "STORE",
        "UID STORE",
        "EXPUNGE",
        "MOVE",
        "UID MOVE",
        "COPY",
        "UID COPY",
        "APPEND",
    } & set(cmds)


def test_new_mail_fetches_only_the_new_uids(
    make_server: Any, make_config: Any, password_env: Any, engine: Engine
) -> None:
    srv = make_server({"INBOX": [mail(i) for i in range(20)]})
    password_env(srv)
    with TcpProxy(srv.host, srv.port) as proxy:
        cfg = make_config(srv, port=proxy.port, folders=["INBOX"])
        sync_all(engine=engine, config=cfg)
        last = rows(engine, SyncState)[0].last_uid
        _deliver(srv, "INBOX", mail(20), mail(21))
        proxy.reset()
        reports = sync_all(engine=engine, config=cfg)
        lines = [ln.decode() for ln in proxy.client_lines]
    assert reports[0].new == 2
    fetches = [ln for ln in lines if " FETCH " in ln.upper()]
    assert fetches
    for ln in fetches:
        uids = [int(u) for u in ln.split(" FETCH ")[1].split(" ")[0].split(",")]
        assert min(uids) > last  # integer UID lists, only above the last stored UID
    assert all("BODY.PEEK" in ln or "RFC822.SIZE" in ln for ln in fetches)
    assert not any("BODY[]" in ln.upper().replace("BODY.PEEK[]", "") for ln in fetches)
    assert count(engine, EmailMessage) == 22


def _deliver(srv: Any, folder: str, *raws: bytes) -> None:
    if isinstance(srv, EmbeddedServer):
        srv.append(folder, *raws)
    else:
        for raw in raws:
            srv.deliver(folder, raw)


def test_same_message_in_two_folders_is_stored_once(
    make_server: Any, make_config: Any, password_env: Any, engine: Engine
) -> None:
    shared = mail(7)
    srv = make_server({"INBOX": [shared, mail(8)], "Sager": [shared]})
    password_env(srv)
    cfg = make_config(srv, folders=["INBOX", "Sager"])
    reports = sync_all(engine=engine, config=cfg)
    assert [r.error for r in reports] == [None, None]
    assert count(engine, EmailMessage) == 2
    assert count(engine, Contact) == 2
    locs = rows(engine, MailLocation)
    assert len(locs) == 3
    shared_id = next(
        m.id for m in rows(engine, EmailMessage) if m.message_id == "<msg7@example.org>"
    )
    assert sorted(loc.folder for loc in locs if loc.email_id == shared_id) == ["INBOX", "Sager"]


def test_a_message_stored_by_another_sync_meanwhile_is_located_not_failed(
    make_server: Any,
    make_config: Any,
    password_env: Any,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two mailboxes synced side by side receive the same message: the other sync may
    store it between this batch's look-up and its insert. The batch must not fail (and
    leave the source 'failing' until the next poll); it is redone and finds the message."""
    import ingest.mail.persist as persist_mod

    shared = mail(7)
    srv = make_server({"INBOX": [shared, mail(8)], "Sager": [shared]})
    password_env(srv)
    cfg = make_config(srv, folders=["INBOX", "Sager"])
    real = persist_mod._existing_by_hash
    calls = []

    def raced(session: Any, hashes: Any) -> Any:
        calls.append(len(hashes))
        # The second batch (Sager) looks before INBOX's batch committed: it sees nothing.
        return {} if len(calls) == 2 else real(session, hashes)

    monkeypatch.setattr(persist_mod, "_existing_by_hash", raced)
    reports = sync_all(engine=engine, config=cfg)
    assert [r.error for r in reports] == [None, None]
    assert calls == [2, 1, 1]  # INBOX, Sager (raced), Sager again
    assert count(engine, EmailMessage) == 2 and count(engine, Contact) == 2
    assert len(rows(engine, MailLocation)) == 3


def test_uidvalidity_change_remaps_without_refetch_or_duplicates(
    make_server: Any, make_config: Any, password_env: Any, engine: Engine
) -> None:
    srv = make_server({"INBOX": [mail(i) for i in range(25)] + [mail(99, msgid=False)]})
    password_env(srv)
    with TcpProxy(srv.host, srv.port) as proxy:
        cfg = make_config(srv, port=proxy.port, folders=["INBOX"])
        sync_all(engine=engine, config=cfg)
        old = rows(engine, SyncState)[0].uidvalidity
        if isinstance(srv, EmbeddedServer):
            srv.recreate_folder("INBOX")
        else:
            srv.reset_uidvalidity("INBOX")
        _deliver(srv, "INBOX", mail(30))
        proxy.reset()
        reports = sync_all(engine=engine, config=cfg)
        lines = [ln.decode().upper() for ln in proxy.client_lines]
    rep = reports[0]
    assert rep.error is None and rep.uidvalidity_changed
    assert rep.new == 1 and rep.located == 26
    # Known messages were re-mapped by their content: the folder was read again (its
    # headers say nothing certain), and nothing was stored twice.
    body_fetches = [ln for ln in lines if "BODY.PEEK[]" in ln]
    assert len(body_fetches) == 1
    new_state = rows(engine, SyncState)[0]
    assert new_state.uidvalidity != old
    assert count(engine, EmailMessage) == 27
    locs = rows(engine, MailLocation)
    assert len(locs) == 27 and {loc.uidvalidity for loc in locs} == {new_state.uidvalidity}


def test_server_restart_between_polls(
    make_server: Any, make_config: Any, password_env: Any, engine: Engine
) -> None:
    srv = make_server({"INBOX": [mail(i) for i in range(10)]})
    password_env(srv)
    cfg = make_config(srv, folders=["INBOX"])
    sync_all(engine=engine, config=cfg)
    srv.restart()  # pymap keeps nothing on disk: this also renumbers the folder
    _deliver(srv, "INBOX", mail(10))
    reports = sync_all(engine=engine, config=cfg)
    assert reports[0].error is None
    assert reports[0].new == 1
    assert count(engine, EmailMessage) == 11
    assert count(engine, MailLocation) == 11


def test_connection_cut_mid_batch_loses_and_duplicates_nothing(
    make_server: Any,
    make_config: Any,
    password_env: Any,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imap, "BODY_BATCH_COUNT", 20)
    msgs = [mail(i, body="Kære rådgiver\n" + "tekst " * 300 + "{n}\n") for i in range(120)]
    srv = make_server({"INBOX": msgs})
    password_env(srv)
    # Cut after ~60 % of the mailbox came through: in the middle of some FETCH.
    total = sum(len(m) for m in msgs)
    with TcpProxy(srv.host, srv.port, drop_after_server_bytes=int(total * 0.6)) as proxy:
        cfg = make_config(srv, port=proxy.port, folders=["INBOX"])
        first = sync_all(engine=engine, config=cfg)
    assert proxy.dropped == 1
    assert first[0].error is not None
    partial = count(engine, EmailMessage)
    assert 0 < partial < 120
    st = rows(engine, SyncState)[0]
    assert st.last_error and st.last_uid is not None
    # The state never runs ahead of the data: every UID up to last_uid is stored.
    stored_uids = sorted(loc.uid for loc in rows(engine, MailLocation))
    assert stored_uids[-1] == st.last_uid and len(stored_uids) == partial

    cfg = make_config(srv, folders=["INBOX"])
    second = sync_all(engine=engine, config=cfg)
    assert second[0].error is None
    assert count(engine, EmailMessage) == 120
    assert count(engine, MailLocation) == 120
    assert count(engine, Contact) == 120
    assert rows(engine, SyncState)[0].last_error is None


def test_message_deleted_between_header_and_body_fetch_is_kept_flagged(
    make_server: Any,
    make_config: Any,
    password_env: Any,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    srv = make_server({"INBOX": [mail(i) for i in range(5)]})
    password_env(srv)
    real = imap.fetch_bodies
    victim: list[int] = []

    def racing_fetch_bodies(client: Any, uids: list[int]) -> dict[int, bytes]:
        if not victim:
            victim.append(uids[2])
            expunge(srv, "INBOX", [uids[2]])
            client.noop()  # let the server tell this session about the expunge
        return real(client, uids)

    monkeypatch.setattr(imap, "fetch_bodies", racing_fetch_bodies)
    cfg = make_config(srv, folders=["INBOX"])
    reports = sync_all(engine=engine, config=cfg)
    assert reports[0].error is None
    assert reports[0].vanished == 1
    msgs = rows(engine, EmailMessage)
    assert len(msgs) == 5
    flagged = [m for m in msgs if m.parse_error == VANISHED]
    assert len(flagged) == 1 and flagged[0].subject == "Spørgsmål om min sag 2"
    assert flagged[0].text is None


def test_linking_sent_mail_and_auto_replies(
    make_server: Any, make_config: Any, password_env: Any, engine: Engine
) -> None:
    with Session(engine) as s:
        known_id = create_party(session=s, party_in=_party("kendt@example.org")).id
        s.add(Case(ref="2025-001", opened_on=dt.date(2025, 1, 2), party_id=known_id))
        two_id = create_party(session=s, party_in=_party("to@example.org")).id
        for ref in ("2025-002", "2025-003"):
            s.add(Case(ref=ref, opened_on=dt.date(2025, 1, 2), party_id=two_id))
        s.commit()
    auto = mail(
        3, sender="ferie@example.org", extra="Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n"
    )
    bulk = mail(4, sender="nyhed@example.org", extra="Precedence: bulk\r\n")
    srv = make_server(
        {
            "INBOX": [
                mail(1, sender="KENDT@example.org"),
                mail(2, sender="to@example.org"),
                auto,
                bulk,
                mail(5),
                # Written before the party's one open case was opened (2 Jan 2025).
                mail(
                    6,
                    sender="kendt@example.org",
                    when=dt.datetime(2024, 12, 30, 10, 0, tzinfo=dt.UTC),
                ),
            ],
            "Sent": [
                sent(1, in_reply_to=5, to="kollega@example.dk, borger5@example.org"),
                sent(2, to="kollega@example.dk"),
            ],
        }
    )
    password_env(srv)
    cfg = make_config(srv, internal_domains=["example.dk"])
    reports = sync_all(engine=engine, config=cfg)
    assert [r.error for r in reports] == [None, None]
    contacts = {c.source_ref: c for c in rows(engine, Contact)}
    msgs = {m.message_id: m for m in rows(engine, EmailMessage)}

    def contact_of(msgid: str) -> Contact:
        return contacts[f"mail:{msgs[msgid].content_hash}"]

    c1 = contact_of("<msg1@example.org>")
    assert c1.counterpart == "kendt@example.org" and c1.party_id == known_id
    assert c1.case_id is not None  # the party's one open case
    c2 = contact_of("<msg2@example.org>")
    assert c2.party_id == two_id and c2.case_id is None  # two open cases: triage
    c6 = contact_of("<msg6@example.org>")
    assert c6.party_id == known_id and c6.case_id is None  # before the case: triage
    c5 = contact_of("<msg5@example.org>")
    assert c5.party_id is None and c5.case_id is None  # unknown: triage
    assert c5.direction == "in"
    assert msgs["<msg3@example.org>"].is_auto and msgs["<msg4@example.org>"].is_auto
    assert "auto-submitted" in msgs["<msg3@example.org>"].headers
    assert not msgs["<msg5@example.org>"].is_auto
    out = contact_of("<msg10001@example.org>")
    assert out.direction == "out" and out.counterpart == "borger5@example.org"
    assert msgs["<msg10001@example.org>"].to_addrs == "kollega@example.dk, borger5@example.org"
    assert msgs["<msg10001@example.org>"].in_reply_to == "<msg5@example.org>"
    # Internal-only sent mail is stored but is no citizen contact.
    assert f"mail:{msgs['<msg10002@example.org>'].content_hash}" not in contacts
    assert msgs["<msg10002@example.org>"].contact_id is None
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(PartyEmail)) == 2


def _party(addr: str) -> Any:
    from store.models import PartyCreate

    return PartyCreate(emails=[addr])


def test_stop_between_batches_then_resume(
    make_server: Any,
    make_config: Any,
    password_env: Any,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imap, "BODY_BATCH_COUNT", 10)
    srv = make_server({"INBOX": [mail(i) for i in range(60)]})
    password_env(srv)
    cfg = make_config(srv, folders=["INBOX"])
    stop = threading.Event()
    real = sync_mod.persist_batch

    def persist_then_stop(**kw: Any) -> Any:
        res = real(**kw)
        stop.set()
        return res

    monkeypatch.setattr(sync_mod, "persist_batch", persist_then_stop)
    sync_all(engine=engine, config=cfg, stop=stop)
    partial = count(engine, EmailMessage)
    assert 0 < partial < 60
    monkeypatch.setattr(sync_mod, "persist_batch", real)
    sync_all(engine=engine, config=cfg)
    assert count(engine, EmailMessage) == 60 and count(engine, MailLocation) == 60


def test_wrong_password_is_reported_not_raised(
    make_server: Any, make_config: Any, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    srv = make_server({"INBOX": [mail(1)]})
    monkeypatch.setenv("BD_TEST_IMAP_PW", "not-the-password")
    reports = sync_all(engine=engine, config=make_config(srv))
    assert reports[0].error and "login refused" in reports[0].error
    assert "not-the-password" not in reports[0].error
    assert srv.username not in reports[0].error  # masked
    st = rows(engine, SyncState)[0]
    assert st.last_error == reports[0].error and st.folder == ""


def test_logs_carry_no_bodies_addresses_or_secrets(
    make_server: Any,
    make_config: Any,
    password_env: Any,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    srv = make_server({"INBOX": [mail(1, body="Hemmelig helbredsoplysning {n}\n")]})
    password_env(srv)
    caplog.set_level(logging.DEBUG)
    sync_all(engine=engine, config=make_config(srv, folders=["INBOX", "Nope"]))
    assert any(r.name == "borgerdesk.mail" for r in caplog.records)  # it does log
    text = caplog.text + " ".join(str(getattr(r, "__dict__", "")) for r in caplog.records)
    for secret in (srv.password, srv.username, "borger1@example.org", "Hemmelig"):
        assert secret not in text


def test_vanished_message_is_completed_when_found_in_another_folder(
    make_server: Any,
    make_config: Any,
    password_env: Any,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    moved = mail(2)
    srv = make_server({"INBOX": [mail(1), moved, mail(3)], "Sager": [moved]})
    password_env(srv)
    real = imap.fetch_bodies
    done: list[int] = []

    def racing(client: Any, uids: list[int]) -> dict[int, bytes]:
        if not done:
            done.append(uids[1])
            expunge(srv, "INBOX", [uids[1]])  # the advisor filed it meanwhile
            client.noop()
        return real(client, uids)

    monkeypatch.setattr(imap, "fetch_bodies", racing)
    reports = sync_all(engine=engine, config=make_config(srv, folders=["INBOX", "Sager"]))
    assert [r.error for r in reports] == [None, None]
    assert reports[0].vanished == 1
    msgs = rows(engine, EmailMessage)
    assert len(msgs) == 3  # completed in place, not stored twice
    m = next(x for x in msgs if x.message_id == "<msg2@example.org>")
    assert m.parse_error is None and m.raw == moved and m.text
    assert count(engine, Contact) == 3


def test_protocol_traffic_is_neither_formatted_nor_logged(
    make_server: Any,
    make_config: Any,
    password_env: Any,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """imapclient turns imaplib's debug output on (level 5): every response, bodies
    included, would be repr()-formatted for its logger. Ours is off, so even with that
    logger at DEBUG no message content reaches it (and no CPU is spent formatting)."""
    import logging

    srv = make_server({"INBOX": [mail(1, body="Hemmelig helbredsoplysning {n}\n")]})
    password_env(srv)
    caplog.set_level(logging.DEBUG, logger="imapclient.imaplib")
    reports = sync_all(engine=engine, config=make_config(srv))
    assert reports[0].new == 1
    assert "Hemmelig" not in caplog.text
    assert not [r for r in caplog.records if r.name == "imapclient.imaplib"]


def _dump_mail(engine: Engine) -> list[tuple[Any, ...]]:
    """Every stored message, location and contact, ids and creation times left out."""
    with Session(engine) as s:
        msgs = [
            tuple(v for k, v in m.model_dump().items() if k not in ("id", "contact_id"))
            for m in s.execute(select(EmailMessage).order_by(EmailMessage.content_hash)).scalars()
        ]
        locs = sorted((loc.folder, loc.uid) for loc in s.execute(select(MailLocation)).scalars())
        contacts = [
            tuple(v for k, v in c.model_dump().items() if k not in ("id", "created_at"))
            for c in s.execute(select(Contact).order_by(Contact.source_ref)).scalars()
        ]
    return [*msgs, *locs, *contacts]


def _bulk_fixture(
    make_server: Any, make_config: Any, password_env: Any, sqlite_url: str, tmp_path: Any
) -> tuple[Any, Any, bytes]:
    """A mailbox with the malformed corpus and a ~3 MB message, and an inline-synced
    copy of it in another database (a SQLite file) to compare with."""
    import shutil

    from store.db import make_engine

    bad = malformed()
    bad.pop("huge_attachment")
    big = mail(77, body="bilag\n") + b"x" * 76 * 40_000  # the file shows a checkpoint
    inbox = [mail(i) for i in range(40)] + list(bad.values()) + [sent(1, in_reply_to=1), big]
    srv = make_server({"INBOX": inbox, "Sent": [sent(2, in_reply_to=2)]})
    password_env(srv)
    cfg = make_config(srv)
    other = tmp_path / "inline.sqlite3"
    shutil.copyfile(sqlite_url.removeprefix("sqlite:///"), other)
    inline = make_engine(f"sqlite:///{other}")
    assert [r.error for r in sync_all(engine=inline, config=cfg)] == [None, None]
    return cfg, inline, big


def test_bulk_path_stores_what_the_inline_path_stores(
    make_server: Any,
    make_config: Any,
    password_env: Any,
    engine: Engine,
    tmp_path: Any,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A large folder's bodies are fetched and parsed by fetch processes and its WAL is
    checkpointed beside the writer: the same rows as the inline path, read-only, and the
    WAL checkpointed (the writer's connection back to SQLite's default) when the sync
    returns."""
    from pathlib import Path

    cfg, inline, big = _bulk_fixture(make_server, make_config, password_env, sqlite_url, tmp_path)
    import gc

    srv = make_server.started[-1]
    before = snapshot(srv)
    thresholds = gc.get_threshold()
    try:
        monkeypatch.setattr(sync_mod, "BULK_MESSAGES", 1)
        monkeypatch.setattr(imap, "BODY_BATCH_COUNT", 7)  # many batches through the pipeline
        started: list[Any] = []
        spawned: list[Any] = []

        class Counted(FetchProcess):
            def __init__(self, job: Any = None) -> None:
                spawned.append(self)
                super().__init__(job)

            def start(self, job: Any) -> None:
                started.append(job)
                super().start(job)

        monkeypatch.setattr(sync_mod, "FetchProcess", Counted)
        reports = sync_all(engine=engine, config=cfg)
        assert [r.error for r in reports] == [None, None]
        assert len(started) == 2 * sync_mod.FETCH_PROCESSES  # per folder
        # A first sync starts its children ahead (before it knows the folder): the first
        # folder's are those; every child started was used, and all have ended.
        assert len(spawned) == len(started)
        assert all(c.proc.poll() is not None for c in spawned)
        assert snapshot(srv) == before, "the sync changed the mailbox"
        # The cycle collector's tuning for the bulk sync is put back.
        assert gc.get_threshold() == thresholds and gc.get_freeze_count() == 0
        assert _dump_mail(engine) == _dump_mail(inline)
        if engine.dialect.name == "sqlite":
            # Checkpointed by the end of the sync: the data is in the database file
            # itself, not only in the WAL.
            assert Path(str(engine.url.database)).stat().st_size > len(big)
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        # Idempotent: a second pass stores nothing more.
        again = sync_all(engine=engine, config=cfg)
        assert all(r.unchanged for r in again)
    finally:
        inline.dispose()


def test_a_fetch_process_that_dies_costs_no_message(
    make_server: Any,
    make_config: Any,
    password_env: Any,
    engine: Engine,
    tmp_path: Any,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """As if the Rust parser crashed on a message: a fetch process dies mid-folder (the
    others have requests out too); the rest is fetched in-process and parsed by the
    stdlib parser, nothing lost or doubled."""
    from ingest.mail import fetch_process

    cfg, inline, _big = _bulk_fixture(make_server, make_config, password_env, sqlite_url, tmp_path)
    try:
        monkeypatch.setattr(sync_mod, "BULK_MESSAGES", 1)
        monkeypatch.setattr(imap, "BODY_BATCH_COUNT", 7)
        answers = [0]
        real_answer = fetch_process.FetchProcess.answer

        def answer(self: Any, ticket: int) -> Any:
            answers[0] += 1
            if answers[0] == 4:
                self.proc.kill()
                self.proc.wait()
            return real_answer(self, ticket)

        monkeypatch.setattr(fetch_process.FetchProcess, "answer", answer)
        reports = sync_all(engine=engine, config=cfg)
        assert [r.error for r in reports] == [None, None]
        assert answers[0] >= 4
        assert "a fetch process died" in caplog.text

        # The stdlib parser estimates attachment sizes differently and notes MIME
        # defects; what identifies and shows a message is the same.
        def key(engine: Engine) -> Any:
            with Session(engine) as s:
                msgs = sorted(
                    (
                        m.content_hash,
                        m.raw,
                        m.subject,
                        m.from_addr,
                        m.to_addrs,
                        m.sent_at,
                        m.text,
                        m.parse_error,
                        m.too_large,
                    )
                    for m in s.execute(select(EmailMessage)).scalars()
                )
                locs = sorted(
                    (loc.folder, loc.uid) for loc in s.execute(select(MailLocation)).scalars()
                )
                cons = sorted(
                    (c.source_ref, c.direction, c.counterpart, c.occurred_at)
                    for c in s.execute(select(Contact)).scalars()
                )
            return msgs, locs, cons

        assert key(engine) == key(inline)
    finally:
        inline.dispose()


def test_fetch_processes_end_with_a_killed_parent(
    make_server: Any,
    make_config: Any,
    password_env: Any,
    tmp_path: Any,
) -> None:
    """kill -9 of the syncing process (the daemon) leaves no fetch process behind."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import textwrap
    import time
    from pathlib import Path

    from ingest.mail.connect import Endpoint

    srv = make_server({"INBOX": [mail(i, body="x" * 30_000 + "\n") for i in range(300)]})
    acct = make_config(srv).mail.accounts[0]
    out = tmp_path / "pids"
    script = textwrap.dedent(f"""
        import json, sys, time
        sys.path.insert(0, {str(Path(__file__).resolve().parents[3])!r})
        from ingest.mail.connect import Endpoint
        from ingest.mail.fetch_process import FetchProcess, Job
        ep = Endpoint(**json.loads(sys.argv[1]))
        kids = [FetchProcess(Job(endpoint=ep, password=sys.argv[2], token=None,
                                 folder="INBOX", uidvalidity=int(sys.argv[3])))
                for _ in range(2)]
        tickets = [k.request("bodies", list(range(1, 301))) for k in kids]
        kids[0].answer(tickets[0])
        open({str(out)!r}, "w").write(" ".join(str(k.proc.pid) for k in kids))
        time.sleep(60)
    """)
    import imapclient

    c = imapclient.IMAPClient(srv.host, port=srv.port, ssl=False)
    c.login(srv.username, srv.password)
    uidvalidity = c.select_folder("INBOX", readonly=True)[b"UIDVALIDITY"]
    c.logout()
    ep = Endpoint.of(acct)
    fields = {f: getattr(ep, f) for f in ep.__slots__}  # type: ignore[attr-defined]
    parent = subprocess.Popen(
        [sys.executable, "-c", script, json.dumps(fields), srv.password, str(uidvalidity)]
    )
    try:
        deadline = time.monotonic() + 60
        while not (out.exists() and out.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        kids = [int(p) for p in out.read_text().split()]
        assert len(kids) == 2
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (ProcessLookupError, OSError):
            return False
        return state != "Z"  # a zombie has exited; init reaps it

    deadline = time.monotonic() + 15
    while any(alive(p) for p in kids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in kids if alive(p)], "fetch processes outlived their parent"


def test_a_first_sync_starts_its_fetch_processes_ahead_and_ends_unused_ones(
    make_server: Any,
    make_config: Any,
    password_env: Any,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An account's first sync starts its fetch processes before it knows whether a
    folder is large (their start-up overlaps connecting and searching); a folder too
    small for them leaves them unused, and they end with the pass. Later passes (the
    daemon's polls) start none."""
    srv = make_server({"INBOX": [mail(i) for i in range(3)]})
    password_env(srv)
    cfg = make_config(srv)
    spawned: list[Any] = []
    started: list[Any] = []

    class Counted(FetchProcess):
        def __init__(self, job: Any = None) -> None:
            spawned.append(self)
            super().__init__(job)

        def start(self, job: Any) -> None:
            started.append(job)
            super().start(job)

    monkeypatch.setattr(sync_mod, "FetchProcess", Counted)
    assert [r.error for r in sync_all(engine=engine, config=cfg)] == [None]
    assert len(spawned) == sync_mod.FETCH_PROCESSES and started == []
    assert all(c.proc.wait(timeout=10) == 0 for c in spawned)
    _deliver(srv, "INBOX", mail(50))
    assert [r.new for r in sync_all(engine=engine, config=cfg)] == [1]
    assert len(spawned) == sync_mod.FETCH_PROCESSES
