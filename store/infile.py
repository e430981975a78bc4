"""Reading a file the user named as input: the one check every reader goes through
(imports, the config file, a password_file or token cache).

Inputs must be regular files: a FIFO would hang the command for ever, a device such as
/dev/zero would be read without end, a folder would end in a traceback. Anything else is
one line saying what the path is and what to give instead.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from store.errors import UserError


def printable(text: str, limit: int = 120) -> str:
    """A file name fit for one line and made inert for a terminal: control characters
    (escape sequences, line breaks) are shown escaped, never executed, and a name longer
    than `limit` is cut in the middle."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 2 :]}"


# errno -> what it means for an input file, after its name.
_PROBLEMS = {
    errno.ENOENT: "no such file; check the path",
    errno.EISDIR: "is a folder, not a file; give the file's path",
    errno.ENOTDIR: "no such file (a part of the path is not a folder); check the path",
    errno.EACCES: "cannot read the file (no permission, or locked); check its permissions, "
    "or close it and try again",
    errno.EPERM: "cannot read the file (not permitted); check its permissions",
    errno.ENAMETOOLONG: "the path is too long; give a shorter one",
    errno.ELOOP: "too many symbolic links; give the file's own path",
}


def input_error(path: Path, e: OSError) -> UserError:
    """The one line for an input path that cannot be opened or read (also for a caller
    that looked at the path first, e.g. to wait until it stops growing)."""
    what = (
        _PROBLEMS.get(e.errno or 0)
        or f"cannot read the file: {(e.strerror or type(e).__name__).lower()}"
    )
    return UserError(f"{printable(str(path))}: {what}")


def read_input(
    path: Path, *, limit: int | None = None, check: Callable[[os.stat_result], None] | None = None
) -> bytes:
    """The bytes of an input file; a one-line `UserError` for anything that is not a
    readable regular file (missing, a folder, a FIFO, a device, a socket). Opened without
    blocking, so a FIFO with no writer is refused at once instead of hanging.

    `limit`: a file of more bytes is refused, not read (a secret or a token cache that
    has grown to gigabytes is a mistake). `check`: called with the open file's own stat
    (its mode, its owner), so what is checked is what is read, even if the path is
    swapped in between."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise input_error(path, e) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise input_error(path, IsADirectoryError(errno.EISDIR, "is a folder"))
        if not stat.S_ISREG(mode):
            kind = (
                "a FIFO (named pipe)"
                if stat.S_ISFIFO(mode)
                else "a device"
                if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket"
                if stat.S_ISSOCK(mode)
                else "not a file"
            )
            raise UserError(
                f"{printable(str(path))}: not a regular file ({kind}); save the "
                "data to a file and give its path"
            )
        st = os.fstat(fd)
        if check is not None:
            check(st)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read() if limit is None else f.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise UserError(
                f"{printable(str(path))}: larger than {limit} bytes; give the right file"
            )
        return data
    except OSError as e:
        raise input_error(path, e) from None
    finally:
        os.close(fd)
