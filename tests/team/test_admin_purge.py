"""On PostgreSQL the daemon's role may insert what it ingests and no more, so its nightly
maintenance does not purge: it says, once a night, that the purge is an administrator's;
`doctor` says so too; and an administrator's role runs the existing `borgerdesk purge`.
On SQLite the daemon purges as before."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from borgerdesk.commands.demo import demo_config_text
from ingest.daemon.scheduler import Daemon
from store.cases import create_case
from store.config import load_config_text
from store.contacts import add_contact
from store.db import make_engine, session_scope
from store.models import Case, CaseCreate, ContactCreate, PartyCreate
from store.parties import create_party
from store.privacy.purge import ADMIN_PURGE
from store.privacy.whistleblower import open_whistleblower_case

RETENTION = "\n[retention]\ncitizen_years = 5\nwhistleblower_years = 1\n"
NOW = dt.datetime(2026, 3, 10, 1, 30, tzinfo=dt.UTC)


def _config_file(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir(mode=0o700, exist_ok=True)
    cfg = tmp_path / "c.toml"
    text = demo_config_text("odsherred", port=1, username="x", inbox=inbox)
    cfg.write_text(text + RETENTION, "utf-8")
    return cfg


def _expired_case(url: str) -> None:
    """A citizen case closed in 2015 (past five years) with a mail, one still open, and
    a whistleblower case closed in 2015."""
    engine = make_engine(url)
    with session_scope(engine) as s:
        lis = create_party(session=s, party_in=PartyCreate(name="Lis", emails=["lis@example.dk"]))
        old = create_case(
            session=s,
            case_in=CaseCreate(
                ref="2015-0001",
                title="Gammel sag",
                opened_on=dt.date(2015, 1, 5),
                closed_on=dt.date(2015, 3, 1),
                party_id=lis.id,
                category="Klage",
            ),
        )
        create_case(
            session=s,
            case_in=CaseCreate(ref="NEW-1", title="Ny sag", opened_on=NOW.date(), party_id=lis.id),
        )
        add_contact(
            session=s,
            contact_in=ContactCreate(
                channel="email",
                direction="in",
                summary="Tekst",
                counterpart="lis@example.dk",
                occurred_at=dt.datetime(2015, 1, 5, 10, tzinfo=dt.UTC),
                case_id=old.id,
                party_id=lis.id,
                source_ref="mail:0",
            ),
        )
        open_whistleblower_case(
            session=s,
            case_in=CaseCreate(
                ref="WB-2015",
                title="Indberetning",
                opened_on=dt.date(2015, 1, 5),
                closed_on=dt.date(2015, 3, 1),
            ),
            reporter={"name": "Kim Kilde"},
        )
    engine.dispose()


def _title(url: str, ref: str) -> str | None:
    engine = make_engine(url)
    with Session(engine) as s:
        title = s.scalars(select(Case.title).where(Case.ref == ref)).one()
    engine.dispose()
    return title


def _maintenance(url: str, config_file: Path, caplog: pytest.LogCaptureFixture) -> list[str]:
    config = load_config_text(config_file.read_text("utf-8"), str(config_file))
    engine = make_engine(url)
    try:
        with caplog.at_level(logging.INFO, logger="borgerdesk.daemon"):
            caplog.clear()
            Daemon(engine=engine, config=config, clock=lambda: NOW).maintenance_job()
    finally:
        engine.dispose()
    return [r.getMessage() for r in caplog.records if "purge" in r.getMessage()]


def test_on_postgresql_the_daemon_leaves_the_purge_to_an_administrator(
    cli,
    tmp_path: Path,
    pg_url: str,
    person: Callable[[str], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _expired_case(pg_url)
    cfg = _config_file(tmp_path)
    # The daemon's nightly maintenance, as the daemon's role: no purge, no failure, and
    # one line saying whose the purge is.
    assert _maintenance(person("daemon"), cfg, caplog) == [
        "retention purge skipped: " + ADMIN_PURGE
    ]
    assert _title(pg_url, "2015-0001") == "Gammel sag"
    # `doctor` on PostgreSQL says it as well.
    r = cli("--config", str(cfg), "--db", person("advisor"), "doctor", "--skip-mail")
    assert "sletning efter frist" in r.out and "borgerdesk purge" in r.out, r.out
    # The administrator runs the existing command as an admin role.
    r = cli("--config", str(cfg), "--db", person("admin"), "purge")
    assert r.code == 0, r.err
    assert "fjernet: 1 sag(er), 1 henvendelse(r)" in r.out
    assert _title(pg_url, "2015-0001") is None
    assert _title(pg_url, "NEW-1") == "Ny sag"
    # The compartment is sealed from the admin role: the owner purges what is expired there.
    assert _title(pg_url, "WB-2015") == "Indberetning"
    r = cli("--config", str(cfg), "--db", pg_url, "purge")
    assert r.code == 0, r.err
    assert _title(pg_url, "WB-2015") is None


def test_on_sqlite_the_daemon_purges_as_before(
    cli, tmp_path: Path, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # SQLite: the single advisor's daemon purges every night.
    _expired_case(sqlite_url)
    cfg = _config_file(tmp_path)
    lines = _maintenance(sqlite_url, cfg, caplog)
    assert lines == ["retention purge done"]
    assert _title(sqlite_url, "2015-0001") is None
    r = cli("--config", str(cfg), "--db", sqlite_url, "doctor", "--skip-mail")
    assert "sletning efter frist" not in r.out
