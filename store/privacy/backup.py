"""Backups and restores of the SQLite database.

`backup_sqlite` uses SQLite's online backup API (sqlite3.Connection.backup) in one step:
the copy is a consistent snapshot of one moment even while the daemon keeps writing (in
WAL mode writers are not blocked while it reads). The copy is written beside the target
as a private temporary file (0600), switched to a self-contained rollback-journal file,
checked with PRAGMA integrity_check and renamed into place.

`restore_sqlite` checks the backup before it touches anything: it must be a SQLite file,
pass integrity_check and carry a migration level this version knows (an older one is
migrated on a private copy first; a newer one is refused). It then keeps a copy of the
current database beside it and replaces the contents through the backup API into the
live file, which SQLite applies as one transaction under its own locks: other
connections see either the old or the new database, never a mix, and a crash half-way
leaves the old one. (Renaming a file over a live WAL database would not be safe: its -wal
file would be replayed onto the new file.)

PostgreSQL is backed up with its own tools: `pg_dump`/`pg_restore`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from store.db import (
    _prepare_sqlite_file,
    busy_timeout_ms,
    check_regular_file,
    database_problem,
    head_revision,
    integrity,
    known_revisions,
    normalise_url,
    sqlite_path,
    upgrade,
)
from store.errors import UserError

PG_HINT = (
    "PostgreSQL databases are backed up with PostgreSQL's own tools: "
    "pg_dump --format=custom --file=borgerdesk.dump DBNAME (restore with pg_restore "
    "--clean --dbname=DBNAME borgerdesk.dump); see docs/data-protection.md"
)


@dataclass(frozen=True)
class BackupReport:
    path: Path
    bytes: int
    revision: str | None
    seconds: float


@dataclass(frozen=True)
class RestoreReport:
    path: Path
    revision: str
    migrated_from: str | None
    safety_copy: Path | None


def _db_file(url: str) -> Path:
    url = normalise_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        raise UserError(PG_HINT)
    path = sqlite_path(url)
    if path is None:
        raise UserError(f"{url}: an in-memory database cannot be backed up")
    return path


def _connect(path: Path) -> sqlite3.Connection:
    timeout = busy_timeout_ms()
    conn = sqlite3.connect(str(path), timeout=timeout / 1000)
    conn.execute(f"PRAGMA busy_timeout={timeout}")
    return conn


def revision_of(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        return None
    return None if row is None else str(row[0])


@contextmanager
def _private_temp(folder: Path, stem: str) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(prefix=f".{stem}.", suffix=".tmp", dir=folder)  # 0600
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        for p in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            p.unlink(missing_ok=True)


def _source_uri(path: Path) -> str:
    """How the live database is opened for a backup: read-only (`mode=ro`), so a backup
    never changes it, and from a read-only place (a mounted snapshot, a read-only share)
    as `immutable=1` where SQLite could otherwise not open it.

    A WAL database needs its -shm (and -wal) file to be read; with neither beside it and a
    folder it cannot write, SQLite refuses to open it at all. `immutable=1` then reads the
    main file without the WAL index and without locks. That is only right when no writer
    can be active, which is what the two conditions say:
    - the folder is not writable for us: a writer (the daemon, the desk, run by the same
      user) could not create the -wal or -journal file its first write needs;
    - no -wal or -journal file is there: no writer is half-way through a transaction,
      and no committed transaction waits in a WAL (immutable=1 would ignore it and copy
      an older state).
    Only a writer of another user, or one writing through another, writable mount of the
    same disk, escapes this; the copy's integrity_check is the last guard there."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    folder = path.parent
    wal_or_journal = any(Path(f"{path}{s}").exists() for s in ("-wal", "-journal"))
    if not os.access(folder, os.W_OK) and not wal_or_journal:
        uri += "&immutable=1"
    return uri


def _open_source(path: Path) -> sqlite3.Connection:
    """The live database, read once so a damaged or foreign file is named as the source."""
    timeout = busy_timeout_ms()
    aside = [Path(f"{path}{s}") for s in ("-wal", "-shm")]
    new = [p for p in aside if not p.exists()]
    conn = sqlite3.connect(_source_uri(path), timeout=timeout / 1000, uri=True)
    conn.execute(f"PRAGMA busy_timeout={timeout}")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as e:
        conn.close()
        # A read-only connection leaves the -wal and -shm it made for a file whose header
        # says WAL. This one is damaged or foreign, so no one else can be using them:
        # take away what this open added, and the folder is as it was.
        for p in new:
            if p.exists() and not (p.name.endswith("-wal") and p.stat().st_size):
                p.unlink(missing_ok=True)
        raise database_problem(e, str(path)) or e from None
    return conn


def _failed(e: sqlite3.Error, src: Path, dest: Path) -> Exception:
    """A failed copy, blamed on the side it belongs to: a full, read-only or failing disk
    is the backup's, anything else (a damaged page) the database's."""
    name = getattr(e, "sqlite_errorname", "") or ""
    side = dest if name.startswith(("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR")) else src
    problem = database_problem(e, str(side))
    if problem is None:
        return e
    return UserError(f"{problem}; no backup was written")


def backup_sqlite(url: str, dest: Path) -> BackupReport:
    src_path = _db_file(url)
    if not src_path.exists():
        raise UserError(f"{src_path}: database file not found; nothing to back up")
    check_regular_file(src_path)
    dest = dest.expanduser()
    if dest.exists():
        raise UserError(f"{dest}: already exists; choose a new file name (backups never overwrite)")
    if not dest.parent.is_dir():
        raise UserError(f"{dest.parent}: no such folder; create it first")
    t0 = dt.datetime.now(dt.UTC)
    with _private_temp(dest.parent, dest.name) as tmp:
        with closing(_open_source(src_path)) as src, closing(_connect(tmp)) as dst:
            try:
                # pages=-1: one step, so the copy is a single consistent snapshot.
                src.backup(dst, pages=-1)
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            except sqlite3.Error as e:
                raise _failed(e, src_path, dest) from None
            problem = integrity(dst)
            revision = revision_of(dst)
        if problem != "ok":
            # The copy is the database page for page: the damage is the database's.
            raise UserError(
                f"{src_path}: the database is damaged (PRAGMA integrity_check: "
                f"{problem[:200]}); no backup was written; keep the last good backup"
            )
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, dest)  # never replaces an existing file (a race with the check)
        except FileExistsError:
            raise UserError(f"{dest}: already exists; choose a new file name") from None
    seconds = (dt.datetime.now(dt.UTC) - t0).total_seconds()
    return BackupReport(dest, dest.stat().st_size, revision, seconds)


def check_backup(path: Path) -> str:
    """The migration level of a staged copy of a backup, after checking it is a sound
    borgerdesk database. (Checks run on a copy: opening the user's file could leave
    -wal/-shm files beside it.)"""
    with path.open("rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise UserError("not a SQLite database file")
    try:
        with closing(_connect(path)) as conn:
            problem = integrity(conn)
            if problem != "ok":
                raise UserError(f"failed PRAGMA integrity_check ({problem[:200]})")
            revision = revision_of(conn)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as e:
        raise UserError(f"unreadable SQLite file ({str(e)[:200]})") from None
    if revision is None:
        raise UserError("not a borgerdesk database (no migration level)")
    if revision not in known_revisions():
        raise UserError(
            f"backup is at migration {revision}, which this borgerdesk does not know "
            f"(head {head_revision()}); restore it with a newer borgerdesk"
        )
    return revision


def restore_sqlite(url: str, src: Path, *, now: dt.datetime | None = None) -> RestoreReport:
    target = _db_file(url)
    src = src.expanduser()
    if not src.is_file():
        raise UserError(f"{src}: no such backup file; nothing was changed")
    if target.exists() and src.resolve() == target.resolve():
        raise UserError(f"{src}: that is the live database itself; nothing was changed")
    now = now or dt.datetime.now(dt.UTC)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    migrated_from: str | None = None
    head = head_revision()
    with _private_temp(folder, target.name + ".restore") as staged:
        try:
            shutil.copyfile(src, staged)
        except OSError as e:
            raise UserError(
                f"{src}: cannot read the backup ({e.strerror}); nothing was changed"
            ) from None
        os.chmod(staged, 0o600)
        try:
            revision = check_backup(staged)
        except UserError as e:
            raise UserError(f"{src}: {e}; nothing was changed") from None
        if revision != head:
            migrated_from = revision
            upgrade(f"sqlite:///{staged}")
        with closing(_connect(staged)) as conn:
            conn.execute("PRAGMA journal_mode=DELETE")
            problem = integrity(conn)
            if problem != "ok" or revision_of(conn) != head:
                raise UserError(
                    f"{src}: the staged restore failed its checks ({problem}); nothing was changed"
                )
        safety: Path | None = None
        if target.exists() and target.stat().st_size > 0:
            stamp = now.strftime("%Y%m%dT%H%M%SZ")
            safety = folder / f"{target.name}.before-restore-{stamp}"
            backup_sqlite(f"sqlite:///{target}", safety)
        _prepare_sqlite_file(target)
        with closing(_connect(staged)) as s, closing(_connect(target)) as t:
            # The copy takes the backup's page size, which a database in WAL mode cannot
            # change: a target whose page size differs (a new file has SQLite's default
            # 4096; new databases get store.db.PAGE_SIZE, older ones and their backups
            # 4096) takes the copy in rollback-journal mode and goes back to WAL after.
            size = s.execute("PRAGMA page_size").fetchone()[0]
            same = t.execute("PRAGMA page_size").fetchone()[0] == size
            t.execute("PRAGMA journal_mode=" + ("WAL" if same else "DELETE"))
            s.backup(t, pages=-1)
            t.execute("PRAGMA journal_mode=WAL")
            problem = integrity(t)
        if problem != "ok":  # pragma: no cover - SQLite applied the copy atomically
            raise UserError(f"{target}: integrity check failed after restore ({problem})")
    return RestoreReport(target, head, migrated_from, safety)
