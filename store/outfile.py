"""Writing an output file (report, compliance sheet, register export, the service's
unit file) whole or not at all, and private while it is written: into a temporary file
beside the target, then one rename.

Every writer goes through `atomic_output`, so each gets the same checks: a target that
is an existing folder, or anything else that is not a regular file (a device such as
/dev/full, a FIFO, a socket), is refused before any work (the rename would replace a
device node with a regular file holding the data); the temporary file is created 0600
with a unique name (mkstemp), so nobody else can read it while it is written, is
flushed to disk before the rename, and never outlives a failed write.

The two errors the desk's export can meet carry a `code` (`output_is_folder`,
`cannot_write`), so the desk says them in its own language.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from store.errors import UserError


def check_output(path: Path, *, label: str = "", suffixes: tuple[str, ...] = ()) -> None:
    """Refuse a target that cannot become the file asked for. `label` names where the
    path came from (e.g. "--out "); `suffixes` are the file-name endings the format
    allows (lower case, with the dot), none meaning any."""
    example = path / f"export{suffixes[0] if suffixes else ''}"
    if path.is_dir():
        raise UserError(
            f"{label}{path}: is a folder, not a file; give a file name, e.g. {example}",
            code="output_is_folder",
            path=str(path),
            example=str(example),
        )
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    except OSError as e:
        raise UserError(
            f"{label}{path}: cannot use it: {e.strerror or type(e).__name__}",
            code="cannot_write",
            path=str(path),
            reason=e.strerror or type(e).__name__,
        ) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        # Not the folder's example: nothing can be written "inside" /dev/full.
        example = Path(example.name)
        raise UserError(
            f"{label}{path}: is not a regular file (a device, FIFO or socket); "
            f"give the name of a new file, e.g. {example}",
            code="output_not_regular",
            path=str(path),
            example=str(example),
        )
    if suffixes and path.suffix.lower() not in suffixes:
        # An xlsx workbook named .txt opens as garbage (or a warning) in Excel.
        wanted = " or ".join(suffixes)
        raise UserError(
            f"{label}{path}: the file name must end in {wanted}; "
            f"e.g. {path.with_suffix(suffixes[0]).name}",
            code="output_suffix",
            path=str(path),
            suffixes=", ".join(suffixes),
        )


@contextlib.contextmanager
def atomic_output(path: Path, *, mode: int | None = None) -> Iterator[Path]:
    """Yield the path of a new, empty 0600 file beside `path` to write (open it for
    writing: that keeps its mode); on success flush it to disk and rename it onto
    `path` (after `chmod mode`, if given), on any failure remove it. An OS error (no
    permission, disk full) becomes a one-line `UserError`."""
    check_output(path)
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        yield tmp
        if mode is not None:
            tmp.chmod(mode)
        _fsync(tmp)
        tmp.replace(path)
        _fsync(path.parent)
    except BaseException as e:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        if isinstance(e, OSError):
            reason = e.strerror or type(e).__name__
            raise UserError(
                f"{path}: cannot write: {reason}; check the folder and free space",
                code="cannot_write",
                path=str(path),
                reason=reason,
            ) from None
        raise


def _fsync(path: Path) -> None:
    """Flush a file's (or a folder's entries') data to disk: a crash after the rename
    must not leave an empty or partial file under the target's name."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
