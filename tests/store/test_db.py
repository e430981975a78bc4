"""Database set-up: migrations match the models, the gate refuses un-migrated and newer
databases, SQLite files are private, and two writers can work at once."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

import store.models  # noqa: F401
from store.contacts import add_contact
from store.db import DatabaseError, make_engine, open_database, upgrade
from store.models import ContactCreate
from tests.conftest import PG_URL


def test_migrations_match_models(engine) -> None:
    """Alembic, never create_all: the migrated schema must be exactly the models."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == [], diff


def test_head_revision_constant_is_the_scripts_head() -> None:
    """Start-up checks the database against HEAD_REVISION without importing Alembic; a
    new migration must move it too."""
    from store.db import HEAD_REVISION, head_revision

    assert head_revision() == HEAD_REVISION, "set store.revision.HEAD_REVISION to the new head"


def test_opening_the_database_does_not_import_alembic(db_url: str) -> None:
    """Alembic is for upgrades; the UI and every command start without it."""
    code = (
        "import sys; from store.db import open_database; "
        f"open_database({db_url!r}).dispose(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]", out


@pytest.mark.skipif(bool(PG_URL), reason="SQLite files only")
def test_sqlite_file_and_folder_are_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "deep" / "borgerdesk.sqlite3"
    upgrade(f"sqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    eng = make_engine(f"sqlite:///{path}")
    with eng.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert c.execute(text("PRAGMA busy_timeout")).scalar_one() >= 5000
    eng.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="SQLite files only")
def test_gate_refuses_missing_unmigrated_and_newer(tmp_path: Path, cli) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    with pytest.raises(DatabaseError, match="database file not found; run 'borgerdesk db upgrade'"):
        open_database(url)
    make_engine(url).dispose()  # an empty file: exists but not set up
    with pytest.raises(DatabaseError, match="not set up; run 'borgerdesk db upgrade' first"):
        open_database(url)
    r = cli("--db", url, "report", "--year", "2024", "--unit", "cases", "--rows", "category")
    assert r.code == 2 and "not set up" in r.err and "Traceback" not in r.err
    upgrade(url)
    eng = make_engine(url)
    with eng.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    eng.dispose()
    with pytest.raises(DatabaseError, match="newer than this borgerdesk knows"):
        open_database(url)
    r = cli("--db", url, "db", "current")
    assert r.code == 0 and "9999_future" in r.out


@pytest.mark.skipif(bool(PG_URL), reason="SQLite files only")
def test_db_upgrade_command(tmp_path: Path, cli) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'b.sqlite3'}"
    r = cli("--db", url, "db", "upgrade")
    assert r.code == 0, r.err
    assert open_database(url) is not None


def test_two_writers_at_once(db_url: str) -> None:
    """The daemon and the UI write at the same time: neither sees 'database is locked'."""
    import datetime as dt

    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        eng = make_engine(db_url)
        try:
            for i in range(150):
                with Session(eng) as s:
                    add_contact(
                        session=s,
                        contact_in=ContactCreate(
                            channel="phone",
                            direction="in",
                            counterpart=f"+4512{i:06d}",
                            occurred_at=dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC),
                            source_ref=f"{tag}:{i}",
                        ),
                    )
                    s.commit()
        except BaseException as e:
            errors.append(e)
        finally:
            eng.dispose()

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    eng = make_engine(db_url)
    with eng.connect() as c:
        assert c.execute(text("SELECT count(*) FROM contact")).scalar_one() == 300
    eng.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="the turnstile is SQLite's")
def test_bulk_writer_gives_way_to_a_waiting_interactive_write(sqlite_url: str) -> None:
    # SQLite: its write lock and the turnstile file beside the database.
    """SQLite's busy handler is not fair: a daemon that begins its next batch the moment
    it committed the last starves the advisor's write (it sleeps and retries, and finds
    the lock taken every time). A bulk writer passes the turnstile before each
    transaction, so the advisor's write gets in after at most the batch in progress and
    one that had already passed."""
    from store.db import bulk_write_scope, write_scope

    events: list[str] = []
    third_batch = threading.Event()
    eng = make_engine(sqlite_url)

    def bulk() -> None:
        for i in range(30):
            with bulk_write_scope(eng) as s:
                s.execute(text("UPDATE sync_state SET folder = folder"))
                time.sleep(0.02)  # a batch's work, holding the write lock
                events.append(f"batch {i}")
            if i == 2:
                third_batch.set()

    tb = threading.Thread(target=bulk)
    tb.start()
    assert third_batch.wait(30)
    with write_scope(eng) as s:
        s.execute(text("UPDATE sync_state SET folder = folder"))
        events.append("advisor")
    tb.join(60)
    assert events.index("advisor") <= events.index("batch 2") + 3, events
    lock = Path(make_url(sqlite_url).database + "-writers")  # type: ignore[operator]
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600
    eng.dispose()


def test_naive_datetimes_are_refused(engine) -> None:
    import datetime as dt

    from sqlalchemy.exc import StatementError

    with Session(engine) as s, pytest.raises(StatementError, match="naive datetime"):
        add_contact(
            session=s,
            contact_in=ContactCreate(
                channel="phone", direction="in", occurred_at=dt.datetime(2024, 5, 1, 10)
            ),
        )
    _ = os


def test_unreachable_database_is_one_line(cli, tmp_path) -> None:
    r = cli(
        "--db",
        "postgresql://nobody:x@127.0.0.1:1/none",
        "report",
        "--year",
        "2024",
        "--unit",
        "cases",
        "--rows",
        "category",
    )
    assert r.code == 2 and "Traceback" not in r.err
    assert "cannot open the database" in r.err and r.err.count("\n") == 1
    assert ":x@" not in r.err  # the password is hidden
    bad = tmp_path / "garbage.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    r = cli(
        "--db",
        f"sqlite:///{bad}",
        "report",
        "--year",
        "2024",
        "--unit",
        "cases",
        "--rows",
        "category",
    )
    assert r.code == 2 and "damaged or not a SQLite database" in r.err


@pytest.mark.parametrize(
    ("how", "url", "needle"),
    [
        ("--db", "garbage", "--db 'garbage': not a database URL; use e.g. sqlite:////"),
        ("env", "garbage", "BORGERDESK_DATABASE_URL 'garbage': not a database URL"),
        ("config", "garbage", "config.toml: [database] url 'garbage': not a database URL"),
        ("--db", "postgresql://u:secret@h:port/x", "--db 'postgresql://u:***@h:port/x': not"),
        ("--db", "mysqlx://u:secret@h/x", "unknown database kind 'mysqlx'; use e.g."),
    ],
)
def test_a_malformed_database_url_names_its_setting(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, url: str, needle: str
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[database]\nurl = "{url}"\n' if how == "config" else "", "utf-8")
    args = ["--config", str(cfg)] + (["--db", url] if how == "--db" else [])
    if how == "env":
        # After cli() is set up (it clears the variable) and before it runs.
        monkeypatch.setenv("BORGERDESK_DATABASE_URL", url)
    r = cli(*args, "followups")
    assert r.code == 2 and "Traceback" not in r.err and r.err.count("\n") == 1, r.err
    assert needle in r.err and "secret" not in r.err, r.err


@pytest.mark.skipif(bool(PG_URL), reason="SQLite files only")
def test_reading_commands_leave_an_empty_file_untouched(cli, tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.touch()
    url = f"sqlite:///{path}"
    for args in (
        ("followups",),
        ("report", "--year", "2024", "--unit", "cases", "--rows", "category"),
    ):
        r = cli("--db", url, *args)
        assert r.code == 2 and r.err == (
            f"borgerdesk: error: {url}: the database is not set up; "
            "run 'borgerdesk db upgrade' first\n"
        ), r.err
    r = cli("--db", url, "db", "current")
    assert r.code == 0 and "database: ikke sat op;" in r.out, r.err
    r = cli("--db", url, "doctor")
    assert "not set up" in r.out  # the database's own error text: English
    assert path.stat().st_size == 0 and sorted(tmp_path.glob("x.txt*")) == [path]
    # The command that creates the schema still does, in the very same file.
    assert cli("--db", url, "db", "upgrade").code == 0
    assert open_database(url) is not None and path.stat().st_size > 0


def test_sessions_come_only_from_the_scopes_in_store_db() -> None:
    """One transaction style: nothing outside store/db.py constructs a Session or gives way
    by hand; it takes session_scope, write_scope or bulk_write_scope."""
    import ast

    root = Path(__file__).resolve().parents[2]
    bad = []
    for package in ("store", "ingest", "tui", "borgerdesk"):
        for path in sorted((root / package).rglob("*.py")):
            if path == root / "store" / "db.py" or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Call):
                    f = node.func
                    name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
                    if name in {"Session", "sessionmaker", "give_way"}:
                        bad.append(f"{path.relative_to(root)}:{node.lineno} {name}(...)")
    assert not bad, "open sessions with store.db's scopes:\n" + "\n".join(bad)
