"""`borgerdesk doctor` against a real IMAP server and real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from borgerdesk.commands.demo import PASSWORD_ENV, demo_config_text
from ingest.mail.embedded_server import EmbeddedServer


@pytest.fixture
def server():
    with EmbeddedServer({"INBOX": [], "Sent": []}) as srv:
        yield srv


def _setup(tmp_path: Path, srv: EmbeddedServer, monkeypatch, password: str) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir(mode=0o700)
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        demo_config_text("odsherred", port=srv.port, username=srv.username, inbox=inbox), "utf-8"
    )
    monkeypatch.setenv(PASSWORD_ENV, password)
    return cfg


def test_doctor_all_good(tmp_path, server, cli, monkeypatch, db_url) -> None:
    cfg = _setup(tmp_path, server, monkeypatch, server.password)
    r = cli("--config", str(cfg), "--db", db_url, "doctor")
    assert r.code == 0, r.out
    assert "login OK; synkroniserer INBOX, Sent" in r.out  # Danish by default
    assert "FEJL" not in r.out
    text = cfg.read_text("utf-8")
    assert 'language = "da"' in text
    cfg.write_text(text.replace('language = "da"', 'language = "en"'), "utf-8")
    r = cli("--config", str(cfg), "--db", db_url, "doctor")
    assert r.code == 0, r.out
    assert "login OK; will sync INBOX, Sent" in r.out
    assert "FAIL" not in r.out and "keyring" in r.out and "clock" in r.out


def test_doctor_explains_failures(tmp_path, server, cli, monkeypatch) -> None:
    cfg = _setup(tmp_path, server, monkeypatch, "wrong password")
    (tmp_path / "inbox").chmod(0o755)
    r = cli("--config", str(cfg), "--db", f"sqlite:///{tmp_path / 'none.sqlite3'}", "doctor")
    assert r.code == 1
    assert "FEJL" in r.out
    assert "database file not found" in r.out  # an error line: English
    assert "postkasse demo" in r.out and "login" in r.out.lower()
    assert "åben for andre brugere" in r.out
