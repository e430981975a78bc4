"""Broken SQLite database files, each made from a real migrated borgerdesk database."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

PAGE = 16384  # store.db.PAGE_SIZE: the template's pages


def _root_pages(path: Path, table: str) -> list[int]:
    """The root pages of `table` and of its indexes."""
    with closing(sqlite3.connect(path)) as c:
        rows = c.execute(
            "SELECT rootpage FROM sqlite_master WHERE tbl_name = ? AND rootpage > 0", (table,)
        )
        return [int(r[0]) for r in rows]


def _overwrite(path: Path, offset: int, data: bytes) -> None:
    with path.open("r+b") as f:
        f.seek(offset)
        f.write(data)


def _truncated(p: Path) -> None:
    os.truncate(p, p.stat().st_size // 2)


def _header_only(p: Path) -> None:
    os.truncate(p, 50)


def _zeroed_header(p: Path) -> None:
    _overwrite(p, 0, bytes(100))


def _page_overwritten(p: Path) -> None:
    # The reply-target table's pages: `followups` reads them, the header stays sound.
    junk = random.Random(17).randbytes(PAGE)
    for page in _root_pages(p, "reply_target"):
        _overwrite(p, (page - 1) * PAGE, b"\xff" + junk[1:])  # not a b-tree page type


def _schema_page_overwritten(p: Path) -> None:
    _overwrite(p, 100, random.Random(18).randbytes(PAGE - 100))


def _after_header_random(p: Path) -> None:
    size = p.stat().st_size
    _overwrite(p, 100, random.Random(19).randbytes(size - 100))


def _text(p: Path) -> None:
    p.write_text("Sagsnr;Navn\n1;Knud Hansen\n", "utf-8")


def _empty(p: Path) -> None:
    p.write_bytes(b"")


def _wrong_page_size(p: Path) -> None:
    _overwrite(p, 16, (1000).to_bytes(2, "big"))  # not a power of two


def _newer(p: Path) -> None:
    with closing(sqlite3.connect(p)) as c:
        c.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        c.commit()


def _folder(p: Path) -> None:
    p.unlink()
    p.mkdir()


BREAKERS: dict[str, Callable[[Path], None]] = {
    "truncated": _truncated,
    "header-only": _header_only,
    "zeroed-header": _zeroed_header,
    "page-overwritten": _page_overwritten,
    "schema-page-overwritten": _schema_page_overwritten,
    "random-after-header": _after_header_random,
    "text": _text,
    "empty": _empty,
    "wrong-page-size": _wrong_page_size,
    "newer": _newer,
    "folder": _folder,
}


def broken_copy(template: Path, folder: Path, kind: str) -> Path:
    """A copy of the migrated `template`, broken the `kind` way (0600, in `folder`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}.sqlite3"
    shutil.copyfile(template, path)
    os.chmod(path, 0o600)
    BREAKERS[kind](path)
    return path
