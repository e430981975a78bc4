"""Write transactions that wait for the lock instead of failing.

SQLite in WAL mode lets one writer in at a time. A transaction that starts as a reader
and later writes cannot wait for the lock if another writer committed in between
(SQLITE_BUSY_SNAPSHOT: the busy timeout does not apply) and fails at once with "database
is locked". Taking the write lock up front with BEGIN IMMEDIATE makes SQLite wait (up to
the busy timeout) instead, so a UI linking contacts every few milliseconds never makes a
daemon write fail, nor the other way round.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session


@contextmanager
def write_scope(engine: Engine) -> Iterator[Session]:
    """A session whose transaction holds the write lock from its first statement (SQLite),
    commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            if engine.dialect.name == "sqlite":
                # pysqlite sees the open transaction and does not issue its own BEGIN.
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
