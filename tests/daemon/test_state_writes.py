"""The source-state writes of a one-off sync and of the phone inbox read their row, then
write it. No other writer may commit in between: it would be a lost update (the inbox's
failure counter counting two failures once), and where the read opened the transaction,
SQLite fails the write at once with "database is locked". So they run in store.db's write
scopes, which take the write lock before the read."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlmodel import Session

from ingest.mail.persist import record_error
from ingest.phone import inbox
from store.db import make_engine, sqlite_path
from store.models import SyncState


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    # SQLite: another connection refused by (or slipping past) the file's write lock.
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


def _another_writer_commits_after_the_first_read(engine: Engine) -> list[str]:
    """After the first SELECT on sync_state, another connection writes and commits (or,
    when the write lock is already held, is refused at once). Returns what it managed."""
    path = sqlite_path(str(engine.url))
    assert path is not None
    done: list[str] = []

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if done or not statement.lstrip().upper().startswith("SELECT"):
            return
        if "sync_state" not in statement:
            return
        other = sqlite3.connect(path, timeout=0.1)
        try:
            other.execute(
                "INSERT INTO sync_state (kind, name, folder, consecutive_failures)"
                " VALUES ('imap', 'someone-else', 'X', 0)"
            )
            other.commit()
            done.append("committed")
        except sqlite3.OperationalError:
            done.append("refused: the scope holds the write lock")
        finally:
            other.close()

    event.listen(engine, "after_cursor_execute", after)
    return done


@pytest.mark.parametrize("write", ["record_error", "inbox_record"])
def test_a_read_then_write_survives_another_writer(engine: Engine, write: str) -> None:
    with Session(engine) as s:  # the row exists, so the write is an UPDATE of what was read
        s.add(SyncState(kind="imap", name="advisor", folder="INBOX"))
        s.add(SyncState(kind=inbox.KIND, name=inbox.NAME, folder=""))
        s.commit()
    other = _another_writer_commits_after_the_first_read(engine)
    calls: dict[str, Callable[[], None]] = {
        "record_error": lambda: record_error(
            engine, account="advisor", folder="INBOX", error="connection refused"
        ),
        "inbox_record": lambda: inbox._record(
            engine, now=dt.datetime.now(dt.UTC), ok=False, error="unreadable file"
        ),
    }
    calls[write]()
    assert other == ["refused: the scope holds the write lock"]
    with Session(engine) as s:
        errors = s.execute(select(SyncState.last_error)).scalars().all()
    assert {"connection refused", "unreadable file"} & set(errors)
