"""Erasure and right of access by address or number reach everything from and to it:
contacts waiting in triage, dismissed ones, messages with no contact, mail sent to it and
calls, whether or not a party holds the address yet.

The reproduction: a mail from knud.hansen@example.org holds a CPR number and a child's
illness and stays unlinked; later a register row gives the address a party. Real parts
throughout: pymap serves the mailbox, the sync stores it, the console script imports the
register and the calls, erases and exports; the SQLite file (and its WAL) is read as bytes,
and on PostgreSQL every row of every table as text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text, update

from ingest.mail.embedded_server import EmbeddedServer
from ingest.mail.sync import sync_all
from store.config import Config, load_config_text, preset_text
from store.config.mail import Mail, MailAccount
from store.contacts import dismiss_contact
from store.db import make_engine, session_scope
from store.models import AuditLog, Contact, EmailMessage
from store.samples import write_register_csv
from tests.ingest.mail.corpus import mail, sent
from tests.ingest.phone.samples import DK_HEADER, PHONE_TOML, csv_bytes, write
from tests.store.privacy_world import every_report

KNUD = "knud.hansen@example.org"
CPR = "010203-1234"
ILLNESS = "leukaemi"
PHONE_DIGITS = "61718192"
MAIL_SECRETS = (CPR, "knud.hansen", ILLNESS)
ALL_SECRETS = (*MAIL_SECRETS, PHONE_DIGITS, "Knud Hansen")


def _body(extra: str) -> str:
    return f"Kaere borgerraadgiver,\nmin datter (CPR {CPR}) har {ILLNESS}. {extra}\n"


@pytest.fixture(autouse=True)
def _no_real_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("store.secrets._keyring_get", lambda key: None)


@pytest.fixture
def world(tmp_path: Path, db_url: str, cli, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Knud's mail synced from a real IMAP server: one waiting in triage, one dismissed,
    one whose contact is gone, the advisor's reply to him; a call from his number; and
    another citizen's mail that must survive."""
    inbox = [
        mail(1, sender=KNUD, subject="Min datter", body=_body("Hjaelp os.")),
        mail(2, sender=KNUD, subject="Igen", body=_body("Jeg skriver igen.")),
        mail(3, sender=KNUD, subject="Bilag", body=_body("Her er bilaget.")),
        mail(4, sender="grete@example.org", subject="Grete", body="Gretes egen sag Zq9\n"),
    ]
    reply = sent(5, to=KNUD).replace(b"Tak for din mail", f"Vedr. {ILLNESS}: tak".encode())
    srv = EmbeddedServer({"INBOX": inbox, "Sent": [reply]}).start()
    monkeypatch.setenv("BD_TEST_IMAP_PW", srv.password)
    cfg_text = preset_text("odsherred") + PHONE_TOML
    cfg_path = tmp_path / "config.toml"
    cfg_path.write_text(cfg_text, "utf-8")
    acct = MailAccount(
        name="advisor",
        host=srv.host,
        port=srv.port,
        security="none",
        username=srv.username,
        password_env="BD_TEST_IMAP_PW",
        internal_domains=["example.dk"],
    )
    config: Config = load_config_text(cfg_text, "test").model_copy(
        update={"mail": Mail(accounts=[acct])}
    )
    engine = make_engine(db_url)
    try:
        reports = sync_all(engine=engine, config=config)
        assert not [r.error for r in reports if r.error]
    finally:
        srv.stop()
    with session_scope(engine) as s:
        by_subject = {
            m.subject: m for m in s.scalars(select(EmailMessage)) if m.subject is not None
        }
        assert {"Min datter", "Igen", "Bilag", "Grete"} <= set(by_subject)
        dismiss_contact(
            session=s,
            contact_id=by_subject["Igen"].contact_id or 0,
            reason=f"Knud Hansen igen, CPR {CPR}",
        )
        # A message whose contact was removed: it names the address only in from_addr.
        gone = by_subject["Bilag"].contact_id
        s.execute(
            update(EmailMessage).where(EmailMessage.contact_id == gone).values(contact_id=None)
        )
        s.execute(text("DELETE FROM contact WHERE id = :i"), {"i": gone})
    calls = write(
        tmp_path / "uge10.csv",
        csv_bytes(
            DK_HEADER,
            [
                ["02-03-2026", "10:15:00", "Indgående", "61 71 81 92", "125", "Besvaret"],
            ],
            sep_line=True,
        ),
    )

    def run(*args: str):  # type: ignore[no-untyped-def]
        return cli("--config", str(cfg_path), "--db", db_url, *args)

    r = run("import-calls", str(calls))
    assert r.code == 0, r.err
    yield run, engine, tmp_path
    engine.dispose()


def _register_row(tmp: Path) -> Path:
    return write_register_csv(
        [
            dict(
                case_ref="2026-0042",
                party_ref="P-KH",
                party_name="Knud Hansen",
                party_kind="citizen",
                party_email=KNUD,
                party_phone="61 71 81 92",
                department="",
                category="Klage",
                case_kind="citizen",
                case_opened="2026-03-03",
                contact_at="2026-03-03 10:00",
                channel="phone",
                direction="in",
                summary="Ringede om sin datter",
            )
        ],
        tmp / "register.csv",
    )


def _file_bytes(engine: Engine) -> bytes:
    if engine.dialect.name != "sqlite":
        return _rows_text(engine)
    path = Path(engine.url.database or "")
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def _rows_text(engine: Engine) -> bytes:
    """PostgreSQL: every row of every table, as text (what any SQL can still read; dead
    tuples on disk are the server's to vacuum)."""
    from sqlmodel import SQLModel

    import store.models  # noqa: F401

    with engine.connect() as conn:
        return b"\n".join(
            str(row[0]).encode()
            for t in SQLModel.metadata.sorted_tables
            for row in conn.execute(text(f'SELECT t::text FROM "{t.name}" t'))
        )


def _erase_and_check(
    run: Any, engine: Engine, who: str, secrets: tuple[str, ...], *, years: range
) -> dict[str, Any]:
    with session_scope(engine) as s:
        before = every_report(s, years=years)
    assert all(x.encode() in _file_bytes(engine) for x in (CPR, "knud.hansen", ILLNESS))
    r = run("erase-party", who, "--yes")
    assert r.code == 0, r.err
    data = _file_bytes(engine)
    for secret in secrets:
        assert secret.encode() not in data, f"{secret!r} is still in the database file"
    assert b"Zq9" in data  # Grete's mail is untouched
    with session_scope(engine) as s:
        assert every_report(s, years=years) == before
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "erase")).one()
        detail = json.loads(entry.detail or "{}")
    assert detail["complete"] is True
    return detail


def test_access_and_erasure_by_address_before_any_party(world) -> None:  # type: ignore[no-untyped-def]
    run, engine, tmp = world
    out = tmp / "indsigt"
    r = run("export-party", KNUD, "--out", str(out))
    assert r.code == 0, r.err
    data = json.loads((out / "records.json").read_text("utf-8"))
    subjects = sorted(m["subject"] for m in data["messages"])
    assert subjects == ["Bilag", "Igen", "Min datter", "Sv: din henvendelse"]
    assert len(list((out / "messages").iterdir())) == 4
    assert {c["dismissed"] for c in data["contacts"]} == {True, False}
    # No party says the number is Knud's: his mail goes, the call stays.
    detail = _erase_and_check(run, engine, KNUD, MAIL_SECRETS, years=range(2025, 2027))
    assert detail["removed"]["messages"] == 4 and detail["removed"]["contacts"] == 3
    assert PHONE_DIGITS.encode() in _file_bytes(engine)
    # Erasing again finds nothing left.
    r = run("erase-party", KNUD, "--yes")
    assert r.code == 2 and "nothing" in r.err


def test_erasure_by_address_after_a_register_row_gave_it_a_party(world) -> None:  # type: ignore[no-untyped-def]
    run, engine, tmp = world
    r = run("import-register", str(_register_row(tmp)))
    assert r.code == 0, r.err
    out = tmp / "indsigt"
    r = run("export-party", KNUD, "--out", str(out))
    assert r.code == 0, r.err
    data = json.loads((out / "records.json").read_text("utf-8"))
    assert len(data["messages"]) == 4
    assert len(data["calls"]) == 1
    # The register contact, two mails, the reply and the call.
    assert len(data["contacts"]) == 5
    detail = _erase_and_check(run, engine, KNUD, ALL_SECRETS, years=range(2025, 2027))
    assert detail["removed"]["messages"] == 4
    assert detail["removed"]["contacts"] == 5
    with session_scope(engine) as s:
        left = s.scalars(select(Contact.counterpart).where(Contact.counterpart.is_not(None)))
        assert all("knud" not in c and PHONE_DIGITS not in c for c in left)


def test_erasure_by_number_reaches_the_call_in_triage(world) -> None:  # type: ignore[no-untyped-def]
    run, engine, _ = world
    r = run("erase-party", "61 71 81 92", "--yes")
    assert r.code == 0, r.err
    assert PHONE_DIGITS.encode() not in _file_bytes(engine)
    assert CPR.encode() in _file_bytes(engine)  # the mail is not the number's


def test_erasure_says_so_when_the_wal_still_holds_old_copies(  # type: ignore[no-untyped-def]
    world, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader (the desk, the daemon) on an older snapshot keeps the checkpoint from
    emptying the -wal file: the erasure must not pass that over in silence."""
    import sqlite3

    run, engine, _ = world
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's -wal file; PostgreSQL has none")
    monkeypatch.setenv("BORGERDESK_BUSY_TIMEOUT", "0.2")
    reader = sqlite3.connect(engine.url.database or "", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM email_message").fetchone()
    try:
        r = run("erase-party", KNUD, "--yes")
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    assert r.code == 0, r.err
    assert "gamle kopier ligger i databasens -wal-fil" in r.err  # Danish by default
    engine.dispose()
    # Once the reader has gone, the next checkpoint leaves nothing.
    from store.privacy.anonymise import flush_to_disk

    assert flush_to_disk(engine)
    data = _file_bytes(engine)
    assert all(x.encode() not in data for x in MAIL_SECRETS)
