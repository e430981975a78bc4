"""One daemon per database.

SQLite: an exclusive `fcntl` lock on a file beside the database. PostgreSQL: a session
advisory lock held on a dedicated connection. Both are released by the kernel or the
server when the process dies, even by kill -9, so a crash never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from store.db import sqlite_path
from store.errors import UserError


class AlreadyRunning(UserError):
    """A second daemon was started on the same database."""


def lock_path_for(db_file: Path) -> Path:
    return db_file.with_name(db_file.name + ".daemon.lock")


def daemon_pid(db_file: Path) -> str | None:
    """The pid of the daemon running on the SQLite file `db_file`, or None when none
    runs. Only looks: creates no file and takes the lock for no longer than the probe."""
    try:
        fd = os.open(lock_path_for(db_file.resolve()), os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _advisory_key(url: str) -> int:
    digest = hashlib.sha256(b"borgerdesk-daemon:" + url.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class DaemonLock:
    """Hold with `with DaemonLock(engine):` for the daemon's whole life."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._fd: int | None = None
        self._conn: Any = None
        self._key = 0
        self.path: Path | None = None

    def acquire(self) -> None:
        db_file = sqlite_path(self.engine.url.render_as_string(hide_password=False))
        if db_file is not None:
            self._acquire_file(lock_path_for(db_file.resolve()), db_file)
        else:
            self._acquire_advisory()

    def _acquire_file(self, path: Path, db_file: Path) -> None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise AlreadyRunning(
                f"{db_file}: another borgerdesk daemon (pid {holder}) is already running on "
                f"this database; stop it first (e.g. 'systemctl --user stop borgerdesk-daemon')"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        self.path = path

    def _acquire_advisory(self) -> None:
        url = self.engine.url.render_as_string(hide_password=True)
        conn = self.engine.connect()
        got = conn.execute(
            text("SELECT pg_try_advisory_lock(:k)"), {"k": _advisory_key(url)}
        ).scalar()
        conn.commit()
        if not got:
            conn.close()
            raise AlreadyRunning(
                f"{url}: another borgerdesk daemon is already running on this database; "
                "stop it first (e.g. 'systemctl --user stop borgerdesk-daemon')"
            )
        self._conn = conn
        self._key = _advisory_key(url)

    def release(self) -> None:
        if self._fd is not None:
            # The file stays: unlinking it would race a daemon that just opened it.
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        if self._conn is not None:
            # Unlock, then really close the session: a pooled connection would keep it
            # (and the lock) alive.
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
            self._conn.commit()
            self._conn.invalidate()
            self._conn.close()
            self._conn = None

    def __enter__(self) -> DaemonLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
