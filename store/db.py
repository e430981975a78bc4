"""Engines, sessions and the migration gate.

SQLite is tuned so the daemon and the UI can write at once (WAL, a busy timeout) and is
created private (file 0600, folder 0700). PostgreSQL (psycopg 3) runs through the same code.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from store.errors import UserError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

if sys.platform != "win32":
    import fcntl

BUSY_TIMEOUT_MS = 30_000

# The newest migration. Every start checks the database against it; knowing it without
# Alembic keeps Alembic (~0.15 s of imports) out of every command and the UI's start.
# tests/store/test_db.py keeps it equal to the migration scripts' head.
HEAD_REVISION = "0007_report_whistleblower"


class DatabaseError(UserError):
    """A database problem phrased as one line for the user."""


class NotSetUp(DatabaseError):
    """The database has no schema yet: `borgerdesk db upgrade` creates it."""

    def __init__(self, where: str) -> None:
        super().__init__(f"{where}: the database is not set up; run 'borgerdesk db upgrade' first")


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and route them to psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


URL_EXAMPLES = "sqlite:////path/to/borgerdesk.sqlite3 or postgresql://user@host/dbname"


def check_url(url: str, source: str) -> str:
    """The URL, normalised, or a one-line error naming where it came from (`source`,
    e.g. "--db"): SQLAlchemy's own errors for an unparsable URL or an unknown database
    kind are tracebacks that do not say which setting is wrong."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    raw, url = url, normalise_url(url)
    try:
        u = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        # It did not parse, so hide what looks like a password by hand.
        shown = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", raw)
        raise DatabaseError(
            f"{source} {shown!r}: not a database URL; use e.g. {URL_EXAMPLES}"
        ) from None
    try:
        u.get_dialect()
    except NoSuchModuleError:
        shown = u.render_as_string(hide_password=True)
        raise DatabaseError(
            f"{source} {shown!r}: unknown database kind {u.drivername!r}; use e.g. "
            f"{URL_EXAMPLES}"
        ) from None
    return url


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _prepare_sqlite_file(path: Path) -> None:
    """Create the folder 0700 and the file 0600 before SQLite opens it, so personal data
    never sits in a world-readable file, not even for a moment."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    # SQLite creates -wal and -shm beside the file with the main file's mode.
    os.chmod(path, 0o600)


# The page size of a new SQLite file (SQLite's default is 4096). A call row is ~180
# bytes, and a phone import writes a million of them plus their index entries: with 16 KB
# pages the bulk insert and index builds are ~20 % faster and the commit (writing the WAL
# and checkpointing it into the file) ~4x faster than with 4 KB pages, measured on 1M
# rows. It only takes effect while the file is still empty, so it must come before
# anything that writes the header (journal_mode=WAL does); an existing file keeps its
# page size, and everything works with either.
PAGE_SIZE = 16384


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA page_size={PAGE_SIZE}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    # 32 MB page cache: index maintenance on bulk imports is cache-bound.
    cur.execute("PRAGMA cache_size=-32768")
    # Zero deleted and overwritten content instead of leaving it in free pages, so an
    # edited title or a purged/erased record does not linger in the file (many SQLite
    # builds default to off; store.privacy relies on this).
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


def make_engine(url: str, *, create_file: bool = True) -> Engine:
    url = normalise_url(url)
    path = sqlite_path(url)
    if path is not None:
        if create_file:
            _prepare_sqlite_file(path)
        elif not path.exists():
            raise DatabaseError(f"{path}: database file not found; run 'borgerdesk db upgrade'")
        elif path.is_file() and path.stat().st_size == 0:
            # An empty file has no schema to read, and connecting would write one (the
            # page size and WAL pragmas turn it into a 16 KB SQLite file): a command
            # that only reads must leave it as it is. `make_engine(url)` (create_file)
            # is the way to turn it into a database.
            raise NotSetUp(url)
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        # pysqlite's own transaction handling defers BEGIN until the first write, which
        # lets two writers deadlock on lock upgrade; BEGIN IMMEDIATE on write paths is
        # done in `write_session`.
        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# ------------------------------------------------------------------- writer turnstile
#
# SQLite lets one writer in at a time and its busy handler is not fair: a waiting writer
# sleeps (1, 2, 5 … 100 ms) and retries, so a daemon that commits a batch and begins the
# next one at once can keep the advisor's one-row write waiting for a whole first sync.
# The turnstile is a lock file beside the database: an interactive write holds it for its
# transaction; a bulk writer passes through it (takes and drops it) before each of its
# transactions, so it stops at the next batch boundary while the advisor's write waits,
# and the advisor's write gets in after at most one batch. PostgreSQL needs none of this.


def _turnstile_path(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite" or sys.platform == "win32":
        return None
    path = sqlite_path(str(engine.url))
    return None if path is None else path.with_name(path.name + "-writers")


@contextmanager
def _turnstile(engine: Engine) -> Iterator[None]:
    path = _turnstile_path(engine)
    if path is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        # Blocks only while another interactive write is in its transaction, which the
        # SQLite busy timeout bounds.
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor drops the lock


def give_way(engine: Engine) -> None:
    """A bulk writer calls this before each transaction: it returns at once unless an
    interactive write is waiting or writing, and then once that write is done."""
    with _turnstile(engine):
        pass


@contextmanager
def _immediate(engine: Engine) -> Iterator[Session]:
    with session_scope(engine) as session:
        if engine.dialect.name == "sqlite":
            # A read-then-write transaction that started deferred fails at once with
            # "database is locked" (SQLITE_BUSY_SNAPSHOT, the busy timeout does not apply)
            # when another writer committed in between; an immediate one waits for the
            # lock and then sees the other writer's rows. pysqlite sees the open
            # transaction and issues no BEGIN of its own.
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        yield session


@contextmanager
def write_scope(engine: Engine) -> Iterator[Session]:
    """An interactive change (the advisor's): holds the turnstile and the write lock for
    the transaction, commits on success, rolls back on any error."""
    with _turnstile(engine), _immediate(engine) as session:
        yield session


@contextmanager
def bulk_write_scope(engine: Engine) -> Iterator[Session]:
    """One of a series of background writes (the daemon's): gives way to a waiting
    interactive write first, then holds the write lock for the transaction."""
    give_way(engine)
    with _immediate(engine) as session:
        yield session


# --------------------------------------------------------------------------- migrations


def alembic_config(url: str) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(resources.files("store") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The migration scripts' head (imports Alembic; `HEAD_REVISION` does not)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every revision the migration scripts know (imports Alembic)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {rev.revision for rev in script.walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(url: str, revision: str = "head") -> None:
    _migrate(url, "upgrade", revision)


def downgrade(url: str, revision: str) -> None:
    """Back to `revision` (the migration tests walk each migration down and up again)."""
    _migrate(url, "downgrade", revision)


def _migrate(url: str, direction: Literal["upgrade", "downgrade"], revision: str) -> None:
    from alembic import command

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            getattr(command, direction)(cfg, revision)
    finally:
        engine.dispose()


def check_migrated(engine: Engine) -> None:
    """Refuse a database that is not at this version's migration level."""
    current = current_revision(engine)
    if current == HEAD_REVISION:
        return
    head = head_revision()
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise NotSetUp(where)
    if current not in known_revisions():
        raise DatabaseError(
            f"{where}: the database is at migration {current}, newer than this borgerdesk "
            f"knows (head {head}); upgrade borgerdesk"
        )
    raise DatabaseError(
        f"{where}: the database is at migration {current}, older than {head}; "
        "run 'borgerdesk db upgrade'"
    )


def open_database(url: str) -> Engine:
    """The engine for running code: the database must exist and be fully migrated."""
    engine = make_engine(url, create_file=False)
    try:
        check_migrated(engine)
    except DBAPIError as e:
        engine.dispose()
        where = engine.url.render_as_string(hide_password=True)
        first = str(e.orig).strip().splitlines()[0] if e.orig else type(e).__name__
        raise DatabaseError(
            f"{where}: cannot open the database ({first}); check the URL, that the server "
            "runs and that the file is readable"
        ) from None
    except Exception:
        engine.dispose()
        raise
    return engine
