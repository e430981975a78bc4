"""Engines, sessions, the migration gate, and database failures phrased for the user.

SQLite is tuned so the daemon and the UI can write at once (WAL, a busy timeout) and is
created private (file 0600, folder 0700). PostgreSQL (psycopg 3) runs through the same code.

Transactions: every session the product opens comes from one of these three, and nothing
else constructs a `Session` (tests/store/test_db.py checks the source):

- `session_scope(engine)`: reads (the desk's lists, reports, status), and writes to a
  database no other writer can be using (building the demo's world, test fixtures).
  Commits on success, rolls back on any error.
- `write_scope(engine)`: one interactive change, the advisor's at the desk or a CLI
  command's. Holds the writer turnstile and SQLite's write lock (BEGIN IMMEDIATE) for the
  transaction, so a read-then-write never fails with "database is locked".
- `bulk_write_scope(engine, bind=None)`: one of a series of background writes (a sync's
  batches, an import, the daemon's rounds). Gives way to a waiting interactive write first,
  then holds the write lock like `write_scope`. `bind`: a connection the caller keeps
  (one whose WAL checkpointing it manages).

A caller may commit inside a scope (to mark a point, e.g. before a checkpoint); the scope's
own commit then has nothing left to do.

A database that is busy, damaged, read-only, full or unreachable is one `DatabaseError`
line (`database_problem`), never a traceback.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from store.errors import UserError, driver_line
from store.revision import HEAD_REVISION as HEAD_REVISION  # the newest migration

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

if sys.platform != "win32":
    import fcntl

# The largest integer SQLite and PostgreSQL (BIGINT) columns hold: an id or a limit past
# it is refused as an argument (the driver's answer is an OverflowError traceback).
MAX_INTEGER = 2**63 - 1

BUSY_TIMEOUT_ENV = "BORGERDESK_BUSY_TIMEOUT"
BUSY_TIMEOUT_MS = 30_000


def busy_timeout_ms() -> int:
    """How long a connection waits for another writer's lock before giving up with "the
    database is busy": 30 s (a daemon batch must be able to finish within it, see the
    writer turnstile below), or BORGERDESK_BUSY_TIMEOUT seconds (tests lower it)."""
    raw = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not raw:
        return BUSY_TIMEOUT_MS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise UserError(
            f"{BUSY_TIMEOUT_ENV}={raw[:40]!r}: not a number of seconds from 0 to 3600; "
            "unset it or fix it"
        )
    return int(seconds * 1000)


class DatabaseError(UserError):
    """A database problem phrased as one line for the user."""


class DatabaseBusy(DatabaseError):
    """Another connection held the write lock for longer than the busy timeout."""


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
# The drivers the URL may name after `normalise_url` (pysqlite and psycopg 3).
SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")


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
            f"{source} {shown!r}: unknown database kind {u.drivername!r}; use e.g. {URL_EXAMPLES}"
        ) from None
    if u.drivername not in SUPPORTED_DRIVERS:
        # SQLAlchemy knows MySQL, Oracle, ...; borgerdesk is built and tested on these two.
        shown = u.render_as_string(hide_password=True)
        raise DatabaseError(
            f"{source} {shown!r}: borgerdesk runs on SQLite or PostgreSQL, not "
            f"{u.drivername!r}; use e.g. {URL_EXAMPLES}"
        )
    return url


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def check_regular_file(path: Path) -> None:
    """A database is a regular file: SQLite on a folder, a device or a FIFO fails with
    an I/O error (or blocks) that does not say so."""
    if not path.is_file():
        raise DatabaseError(
            f"{path}: not a regular file, so not a database; give the path of a database "
            "file (or of a new one to create)"
        )


def _prepare_sqlite_file(path: Path) -> None:
    """Create the folder 0700 and the file 0600 before SQLite opens it, so personal data
    never sits in a world-readable file, not even for a moment. An existing file loses
    any access by others, but never gains any: one made read-only (0444) is refused, not
    silently made writable."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    check_regular_file(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & stat.S_IWUSR:
        raise DatabaseError(
            f"{path}: the database file is read-only (mode {mode:04o}); borgerdesk does not "
            "change that by itself: make it writable (chmod 600) if it should be changed"
        )
    # SQLite creates -wal and -shm beside the file with the main file's mode.
    if mode & 0o077:
        os.chmod(path, mode & 0o700)


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
    cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
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
        else:
            check_regular_file(path)
            if path.stat().st_size == 0:
                # An empty file has no schema to read, and connecting would write one
                # (the page size and WAL pragmas turn it into a 16 KB SQLite file): a
                # command that only reads must leave it as it is. `make_engine(url)`
                # (create_file) is the way to turn it into a database.
                raise NotSetUp(url)
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout_ms() / 1000, "check_same_thread": False},
            hide_parameters=True,
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        # pysqlite's own transaction handling defers BEGIN until the first write, which
        # lets two writers deadlock on lock upgrade; BEGIN IMMEDIATE on write paths is
        # done in `write_session`.
        return engine
    # hide_parameters: a failed statement's parameters are other rows' personal data
    # (every party name of a batch); no error text or traceback may list them.
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


@contextmanager
def _scope(engine: Engine, bind: Connection | None = None) -> Iterator[Session]:
    with Session(bind if bind is not None else engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Reads, or writes nothing else can race (see the module docstring); commits on
    success and rolls back on any error."""
    with _scope(engine) as session:
        yield session


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
    """`bulk_write_scope` calls this before each transaction: it returns at once unless an
    interactive write is waiting or writing, and then once that write is done."""
    with _turnstile(engine):
        pass


@contextmanager
def _immediate(engine: Engine, bind: Connection | None = None) -> Iterator[Session]:
    with _scope(engine, bind) as session:
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
def bulk_write_scope(engine: Engine, bind: Connection | None = None) -> Iterator[Session]:
    """One of a series of background writes (the daemon's, an import's): gives way to a
    waiting interactive write first, then holds the write lock for the transaction. `bind`:
    run it on this connection of `engine` instead of one from the pool."""
    give_way(engine)
    with _immediate(engine, bind) as session:
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


def integrity(conn: sqlite3.Connection, *, quick: bool = False) -> str:
    """'ok', or the first problems PRAGMA integrity_check (or the faster quick_check,
    which skips comparing indexes with their tables) reports."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        rows = conn.execute(f"PRAGMA {pragma}").fetchall()
    except UnicodeDecodeError:
        # The report quotes damaged bytes that are not even valid text.
        return "the database is damaged (integrity report unreadable)"
    except sqlite3.DatabaseError as e:  # too damaged for the check to finish
        return str(e) or type(e).__name__
    return "; ".join(str(r[0]) for r in rows[:3])


def quick_check(engine: Engine) -> str:
    """'ok', or what PRAGMA quick_check finds wrong with a SQLite database (a damaged
    page that only a query touching it would otherwise reveal). PostgreSQL keeps its
    own pages sound: 'ok'."""
    if engine.dialect.name != "sqlite":
        return "ok"
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert isinstance(conn, sqlite3.Connection)
        return integrity(conn, quick=True)
    finally:
        raw.close()


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
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.begin() as conn:
            current = (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if inspect(conn).has_table("alembic_version")
                else None
            )
            if current is not None and current not in known_revisions():
                # Alembic's own answer is a CommandError traceback ("Can't locate revision").
                raise DatabaseError(
                    f"{where}: the database is at migration {current}, newer than this "
                    f"borgerdesk knows (head {head_revision()}); nothing was changed; "
                    "upgrade borgerdesk instead"
                )
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            getattr(command, direction)(cfg, revision)
    except DBAPIError as e:
        problem = database_problem(e, where)
        if problem is None:
            raise
        raise problem from None
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
        raise database_problem(e, where) or _cannot_open(where, driver_line(e)) from None
    except Exception:
        engine.dispose()
        raise
    return engine


# ----------------------------------------------------------------------- failures
#
# What SQLite or the PostgreSQL driver raises when the database itself is the problem,
# as one line that says what to do. The driver's own message is used and never
# SQLAlchemy's, whose text carries the statement and its parameters (citizens' names).
# Anything else (a constraint, a syntax error) is a bug and keeps its traceback.


def _cannot_open(where: str, why: str) -> DatabaseError:
    return DatabaseError(
        f"{where}: cannot open the database ({why}); check the URL, that the server "
        "runs and that the file is readable"
    )


_SQLITE_PROBLEMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("SQLITE_BUSY", "SQLITE_LOCKED"),
        "the database is busy: another program held its write lock for more than "
        "{seconds} s; nothing was changed; try again when it is done",
    ),
    (
        ("SQLITE_CORRUPT", "SQLITE_NOTADB"),
        "the database file is damaged or not a SQLite database ({why}); nothing was "
        "changed; restore the last backup ('borgerdesk restore FILE')",
    ),
    (
        ("SQLITE_READONLY",),
        "the database cannot be written ({why}): its file, folder or file system is "
        "read-only; nothing was changed",
    ),
    (
        ("SQLITE_FULL",),
        "the disk is full ({why}); nothing was changed; free some space and run again",
    ),
    (
        ("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"),
        "cannot open the database file ({why}); check that it and its folder exist and "
        "that you may read and write them",
    ),
    (
        ("SQLITE_IOERR",),
        "reading or writing the database file failed ({why}); check the disk (is it "
        "full or read-only?); nothing was changed",
    ),
)


def database_problem(exc: BaseException, where: str) -> DatabaseError | None:
    """`exc` as one line about the database at `where`, or None when it is not a problem
    with the database itself (then it is a bug and should show its traceback)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if orig is None:
        return None
    why = driver_line(exc)
    if isinstance(orig, sqlite3.Error):
        name = getattr(orig, "sqlite_errorname", "") or ""
        if not name and isinstance(orig, sqlite3.DatabaseError) and "malformed" in why:
            name = "SQLITE_CORRUPT"
        for prefixes, template in _SQLITE_PROBLEMS:
            if name.startswith(prefixes):
                message = f"{where}: " + template.format(
                    why=why, seconds=f"{busy_timeout_ms() / 1000:g}"
                )
                if prefixes[0] == "SQLITE_BUSY":
                    return DatabaseBusy(message)
                return DatabaseError(message)
        return None
    if isinstance(exc, OperationalError) and _is_psycopg_connect_failure(orig):
        return _cannot_open(where, why)
    if type(orig).__name__ == "InsufficientPrivilege" and "alembic_version" in why:
        # A login role in none of the team's group roles (store.team) cannot even read
        # the migration level.
        return DatabaseError(
            f"{where}: this database role has no borgerdesk role ({why}); nothing was "
            "changed; ask the administrator to run 'borgerdesk team add-user NAME --role "
            "advisor'"
        )
    return None


def _is_psycopg_connect_failure(orig: BaseException) -> bool:
    """psycopg raises its plain OperationalError when it cannot connect or log in (the
    server is down, refuses, or the password is wrong); its subclasses are failures of a
    running transaction (deadlock, serialization, cancel), not of the connection."""
    cls = type(orig)
    return cls.__module__.startswith("psycopg") and cls.__name__ == "OperationalError"
