"""Helpers for bulk loads into SQLite: a big page cache, and secondary indexes built once
after the load instead of maintained row by row; values in the stored form for
executemany of plain tuples (any backend); WAL checkpoints beside a bulk writer.

Both are used only inside the caller's write transaction. SQLite's DDL is transactional,
so on any error the dropped indexes come back with the rollback; readers in other
connections keep seeing the old snapshot (WAL) until the commit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    String,
    any_,
    bindparam,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

# A ceiling, not an allocation: SQLite uses it only as needed.
BULK_CACHE_KIB = 256 * 1024
# Below this many new rows, maintaining the indexes is cheaper than rebuilding them.
REBUILD_MIN_ROWS = 50_000
# Values per IN (...) list on backends without an array parameter.
CHUNK = 500


class BulkLoad:
    """The indexes a bulk load dropped, to be built again before the context ends."""

    def __init__(self, conn: Connection, rebuild: list[str]) -> None:
        self.conn = conn
        self.pending = rebuild

    def rebuild_while(self, work: Callable[[], None]) -> None:
        """Build the dropped indexes, running `work` meanwhile in this thread.

        CREATE INDEX is one long step inside SQLite, which runs without the GIL, so an
        index build on one core and Python work on the other overlap. `work` must not
        touch this connection (or the session that owns it) until this returns."""
        if not self.pending:
            work()
            return
        statements, self.pending = self.pending, []
        failed: list[BaseException] = []

        def build() -> None:
            try:
                for sql in statements:
                    self.conn.exec_driver_sql(sql)
            except BaseException as e:  # re-raised in the caller's thread
                failed.append(e)

        worker = threading.Thread(target=build, name="bulkload-index-rebuild")
        worker.start()
        try:
            work()
        finally:
            worker.join()
        if failed:
            raise failed[0]

    def finish(self) -> None:
        statements, self.pending = self.pending, []
        for sql in statements:
            self.conn.exec_driver_sql(sql)


@contextmanager
def bulk_load(
    conn: Connection, *, tables: Sequence[str], new_rows: int, existing_rows: int
) -> Iterator[BulkLoad]:
    """Prepare `conn` for inserting `new_rows` into `tables` (no-op unless SQLite). The
    dropped indexes are built again on leaving the context, or earlier, alongside other
    work, by `BulkLoad.rebuild_while`."""
    if conn.dialect.name != "sqlite":
        yield BulkLoad(conn, [])
        return
    old_cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    rebuild: list[str] = []
    try:
        if new_rows >= REBUILD_MIN_ROWS and new_rows > existing_rows:
            marks = ", ".join("?" for _ in tables)
            rows = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks})",
                tuple(tables),
            ).all()
            for name, sql in rows:
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
                rebuild.append(sql)
        load = BulkLoad(conn, rebuild)
        yield load
        load.finish()
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(old_cache or -2000)}")


def in_values(session: Session, column: Any, numbers: Iterable[str]) -> list[ColumnElement[bool]]:
    """WHERE clauses that together select the rows whose `column` is one of `numbers`.

    A bulk import asks about tens of thousands of numbers: SQLite gets them as one JSON
    array (`json_each`), PostgreSQL as one array parameter (`= ANY`), each a single
    statement on the column's index; other backends get chunked IN lists."""
    values = sorted(set(numbers))
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        each = func.json_each(json.dumps(values)).table_valued("value")
        return [column.in_(select(each.c.value))]
    if dialect == "postgresql":
        return [column == any_(bindparam(None, values, type_=ARRAY(String)))]
    return [column.in_(values[i : i + CHUNK]) for i in range(0, len(values), CHUNK)]


# ------------------------------------------------------------- rows in the stored form
#
# A bulk writer that hands plain tuples to the driver's executemany (one prepared
# statement, no per-row SQLAlchemy parameter processing) must give each value in the form
# the column's type would have produced. These are those forms for the types the store
# uses; `store.models.UtcDateTime` and Date read them back unchanged.


def stored_moment(conn: Connection, moment: dt.datetime | None) -> object:
    """An aware datetime as `UtcDateTime` stores it: naive UTC; on SQLite the text
    SQLAlchemy writes ("YYYY-MM-DD HH:MM:SS.ffffff")."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the store; attach a time zone")
    naive = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return naive.isoformat(" ", "microseconds") if conn.dialect.name == "sqlite" else naive


def stored_day(conn: Connection, day: dt.date | None) -> object:
    if day is None:
        return None
    return day.isoformat() if conn.dialect.name == "sqlite" else day


# A contact row as the bulk writers insert it with `insert_sql` (a register import, a mail
# sync's new contacts, a phone import's calls): the columns of store.models.Contact every
# such row fills, in this order, defined once (tests/test_one_definition.py). The columns
# it leaves out keep their defaults (NULL); tests/test_one_definition.py checks that no
# required column is missing.
CONTACT_COLS = (
    "channel",
    "direction",
    "occurred_at",
    "occurred_on",
    "summary",
    "counterpart",
    "access_request",
    "case_id",
    "party_id",
    "source_ref",
    "dismissed",
    "created_at",
)
# A call's own columns, after CONTACT_COLS in a phone import's rows.
CALL_COLS = ("call_status", "call_duration_s", "call_raw_number", "call_line", "call_file_id")


def insert_sql(conn: Connection, table: str, columns: Sequence[str]) -> str:
    """INSERT for the driver's executemany of tuples, names quoted for the backend
    (`references`, for one, is a reserved word)."""
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )


class WalCheckpointer:
    """SQLite's WAL checkpoints in a thread of their own while a bulk writer commits.

    By default the connection that commits runs the checkpoint when the WAL passes 1,000
    pages: copying what it just wrote into the database file and syncing it, on the
    writer's own time. A mail sync writes ~16 MB a batch, and those checkpoints were ~40 %
    of each batch's write. Here the writer uses one connection that does not checkpoint
    (`connection()`: `wal_autocheckpoint = 0`), and after each commit (`committed()`) a
    second connection in this thread runs a PASSIVE checkpoint (it never blocks a writer
    or reader) while the writer carries on with the next batch; SQLite releases the GIL
    while it copies. `close()` runs the last checkpoint before it returns, so the work is
    done by the end of the sync, not left for later. A no-op (`connection()` is None)
    unless the database is an SQLite file.
    """

    def __init__(self, engine: Engine) -> None:
        self.active = engine.dialect.name == "sqlite" and sqlite_in_file(engine)
        self._engine = engine
        self._conn: Connection | None = None
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None
        if self.active:
            self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
            self._thread.start()

    def connection(self) -> Connection | None:
        """The writer's connection (one writer thread at a time), or None."""
        if not self.active:
            return None
        if self._conn is None:
            self._conn = self._engine.connect()
            self._conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
            self._conn.commit()
        return self._conn

    def committed(self) -> None:
        if self.active:
            self._wake.set()

    @staticmethod
    def _checkpoint(raw: Any) -> None:
        cur = raw.cursor()
        try:
            cur.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            cur.close()

    def _run(self) -> None:
        raw = self._engine.raw_connection()
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stop:
                    return
                with contextlib.suppress(Exception):  # the next wake-up tries again
                    self._checkpoint(raw)
        finally:
            raw.close()

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.rollback()
                self._conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
                self._conn.commit()
            self._conn.close()
            self._conn = None
        if self._thread is None:
            return
        self._stop = True
        self._wake.set()
        self._thread.join()
        self._thread = None
        raw = self._engine.raw_connection()
        try:
            self._checkpoint(raw)
        finally:
            raw.close()


# SQLite's default wal_autocheckpoint.
AUTOCHECKPOINT_PAGES = 1000


class CheckpointAfter:
    """One big commit without SQLite's automatic WAL checkpoint, the checkpoint run in a
    thread of its own right after it.

    A commit that leaves more than `wal_autocheckpoint` pages in the WAL copies them into
    the database file and syncs it before the commit returns: for a million-row phone
    import ~390 MB, ~1.5 s. What the importer does next, Python freeing the file's rows,
    needs the GIL but not the database, and the checkpoint runs in SQLite without the
    GIL: side by side they overlap. `join()` waits for the checkpoint, so it is done
    before the import returns, as it was. The checkpoint is PASSIVE (it never blocks a
    reader or writer; what it cannot copy, a later one does). A no-op unless the
    database is an SQLite file.

    Use on a connection the caller holds for the transaction: `__init__` before the
    commit, `committed()` after it, `restore()` always (it puts the connection's own
    setting back, so the pool never hands out a connection that does not checkpoint).
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.active = conn.dialect.name == "sqlite" and sqlite_in_file(conn.engine)
        self.thread: threading.Thread | None = None
        self._pages: int | None = None
        if self.active:
            self._pages = int(self._pragma("PRAGMA wal_autocheckpoint") or AUTOCHECKPOINT_PAGES)
            self._pragma("PRAGMA wal_autocheckpoint = 0")

    def _pragma(self, sql: str) -> Any:
        # On the driver's connection: through SQLAlchemy the statement would begin a
        # transaction of its own, which a Session on this connection would then join
        # instead of committing its own.
        cur = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            row = cur.execute(sql).fetchone()
        finally:
            cur.close()
        return row[0] if row else None

    def restore(self) -> None:
        if self._pages is not None:
            pages, self._pages = self._pages, None
            self._pragma(f"PRAGMA wal_autocheckpoint = {pages}")

    def committed(self) -> None:
        """The transaction is committed: start the checkpoint."""
        self.restore()
        if not self.active or self.thread is not None:
            return
        engine = self.conn.engine

        def run() -> None:
            with contextlib.suppress(Exception):  # the next commit's checkpoint copies it
                raw = engine.raw_connection()
                try:
                    WalCheckpointer._checkpoint(raw)
                finally:
                    raw.close()

        self.thread = threading.Thread(target=run, name="bulk-checkpoint")
        self.thread.start()

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None


def sqlite_in_file(engine: Engine) -> bool:
    db = engine.url.database
    return bool(db) and db != ":memory:"
