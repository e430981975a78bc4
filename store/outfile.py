"""Writing an output file (report, compliance sheet, register export) whole or not at
all: into `<name>.tmp` beside the target, then one rename.

Every writer goes through `atomic_output`, so each gets the same checks: a target that
is an existing folder is refused before any work (the rename would fail only at the
end, with a traceback), and the `.tmp` never outlives a failed write.

The two errors the desk's export can meet carry a `code` (`output_is_folder`,
`cannot_write`), so the desk says them in its own language.
"""

from __future__ import annotations

import contextlib
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
            code="output_is_folder", path=str(path), example=str(example),
        )
    if suffixes and path.suffix.lower() not in suffixes:
        # An xlsx workbook named .txt opens as garbage (or a warning) in Excel.
        wanted = " or ".join(suffixes)
        raise UserError(
            f"{label}{path}: the file name must end in {wanted}; "
            f"e.g. {path.with_suffix(suffixes[0]).name}"
        )


@contextlib.contextmanager
def atomic_output(path: Path, *, mode: int | None = None) -> Iterator[Path]:
    """Yield the temporary path to write; on success rename it onto `path` (after
    `chmod mode`, if given), on any failure remove it. An OS error (no permission, disk
    full) becomes a one-line `UserError`."""
    check_output(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        yield tmp
        if mode is not None:
            tmp.chmod(mode)
        tmp.replace(path)
    except BaseException as e:
        # Only a file (or link) of ours: a folder that happens to have the .tmp name
        # is someone else's.
        if tmp.is_symlink() or tmp.is_file():
            tmp.unlink(missing_ok=True)
        if isinstance(e, OSError):
            reason = e.strerror or type(e).__name__
            raise UserError(
                f"{path}: cannot write: {reason}; check the folder and free space",
                code="cannot_write", path=str(path), reason=reason,
            ) from None
        raise
