"""Failures that are nobody's bug, as one line for the user: the database is busy,
damaged, read-only or unreachable; a disk is full; a path cannot be used.

`cli.main` asks `explain` about anything a command lets escape. What it does not
recognise is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno
import os

from store.db import DatabaseBusy, database_problem, sqlite_path

# errno → what it means for the user, after the file's name.
_OS_PROBLEMS = {
    errno.ENOSPC: "the disk is full; free some space and run again",
    errno.EDQUOT: "the disk quota is used up; free some space and run again",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENAMETOOLONG: "the path is too long",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "is a folder, not a file",
    errno.ELOOP: "too many symbolic links",
    errno.EIO: "input/output error (check the disk)",
}


def shorten(name: object, limit: int = 120) -> str:
    """A file name fit for one line: a 100,000-character path is cut in the middle."""
    text = os.fsdecode(name) if isinstance(name, str | bytes) else str(name)
    text = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 2 :]}"


def explain(exc: BaseException, database_url: str | None) -> str | None:
    """One line for `exc`, or None if it is not a fault the user can act on."""
    if isinstance(exc, OSError) and exc.errno is not None:
        what = _OS_PROBLEMS.get(exc.errno) or (exc.strerror or type(exc).__name__).lower()
        name = exc.filename if exc.filename is not None else "a file"
        return f"{shorten(name)}: {what}"
    where = _where(database_url)
    problem = database_problem(exc, where)
    if problem is None:
        return None
    if isinstance(problem, DatabaseBusy):
        holder = _holder(database_url)
        if holder:
            return f"{problem} ({holder})"
    return str(problem)


def _where(database_url: str | None) -> str:
    if not database_url:
        return "the database"
    from sqlalchemy.engine import make_url

    return make_url(database_url).render_as_string(hide_password=True)


def _holder(database_url: str | None) -> str | None:
    """Who is likely to hold the write lock, if borgerdesk can tell."""
    path = sqlite_path(database_url) if database_url else None
    if path is None:
        return None
    from ingest.daemon.lock import daemon_pid

    pid = daemon_pid(path)
    return None if pid is None else f"the borgerdesk daemon, pid {pid}, is running on it"
