"""Issue 17 §4: a database that is broken, busy, full, read-only or unreachable ends a
command with one line and exit code 2, and changes nothing. Real SQLite files, a real
5 MB tmpfs, a real second process holding the write lock, a real closed port."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from store.config import load_config_text, preset_text
from store.db import make_engine, session_scope
from tests.faults.broken import BREAKERS, broken_copy
from tests.ingest.mail.corpus import mail as raw_mail
from tests.store._replies_support import cph
from tests.store._replies_support import mail as mail_contact
from tests.store.privacy_world import build_world

RETENTION = "\n[retention]\ncitizen_years = 5\n"


def one_line_error(r) -> str:  # type: ignore[no-untyped-def]
    assert r.code == 2, (r.code, r.out, r.err)
    assert "Traceback" not in r.err + r.out
    lines = r.err.strip().splitlines()
    assert lines and lines[-1].startswith("borgerdesk: error: "), r.err
    assert sum(line.startswith("borgerdesk: error: ") for line in lines) == 1, r.err
    return lines[-1]


def digest(path: Path) -> str:
    """The database's content as SQLite sees it (the file and its -wal together)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as c:
        rows = c.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        h = hashlib.sha256()
        for (table,) in rows.fetchall():
            for row in c.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                h.update(repr(row).encode())
        return h.hexdigest()


# ------------------------------------------------------------------ broken files

DAMAGED = ("truncated", "header-only", "zeroed-header", "schema-page-overwritten",
           "random-after-header", "text", "wrong-page-size")  # fmt: skip


@pytest.mark.parametrize("kind", sorted(BREAKERS))
def test_db_upgrade_and_backup_on_a_broken_file(kind, cli, tmp_path, _sqlite_template) -> None:
    path = broken_copy(_sqlite_template, tmp_path / "db", kind)
    before = path.read_bytes() if path.is_file() else None
    up = cli("--db", f"sqlite:///{path}", "db", "upgrade")
    bk = cli("--db", f"sqlite:///{path}", "backup", str(tmp_path / "copy.sqlite3"))
    if kind in DAMAGED:
        assert "damaged or not a SQLite database" in one_line_error(up)
        assert "damaged or not a SQLite database" in one_line_error(bk)
        assert path.read_bytes() == before
        assert not (tmp_path / "copy.sqlite3").exists()
        assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    elif kind == "newer":
        line = one_line_error(up)
        assert "newer than this borgerdesk knows" in line and "upgrade borgerdesk" in line
        assert path.read_bytes() == before
        assert bk.code == 0  # a newer database can still be backed up
    elif kind == "folder":
        assert "not a regular file" in one_line_error(up)
        assert "not a regular file" in one_line_error(bk)
    elif kind == "page-overwritten":
        # The header and schema are sound, so the migration level reads fine; the backup's
        # integrity check finds the damage.
        assert up.code == 0, up.err
        assert "damaged" in one_line_error(bk)
    else:
        assert kind == "empty"  # an empty file is a database to create
        assert up.code == 0 and bk.code == 0, (up.err, bk.err)


def test_doctor_finds_a_damaged_page_that_followups_trips_on(cli, tmp_path, _sqlite_template):
    path = broken_copy(_sqlite_template, tmp_path / "db", "page-overwritten")
    r = cli("--db", f"sqlite:///{path}", "followups")
    assert "damaged or not a SQLite database" in one_line_error(r)
    r = cli("--db", f"sqlite:///{path}", "doctor", "--skip-mail")
    assert r.code == 1 and "Traceback" not in r.out + r.err
    assert "FEJL" in r.out and "quick_check" in r.out and "restore" in r.out


def test_doctor_says_ok_for_a_sound_database(cli, db_url) -> None:
    r = cli("--db", db_url, "doctor", "--skip-mail")
    assert "FEJL" not in r.out, r.out


# ------------------------------------------------------------------ permissions


def test_db_upgrade_refuses_a_read_only_file_instead_of_chmodding_it(cli, sqlite_url) -> None:
    # SQLite: the database file's mode.
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    path.chmod(0o444)
    line = one_line_error(cli("--db", sqlite_url, "db", "upgrade"))
    assert "read-only (mode 0444)" in line
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_db_upgrade_still_closes_a_world_readable_file(cli, sqlite_url) -> None:
    # SQLite: the database file's mode.
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    path.chmod(0o644)
    assert cli("--db", sqlite_url, "db", "upgrade").code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.fixture
def read_only_mount(tmp_path: Path, _sqlite_template: Path) -> Iterator[Path]:
    """A folder holding a migrated database, bind-mounted read-only."""
    src = tmp_path / "rw"
    src.mkdir()
    shutil.copyfile(_sqlite_template, src / "db.sqlite3")
    os.chmod(src / "db.sqlite3", 0o600)
    ro = tmp_path / "ro"
    ro.mkdir()
    if subprocess.run(["mount", "--bind", str(src), str(ro)], capture_output=True).returncode:
        pytest.skip("mount is not permitted here")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)]).returncode:
            pytest.skip("a read-only remount is not permitted here")
        yield ro
    finally:
        subprocess.run(["umount", str(ro)], check=True)


def test_read_only_file_system(cli, read_only_mount: Path) -> None:
    url = f"sqlite:///{read_only_mount / 'db.sqlite3'}"
    before = (read_only_mount / "db.sqlite3").read_bytes()
    one_line_error(cli("--db", url, "db", "upgrade"))
    line = one_line_error(cli("--db", url, "backup", str(read_only_mount / "b.sqlite3")))
    assert "read-only" in line
    r = cli("--db", url, "doctor", "--skip-mail")
    assert r.code == 1 and "Traceback" not in r.out + r.err and "FEJL" in r.out, r.out + r.err
    assert (read_only_mount / "db.sqlite3").read_bytes() == before
    assert sorted(p.name for p in read_only_mount.iterdir()) == ["db.sqlite3"]


# ------------------------------------------------------------------ PostgreSQL down


def test_postgresql_unreachable(cli) -> None:
    url = "postgresql://advisor:s3cret@127.0.0.1:1/borgerdesk"  # nothing listens on port 1
    for args in (("db", "upgrade"), ("db", "current")):
        line = one_line_error(cli("--db", url, *args))
        assert "cannot open the database" in line and "Connection refused" in line
        assert "s3cret" not in line
    r = cli("--db", url, "doctor", "--skip-mail")
    assert r.code == 1 and "Traceback" not in r.out + r.err
    assert "cannot open the database" in r.out and "s3cret" not in r.out + r.err


# ------------------------------------------------------------------ a world with data


@pytest.fixture
def world(tmp_path: Path, cli):  # type: ignore[no-untyped-def]
    """A database with parties, cases old enough to purge, and a mail awaiting a reply;
    `make(folder)` builds it in `folder` and returns a runner bound to it."""

    def make(folder: Path):  # type: ignore[no-untyped-def]
        db = folder / "db.sqlite3"
        url = f"sqlite:///{db}"
        cfg_path = folder / "config.toml"
        cfg_path.write_text(preset_text("odsherred") + RETENTION, "utf-8")
        config = load_config_text(cfg_path.read_text("utf-8"), "test")
        assert cli("--db", url, "db", "upgrade").code == 0
        engine = make_engine(url)
        with session_scope(engine) as s:
            w = build_world(s, config, n_parties=8, n_cases=24)
            waiting = mail_contact(s, config, at=cph(2026, 3, 2, 10), addr="knud@example.dk")
        engine.dispose()
        party = next(iter(w.parties))

        def run(*args: str):  # type: ignore[no-untyped-def]
            return cli("--config", str(cfg_path), "--db", url, *args)

        run.db = db  # type: ignore[attr-defined]
        run.party = f"id:{party}"  # type: ignore[attr-defined]
        run.contact = str(waiting.id)  # type: ignore[attr-defined]
        return run

    return make


def _register(path: Path) -> Path:
    from store.samples import odsherred_register, write_register_csv

    rows = odsherred_register()[:60]
    for r in rows:  # not the world's case and party refs
        r["case_ref"], r["party_ref"] = "R-" + r["case_ref"], "R-" + r["party_ref"]
    return write_register_csv(rows, path)


# ------------------------------------------------------------------ a full disk


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=5m,mode=0700", "tmpfs", str(mnt)],
        capture_output=True,
    ).returncode:
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def _fill(mnt: Path, leave: int) -> None:
    fd = os.open(mnt / "filler", os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        os.posix_fallocate(fd, 0, shutil.disk_usage(mnt).free - leave)
    finally:
        os.close(fd)


def test_a_full_disk_is_one_line_and_changes_nothing(world, small_disk, tmp_path) -> None:
    run = world(small_disk)
    register = _register(tmp_path / "register.csv")
    assert run("purge", "--dry-run").out.count("ville slette sag") > 0  # there is work
    # Room for SQLite's -shm and a write-ahead log header, not for a transaction.
    _fill(small_disk, 48 * 1024)
    before = digest(run.db)
    for args in (
        ("import-register", str(register)),
        ("erase-party", run.party, "--yes"),
        ("purge",),
        ("backup", str(small_disk / "backup.sqlite3")),
    ):
        line = one_line_error(run(*args))
        assert "the disk is full" in line, (args, line)
        assert digest(run.db) == before, args
    assert not (small_disk / "backup.sqlite3").exists()
    assert sorted(p.name for p in small_disk.iterdir() if not p.name.startswith("db.")) == [
        "config.toml",
        "filler",
    ]
    (small_disk / "filler").unlink()  # with room again, the same commands work
    assert run("erase-party", run.party, "--yes").code == 0


# ------------------------------------------------------------------ another writer

HOLDER = """
import sqlite3, sys
from sqlalchemy import create_engine
from ingest.daemon.lock import DaemonLock
path, daemon = sys.argv[1], sys.argv[2] == "daemon"
if daemon:
    DaemonLock(create_engine("sqlite:///" + path)).acquire()
c = sqlite3.connect(path, isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
print("holding", flush=True)
sys.stdin.read()
"""


@contextlib.contextmanager
def write_lock_held(db: Path, *, daemon: bool = False) -> Iterator[int]:
    """Another process holds BEGIN EXCLUSIVE on `db` (and the daemon's lock if `daemon`)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), "daemon" if daemon else "plain"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
        yield proc.pid
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)


@pytest.fixture
def imap(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from ingest.mail.embedded_server import EmbeddedServer

    monkeypatch.setattr("store.secrets._keyring_get", lambda key: None)
    with EmbeddedServer({"INBOX": [raw_mail(i) for i in range(3)]}) as srv:
        monkeypatch.setenv("BD_TEST_IMAP_PW", srv.password)
        yield srv


def test_a_busy_database_is_one_line_naming_the_daemon(world, tmp_path, monkeypatch, imap):
    run = world(tmp_path)
    with (tmp_path / "config.toml").open("a", encoding="utf-8") as f:
        f.write(
            f'\n[[mail.accounts]]\nname = "advisor"\nhost = "127.0.0.1"\nport = {imap.port}\n'
            f'security = "none"\nusername = "{imap.username}"\n'
            'password_env = "BD_TEST_IMAP_PW"\nfolders = ["INBOX"]\n'
        )
    register = _register(tmp_path / "register.csv")
    monkeypatch.setenv("BORGERDESK_BUSY_TIMEOUT", "0.3")
    before = digest(run.db)
    commands = (
        ("ack", run.contact),
        ("export-party", run.party, "--out", str(tmp_path / "export")),
        ("erase-party", run.party, "--yes"),
        ("import-register", str(register)),
        ("sync",),
    )
    with write_lock_held(run.db):
        for args in commands:
            line = one_line_error(run(*args))
            assert "the database is busy" in line and "0.3 s" in line, (args, line)
            assert "daemon" not in line
    with write_lock_held(run.db, daemon=True) as pid:
        line = one_line_error(run(*commands[0]))
        assert f"the borgerdesk daemon, pid {pid}, is running on it" in line
    assert digest(run.db) == before
    assert not (tmp_path / "export").exists()  # never written and unaudited
    assert run("ack", run.contact).code == 0  # the lock is gone: it works


def test_busy_timeout_setting_is_checked(cli, sqlite_url, monkeypatch) -> None:
    # SQLite: the busy timeout is SQLite's wait for its write lock.
    monkeypatch.setenv("BORGERDESK_BUSY_TIMEOUT", "soon")
    assert "BORGERDESK_BUSY_TIMEOUT" in one_line_error(cli("--db", sqlite_url, "followups"))
