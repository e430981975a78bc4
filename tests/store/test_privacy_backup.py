"""Backups and restores (SQLite), and the database at rest. SQLite-only: PostgreSQL is
backed up with pg_dump (the command says so; tested below without a server)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from store.contacts import add_contact
from store.db import (
    PAGE_SIZE,
    head_revision,
    make_engine,
    open_database,
    session_scope,
    upgrade,
)
from store.errors import UserError
from store.models import Contact, ContactCreate
from store.privacy.backup import backup_sqlite, restore_sqlite

BATCH = 5


@pytest.fixture
def sqlite_engine(engine: Engine) -> Engine:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite backups; PostgreSQL uses pg_dump")
    return engine


def _path(engine: Engine) -> Path:
    assert engine.url.database
    return Path(engine.url.database)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def _prefill(path: Path, n: int) -> None:
    """Bulk rows so the backup takes long enough to overlap many commits."""
    conn = sqlite3.connect(path)
    now = "2026-01-01 10:00:00.000000"
    conn.executemany(
        "INSERT INTO contact (channel, direction, occurred_at, occurred_on, summary, "
        "access_request, source_ref, dismissed, created_at) "
        "VALUES ('phone', 'in', ?, '2026-01-01', ?, 0, ?, 0, ?)",
        [(now, "x" * 400, f"manual:prefill-{i}", now) for i in range(n)],
    )
    conn.commit()
    conn.close()


def _contacts(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [
            r[0]
            for r in conn.execute(
                "SELECT source_ref FROM contact WHERE source_ref LIKE 'mail:live-%'"
            )
        ]
    finally:
        conn.close()


def _check_whole_batches(refs: list[str]) -> int:
    batches: dict[int, int] = {}
    for ref in refs:
        _, b, _ = ref.rsplit("-", 2)
        batches[int(b)] = batches.get(int(b), 0) + 1
    assert all(n == BATCH for n in batches.values()), "a backup holds half a transaction"
    assert sorted(batches) == list(range(len(batches))), "a backup misses a committed batch"
    return len(batches)


def test_backup_during_heavy_ingestion_restores_whole(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    db = _path(sqlite_engine)
    _prefill(db, 30_000)
    stop = threading.Event()
    committed = [0]
    errors: list[BaseException] = []

    def writer() -> None:
        eng = make_engine(f"sqlite:///{db}")
        try:
            b = 0
            while not stop.is_set():
                with session_scope(eng) as s:
                    for i in range(BATCH):
                        add_contact(
                            session=s,
                            contact_in=ContactCreate(
                                channel="email",
                                direction="in",
                                summary="y" * 200,
                                occurred_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
                                + dt.timedelta(seconds=b * BATCH + i),
                                counterpart=f"p{b % 50}@example.dk",
                                source_ref=f"mail:live-{b}-{i}",
                            ),
                        )
                b += 1
                committed[0] = b
        except BaseException as e:  # surfaced by the test below
            errors.append(e)
        finally:
            eng.dispose()

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    try:
        while committed[0] < 20:
            time.sleep(0.01)
        backups = []
        overlapped = 0
        for n in range(3):
            before = committed[0]
            rep = backup_sqlite(f"sqlite:///{db}", tmp_path / f"b{n}.sqlite3")
            overlapped += committed[0] > before
            backups.append(rep)
            time.sleep(0.05)
    finally:
        stop.set()
        t.join(30)
    assert not errors, errors
    assert overlapped >= 1, "the writer never committed while a backup ran"
    sizes = []
    for rep in backups:
        assert _mode(rep.path) == 0o600
        conn = sqlite3.connect(rep.path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
        conn.close()
        assert not Path(f"{rep.path}-wal").exists()
        sizes.append(_check_whole_batches(_contacts(rep.path)))
    assert sizes == sorted(sizes) and sizes[-1] < committed[0]

    # Restore the last backup over the live database (the daemon stopped).
    live_batches = committed[0]
    sqlite_engine.dispose()
    rest = restore_sqlite(f"sqlite:///{db}", backups[-1].path)
    assert rest.revision == head_revision() and rest.migrated_from is None
    assert rest.safety_copy is not None and _mode(rest.safety_copy) == 0o600
    assert _check_whole_batches(_contacts(db)) == sizes[-1]
    assert _check_whole_batches(_contacts(rest.safety_copy)) == live_batches
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    eng = open_database(f"sqlite:///{db}")  # at head: the app accepts it
    with session_scope(eng) as s:
        assert s.execute(select(func.count()).select_from(Contact)).scalar_one() == (
            30_000 + BATCH * sizes[-1]
        )
    eng.dispose()
    assert _mode(db) == 0o600


def test_restore_checks_before_touching_anything(sqlite_engine: Engine, tmp_path: Path) -> None:
    db = _path(sqlite_engine)
    url = f"sqlite:///{db}"
    with session_scope(sqlite_engine) as s:
        add_contact(
            session=s,
            contact_in=ContactCreate(
                channel="phone",
                direction="in",
                occurred_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                source_ref="manual:original",
            ),
        )
    sqlite_engine.dispose()
    good = backup_sqlite(url, tmp_path / "good.sqlite3").path

    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("hello")
    corrupt = tmp_path / "corrupt.sqlite3"
    data = bytearray(good.read_bytes())
    for i in range(4096 + 100, len(data), 4096):  # smash a bit of every page but the first
        data[i : i + 64] = b"\xff" * 64
    corrupt.write_bytes(bytes(data))
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(good.read_bytes())
    c = sqlite3.connect(newer)
    c.execute("UPDATE alembic_version SET version_num = '9999_future'")
    c.commit()
    c.close()
    foreign = tmp_path / "foreign.sqlite3"
    c = sqlite3.connect(foreign)
    c.execute("CREATE TABLE t (x)")
    c.commit()
    c.close()

    before = sorted(p.name for p in db.parent.iterdir())
    for bad, msg in (
        (not_sqlite, "not a SQLite database"),
        (corrupt, "integrity_check|unreadable|malformed"),
        (newer, "9999_future"),
        (foreign, "not a borgerdesk database"),
        (tmp_path / "missing.sqlite3", "no such backup"),
        (db, "live database itself"),
    ):
        with pytest.raises(UserError, match=msg) as e:
            restore_sqlite(url, bad)
        assert "\n" not in str(e.value)
        assert sorted(p.name for p in db.parent.iterdir()) == before  # no copy, no temp
    with session_scope(sqlite_engine) as s:
        assert s.scalars(select(Contact.source_ref)).all() == ["manual:original"]


def test_restore_migrates_an_older_backup(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    upgrade(f"sqlite:///{old}", "0001")
    target = tmp_path / "live" / "db.sqlite3"
    rep = restore_sqlite(f"sqlite:///{target}", old)
    assert rep.migrated_from == "0001" and rep.safety_copy is None
    assert _mode(target) == 0o600 and _mode(target.parent) == 0o700
    open_database(f"sqlite:///{target}").dispose()
    c = sqlite3.connect(old)  # the user's backup file is untouched
    assert c.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    c.close()


def test_restore_across_page_sizes(tmp_path: Path) -> None:
    """A backup of a database made before new files got 16 KB pages restores over a
    live database that has them, and the other way round."""
    old = tmp_path / "old.sqlite3"
    c = sqlite3.connect(old)
    c.execute("PRAGMA page_size=4096")
    c.execute("VACUUM")
    c.close()
    upgrade(f"sqlite:///{old}")  # an existing file keeps its page size
    target = tmp_path / "live" / "db.sqlite3"
    upgrade(f"sqlite:///{target}")
    for src, size in ((old, 4096), (target, PAGE_SIZE)):
        assert sqlite3.connect(src).execute("PRAGMA page_size").fetchone()[0] == size
    restore_sqlite(f"sqlite:///{target}", old)
    c = sqlite3.connect(target)
    assert c.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    c.close()
    fresh = tmp_path / "fresh.sqlite3"
    upgrade(f"sqlite:///{fresh}")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)  # another safety copy name
    restore_sqlite(f"sqlite:///{target}", fresh, now=later)
    c = sqlite3.connect(target)
    assert c.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    c.close()
    open_database(f"sqlite:///{target}").dispose()


def test_backup_refusals(tmp_path: Path, sqlite_url: str) -> None:
    # SQLite: the backup copies the database file (PostgreSQL is refused: pg_dump).
    existing = tmp_path / "exists.sqlite3"
    existing.write_text("precious")
    with pytest.raises(UserError, match="already exists"):
        backup_sqlite(sqlite_url, existing)
    assert existing.read_text() == "precious"
    with pytest.raises(UserError, match="no such folder"):
        backup_sqlite(sqlite_url, tmp_path / "nowhere" / "b.sqlite3")
    with pytest.raises(UserError, match="pg_dump"):
        backup_sqlite("postgresql://u@localhost/borgerdesk", tmp_path / "b.sqlite3")
    with pytest.raises(UserError, match="pg_dump"):
        restore_sqlite("postgresql+psycopg://u@localhost/borgerdesk", existing)


def test_database_file_and_folder_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "borgerdesk"
    url = f"sqlite:///{folder / 'borgerdesk.sqlite3'}"
    upgrade(url)
    eng = make_engine(url)
    with session_scope(eng) as s:  # a write: creates -wal and -shm
        add_contact(
            session=s,
            contact_in=ContactCreate(
                channel="phone", direction="in", occurred_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            ),
        )
        assert _mode(folder) == 0o700
        for name in ("borgerdesk.sqlite3", "borgerdesk.sqlite3-wal", "borgerdesk.sqlite3-shm"):
            p = folder / name
            assert p.exists() and _mode(p) == 0o600, name
    eng.dispose()
