"""The console script: `sync`, `mail test`, `status` against a real IMAP server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import Session

from store.config import preset_text
from store.db import make_engine
from store.models import SyncState
from tests.ingest.mail.corpus import mail, malformed, sent


def write_config(tmp_path: Path, srv: Any, *, env: str = "BD_TEST_IMAP_PW") -> Path:
    path = tmp_path / "borgerdesk.toml"
    path.write_text(
        preset_text("odsherred")
        + f"""
[[mail.accounts]]
name = "raadgiver"
host = "{srv.host}"
port = {srv.port}
security = "none"
username = "{srv.username}"
password_env = "{env}"
internal_domains = ["example.dk"]
"""
    )
    return path


def test_sync_then_status_json(
    make_server: Any, cli: Any, tmp_path: Path, db_url: str, monkeypatch: Any
) -> None:
    srv = make_server(
        {"INBOX": [mail(1), mail(2), malformed()["no_from"]], "Sent": [sent(1, in_reply_to=1)]}
    )
    monkeypatch.setenv("BD_TEST_IMAP_PW", srv.password)
    cfg = write_config(tmp_path, srv)
    r = cli("--config", str(cfg), "--db", db_url, "sync", "--once")
    assert r.code == 0, r.err
    assert "raadgiver/INBOX: 3 nye mails" in r.out, r.out
    assert "raadgiver/Sent: 1 nye mails" in r.out
    r = cli("--config", str(cfg), "--db", db_url, "sync", "--once", "--account", "raadgiver")
    assert r.code == 0 and "raadgiver/INBOX: ingen nye mails" in r.out
    english = tmp_path / "en.toml"
    english.write_text(
        cfg.read_text("utf-8").replace('language = "da"', 'language = "en"'), "utf-8"
    )
    r = cli("--config", str(english), "--db", db_url, "sync", "--once")
    assert r.code == 0 and "raadgiver/INBOX: no new mail" in r.out

    # A phone source, as the phone importer records it, shows up too.
    engine = make_engine(db_url)
    with Session(engine) as s:
        s.add(SyncState(kind="phone", name="phone-inbox", folder=""))
        s.commit()
    engine.dispose()

    r = cli("--config", str(cfg), "--db", db_url, "status", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert set(data) == {"sources", "contacts", "alerts"}  # "alerts": the daemon's
    assert data["alerts"] == {"open": 0}
    assert set(data["contacts"]) == {"total", "unlinked"}
    assert data["contacts"] == {"total": 4, "unlinked": 4}
    keys = {
        "name",
        "kind",
        "folder",
        "messages",
        "parse_errors",
        "too_large",
        "last_success",
        "last_error",
        "consecutive_failures",
        "next_run",
    }  # the daemon's health columns
    by = {(s["kind"], s["folder"]): s for s in data["sources"]}
    for s in data["sources"]:
        assert set(s) == keys
    assert by[("imap", "INBOX")]["messages"] == 3
    assert by[("imap", "INBOX")]["name"] == "raadgiver"
    assert by[("imap", "INBOX")]["last_success"] is not None
    assert by[("imap", "Sent")]["messages"] == 1
    assert by[("phone", "")]["name"] == "phone-inbox"

    r = cli("--config", str(cfg), "--db", db_url, "status")
    assert r.code == 0 and "INBOX" in r.out and "venter i indbakken: 4" in r.out


def test_mail_test_shows_capabilities_folders_and_login(
    make_server: Any, cli: Any, tmp_path: Path, db_url: str, monkeypatch: Any
) -> None:
    srv = make_server({"INBOX": [mail(1)], "Sent": [sent(1)]})
    monkeypatch.setenv("BD_TEST_IMAP_PW", srv.password)
    cfg = write_config(tmp_path, srv)
    r = cli("--config", str(cfg), "--db", db_url, "mail", "test", "raadgiver")
    assert r.code == 0, r.err
    assert "login: OK" in r.out  # Danish by default
    assert "IMAP4REV1" in r.out
    assert "INBOX" in r.out and "Sent" in r.out
    assert "synkroniserer: INBOX, Sent" in r.out

    monkeypatch.setenv("BD_TEST_IMAP_PW", "wrong-password")
    r = cli("--config", str(cfg), "--db", db_url, "mail", "test", "raadgiver")
    assert r.code == 2
    assert r.err.startswith("borgerdesk: error: account raadgiver")
    assert "login refused" in r.err and len(r.err.strip().splitlines()) == 1
    assert "wrong-password" not in r.err + r.out and "Traceback" not in r.err


def test_unknown_account_and_unreachable_server(
    cli: Any, tmp_path: Path, db_url: str, monkeypatch: Any
) -> None:
    class Nowhere:
        host, port, username = "127.0.0.1", 1, "a@example.dk"

    monkeypatch.setenv("BD_TEST_IMAP_PW", "x")
    cfg = write_config(tmp_path, Nowhere)
    r = cli("--config", str(cfg), "--db", db_url, "sync", "--account", "nope")
    assert r.code == 2 and "no mail account named 'nope'" in r.err
    r = cli("--config", str(cfg), "--db", db_url, "sync")
    assert r.code == 1 and "connection refused" in r.out
    r = cli("--config", str(cfg), "--db", db_url, "status", "--format", "json")
    src = json.loads(r.out)["sources"]
    assert src[0]["folder"] == "" and "connection refused" in src[0]["last_error"]


def test_progress_bars_for_a_long_first_sync() -> None:
    import io

    from rich.console import Console

    from borgerdesk.commands.mail import _RichProgress

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=120, color_system=None)
    p = _RichProgress(console)
    p.folder_started("raadgiver", "[bold]INBOX[/bold]", 1000)  # server text: not markup
    p.advanced(500, 12_500_000)
    p.advanced(500, 12_500_000)
    p.stop()
    out = buf.getvalue()
    assert "raadgiver/[bold]INBOX[/bold]" in out
    assert "1000/1000" in out and "25.0 MB" in out
    quiet = _RichProgress(Console(file=io.StringIO(), force_terminal=True))
    quiet.folder_started("raadgiver", "INBOX", 3)  # a routine poll: no bars
    assert quiet.task is None


def test_set_password_without_a_usable_keyring_says_what_to_do(
    cli: Any, tmp_path: Path, db_url: str, monkeypatch: Any
) -> None:
    import io
    import sys

    class Srv:
        host, port, username = "127.0.0.1", 1, "a@example.dk"

    cfg = write_config(tmp_path, Srv)
    for backend in ("keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"):
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", backend)
        import keyring.core

        monkeypatch.setattr(keyring.core, "_keyring_backend", None)
        monkeypatch.setattr(sys, "stdin", io.StringIO("hemmeligt-kodeord\n"))
        r = cli("--config", str(cfg), "--db", db_url, "mail", "set-password", "raadgiver")
        assert r.code == 2, (backend, r.out, r.err)
        assert "password_env or a 0600 password_file" in r.err
        assert "hemmeligt-kodeord" not in r.out + r.err
