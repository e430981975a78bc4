"""Reading a file the user named as input: the one check every reader goes through
(imports, the config file).

Inputs must be regular files: a FIFO would hang the command for ever, a device such as
/dev/zero would be read without end, a folder would end in a traceback. Anything else is
one line saying what the path is and what to give instead.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from store.errors import UserError


def printable(text: str) -> str:
    """A file name made inert for a terminal: control characters (escape sequences, line
    breaks) are shown escaped, never executed."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def input_error(path: Path, e: OSError) -> UserError:
    """The one line for an input path that cannot be opened (also for a caller that
    looked at the path first, e.g. to wait until it stops growing)."""
    shown = printable(str(path))
    if isinstance(e, FileNotFoundError):
        return UserError(f"{shown}: no such file; check the path")
    if isinstance(e, IsADirectoryError):
        return UserError(f"{shown}: is a folder, not a file; give the file's path")
    if isinstance(e, NotADirectoryError):
        return UserError(f"{shown}: no such file (a part of the path is not a folder); "
                         "check the path")
    if isinstance(e, PermissionError):
        return UserError(f"{shown}: cannot read the file (no permission, or locked); "
                         "check its permissions, or close it and try again")
    return UserError(f"{shown}: cannot read the file: {e.strerror or type(e).__name__}")


def read_input(path: Path) -> bytes:
    """The bytes of an input file; a one-line `UserError` for anything that is not a
    readable regular file (missing, a folder, a FIFO, a device, a socket). Opened without
    blocking, so a FIFO with no writer is refused at once instead of hanging."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise input_error(path, e) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise input_error(path, IsADirectoryError())
        if not stat.S_ISREG(mode):
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else
                    "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
                    "a socket" if stat.S_ISSOCK(mode) else "not a file")
            raise UserError(f"{printable(str(path))}: not a regular file ({kind}); save the "
                            "data to a file and give its path")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    except OSError as e:
        raise input_error(path, e) from None
    finally:
        os.close(fd)
