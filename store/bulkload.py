"""Helpers for bulk loads into SQLite: a big page cache, and secondary indexes built once
after the load instead of maintained row by row.

Both are used only inside the caller's write transaction. SQLite's DDL is transactional,
so on any error the dropped indexes come back with the rollback; readers in other
connections keep seeing the old snapshot (WAL) until the commit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection

# A ceiling, not an allocation: SQLite uses it only as needed.
BULK_CACHE_KIB = 256 * 1024
# Below this many new rows, maintaining the indexes is cheaper than rebuilding them.
REBUILD_MIN_ROWS = 50_000


@contextmanager
def bulk_load(
    conn: Connection, *, tables: Sequence[str], new_rows: int, existing_rows: int
) -> Iterator[None]:
    """Prepare `conn` for inserting `new_rows` into `tables` (no-op unless SQLite)."""
    if conn.dialect.name != "sqlite":
        yield
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
        yield
        for sql in rebuild:
            conn.exec_driver_sql(sql)
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(old_cache or -2000)}")
