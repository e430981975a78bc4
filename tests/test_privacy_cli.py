"""`borgerdesk purge | export-party | erase-party | audit | backup | restore` through the
console script's entry point, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from store.cases import create_case
from store.contacts import add_contact
from store.db import make_engine, session_scope
from store.models import AuditLog, Case, CaseCreate, Contact, ContactCreate, Party, PartyCreate
from store.parties import create_party

CONFIG = """
[retention]
citizen_years = 5
"""


@pytest.fixture
def env(tmp_path: Path, db_url: str, cli):  # type: ignore[no-untyped-def]
    from store.config import preset_text

    cfg_path = tmp_path / "config.toml"
    cfg_path.write_text(preset_text("odsherred") + CONFIG, "utf-8")
    engine = make_engine(db_url)
    today = dt.date.today()
    with session_scope(engine) as s:
        knud = create_party(
            session=s,
            party_in=PartyCreate(
                name="Knud \x1b[31mK", ref="K-1", emails=["knud@example.dk"], phones=["22334455"]
            ),
        )
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
        new = create_case(
            session=s,
            case_in=CaseCreate(ref="NEW-1", title="Ny sag", opened_on=today, party_id=knud.id),
        )
        for i, (case, who, addr) in enumerate(
            ((old, lis, "lis@example.dk"), (new, knud, "knud@example.dk"))
        ):
            add_contact(
                session=s,
                contact_in=ContactCreate(
                    channel="email",
                    direction="in",
                    summary=f"Tekst {i}",
                    counterpart=addr,
                    occurred_at=dt.datetime.combine(case.opened_on, dt.time(10), tzinfo=dt.UTC),
                    case_id=case.id,
                    party_id=who.id,
                    source_ref=f"mail:{i}",
                ),
            )
        ids = {"knud": knud.id, "lis": lis.id}

    def run(*args: str):  # type: ignore[no-untyped-def]
        return cli("--config", str(cfg_path), "--db", db_url, *args)

    yield run, engine, ids, tmp_path
    engine.dispose()


def one_line_error(r) -> str:  # type: ignore[no-untyped-def]
    assert r.code == 2, (r.code, r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    assert lines[0].startswith("borgerdesk: error: ")
    assert "Traceback" not in r.err + r.out
    return lines[0]


def _sqlite_only(engine) -> None:  # type: ignore[no-untyped-def]
    if engine.dialect.name != "sqlite":
        pytest.skip("backup and restore copy the SQLite file; PostgreSQL's is pg_dump")


def _snapshot(engine) -> tuple:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return (
            [(c.id, c.summary, c.counterpart) for c in s.scalars(select(Contact))],
            [(p.id, p.name) for p in s.scalars(select(Party))],
            s.execute(select(func.count()).select_from(AuditLog)).scalar_one(),
        )


def test_purge_dry_run_then_purge(env) -> None:  # type: ignore[no-untyped-def]
    run, engine, _, _ = env
    before = _snapshot(engine)
    r = run("purge", "--dry-run")
    assert r.code == 0, r.err
    assert "ville slette sag 2015-0001" in r.out and "NEW-1" not in r.out
    assert "borgersag     lukket 01-03-2015" in r.out  # day first
    assert "skæringsdatoer: borgersag lukket " in r.out
    assert "ville fjerne: 1 sag(er), 1 henvendelse(r)" in r.out
    assert _snapshot(engine) == before
    r = run("purge")
    assert r.code == 0, r.err
    assert "fjernet: 1 sag(er), 1 henvendelse(r)" in r.out and "1 part(er) anonymiseret" in r.out
    with session_scope(engine) as s:
        assert s.scalars(select(Case.title).where(Case.ref == "2015-0001")).one() is None
        assert s.scalars(select(Case.title).where(Case.ref == "NEW-1")).one() == "Ny sag"
    r = run("purge")
    assert "fjernet: 0 sag(er)" in r.out


def test_purge_off_until_configured(env, cli, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, engine, _, _ = env
    bare = tmp_path / "bare.toml"
    bare.write_text('municipality = "X"\n', "utf-8")
    before = _snapshot(engine)
    r = cli("--config", str(bare), "--db", db_url, "purge")
    assert r.code == 0 and "ikke sat op" in r.out
    bare.write_text('municipality = "X"\nlanguage = "en"\n', "utf-8")
    r = cli("--config", str(bare), "--db", db_url, "purge")
    assert r.code == 0 and "not configured" in r.out
    assert _snapshot(engine) == before


def test_export_party(env) -> None:  # type: ignore[no-untyped-def]
    run, _, ids, tmp = env
    out = tmp / "indsigt"
    r = run("export-party", "+45 22 33 44 55", "--out", str(out))
    assert r.code == 0, r.err
    assert f"eksporterede part {ids['knud']}" in r.out and "1 mail(s)" not in r.out
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert {p.name for p in out.iterdir()} == {
        "summary.html",
        "records.json",
        "calls.csv",
        "messages",
    }
    data = json.loads((out / "records.json").read_text("utf-8"))
    assert data["party"]["name"] == "Knud \x1b[31mK"
    r = run("audit", "--format", "json", "--action", "export")
    entries = json.loads(r.out)
    assert len(entries) == 1 and entries[0]["entity_id"] == str(ids["knud"])
    assert entries[0]["os_user"]


@pytest.mark.parametrize(
    ("args", "msg"),
    [
        (("export-party", "nobody@example.dk", "--out", "{tmp}/x"), "no party matches"),
        (("export-party", "knud@example.dk", "--out", "{tmp}/x", "--kind", "bogus"), "--kind"),
        (("erase-party", "id:999", "--yes"), "no party with id 999"),
        (("audit", "--since", "yesterday"), "--since"),
        (("audit", "--format", "xml"), "--format"),
        (("backup", "{tmp}/missing/b.sqlite3"), "no such folder"),
        (("restore", "{tmp}/none.sqlite3", "--yes"), "no such backup file"),
        (("restore", "{tmp}/config.toml", "--yes"), "not a SQLite database"),
    ],
)
def test_user_errors_are_one_line_and_change_nothing(env, args, msg) -> None:  # type: ignore[no-untyped-def]
    run, engine, _, tmp = env
    if args[0] in ("backup", "restore") and engine.dialect.name != "sqlite":
        msg = "pg_dump"  # the same one line, and nothing changed
    before = _snapshot(engine)
    files = sorted(p.name for p in tmp.iterdir())
    r = run(*(a.format(tmp=tmp) for a in args))
    assert msg in one_line_error(r)
    assert _snapshot(engine) == before
    assert sorted(p.name for p in tmp.iterdir()) == files


def test_backup_on_postgresql_points_to_pg_dump(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("--db", "postgresql://u@localhost/borgerdesk", "backup", str(tmp_path / "b"))
    assert "pg_dump" in one_line_error(r)


def test_erase_asks_and_respects_no(env, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    run, engine, ids, _ = env
    before = _snapshot(engine)
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    r = run("erase-party", "knud@example.dk")
    assert r.code == 1 and "afbrudt" in r.err and "Slet persondata for part" in r.err + r.out
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no answer at all: no
    assert run("erase-party", "knud@example.dk").code == 1
    assert _snapshot(engine) == before
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    r = run("erase-party", "knud@example.dk")
    assert r.code == 0, r.err
    assert f"slettede persondata for part {ids['knud']}" in r.out
    with session_scope(engine) as s:
        p = s.get(Party, ids["knud"])
        assert p is not None and p.name is None and p.anonymised_at is not None
    # The address is gone, so the party can no longer be found by it.
    assert "no party matches" in one_line_error(run("erase-party", "knud@example.dk", "--yes"))
    r = run("audit")
    assert r.code == 0 and "erase" in r.out and "\x1b" not in r.out


def test_backup_and_restore(env, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    run, engine, _, tmp = env
    _sqlite_only(engine)
    target = tmp / "b.sqlite3"
    r = run("backup", str(target))
    assert r.code == 0, r.err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "already exists" in one_line_error(run("backup", str(target)))
    run("erase-party", "knud@example.dk", "--yes")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert run("restore", str(target)).code == 1  # not confirmed: nothing happens
    engine.dispose()
    from ingest.daemon.lock import DaemonLock

    with DaemonLock(engine):  # a daemon is running on this database
        assert "already running" in one_line_error(run("restore", str(target), "--yes"))
    r = run("restore", str(target), "--yes")
    assert r.code == 0, r.err
    assert "den tidligere database er gemt som" in r.out
    with session_scope(engine) as s:
        names = set(s.scalars(select(Party.name)))
    assert "Knud \x1b[31mK" in names  # the erasure is undone by the restore


ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".venv" / "bin" / "borgerdesk"


def _tmux(sock: str, *args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", sock, *args], capture_output=True, text=True, timeout=10
    ).stdout


def _wait(sock: str, needle: str, timeout: float = 30.0) -> str:
    end = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < end:
        screen = _tmux(sock, "capture-pane", "-p", "-t", "priv")
        if needle in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} not on screen:\n{screen}")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_erase_confirmation_in_a_real_terminal(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The installed console script asks on a real terminal; 'y' erases, and the log
    shows it."""
    _, engine, ids, tmp = env
    if not SCRIPT.exists():
        pytest.skip("console script not installed (uv sync)")
    url = engine.url.render_as_string(hide_password=False)
    home = tmp / "home"
    cmd = " ".join(
        [
            "env",
            f"HOME={home}",
            f"XDG_CONFIG_HOME={home}/.config",
            f"XDG_DATA_HOME={home}/.local/share",
            str(SCRIPT),
            "--config",
            str(tmp / "config.toml"),
            "--db",
            url,
            "erase-party",
            "knud@example.dk",
            ";",
            "sleep",
            "30",
        ]
    )
    sock = f"borgerdesk-privacy-{os.getpid()}"
    _tmux(sock, "new-session", "-d", "-s", "priv", "-x", "120", "-y", "20", cmd)
    try:
        _wait(sock, "Slet persondata for part")
        _tmux(sock, "send-keys", "-t", "priv", "y", "Enter")
        screen = _wait(sock, f"slettede persondata for part {ids['knud']}")
        assert "Traceback" not in screen
    finally:
        _tmux(sock, "kill-server")
    with session_scope(engine) as s:
        p = s.get(Party, ids["knud"])
        assert p is not None and p.anonymised_at is not None and p.name is None


def test_erasing_twice_is_refused_before_asking(env) -> None:  # type: ignore[no-untyped-def]
    run, _, ids, _ = env
    assert run("erase-party", "K-1", "--yes").code == 0
    before = run("audit", "--format", "json").out
    r = run("erase-party", f"id:{ids['knud']}")
    assert "already anonymised" in one_line_error(r)
    assert "Slet persondata" not in r.err + r.out  # refused before the question
    assert run("audit", "--format", "json").out == before


def test_restore_onto_a_new_machine(env, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run, engine, _, tmp = env
    _sqlite_only(engine)
    backup = tmp / "b.sqlite3"
    assert run("backup", str(backup)).code == 0
    fresh = tmp_path / "new-home" / "data" / "borgerdesk.sqlite3"
    r = cli("--db", f"sqlite:///{fresh}", "restore", str(backup), "--yes")
    assert r.code == 0, r.err
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(fresh.parent.stat().st_mode) == 0o700
    r = cli("--db", f"sqlite:///{fresh}", "audit", "--format", "json")
    assert r.code == 0, r.err
