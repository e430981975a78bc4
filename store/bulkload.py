"""Helpers for bulk loads into SQLite: a big page cache, and secondary indexes built once
after the load instead of maintained row by row.

Both are used only inside the caller's write transaction. SQLite's DDL is transactional,
so on any error the dropped indexes come back with the rollback; readers in other
connections keep seeing the old snapshot (WAL) until the commit.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, Connection, String, any_, bindparam, func, select
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


def in_values(session: Session, column: Any, numbers: Iterable[str]
              ) -> list[ColumnElement[bool]]:
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
