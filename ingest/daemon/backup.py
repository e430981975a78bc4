"""Nightly online backup of a SQLite database, with rotation.

Uses SQLite's backup API in one step: in WAL mode that is one read transaction, so the
copy is a consistent snapshot while the UI and the daemon keep writing. The copy is
written under a temporary name, checked, made 0600, and only then renamed into place, so
a crash never leaves a half-written file that looks like a backup.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from pathlib import Path

from store.errors import UserError

log = logging.getLogger("borgerdesk.daemon.backup")

PREFIX = "borgerdesk-"
SUFFIX = ".sqlite3"


def backup_sqlite(db_file: Path, backup_dir: Path, *, keep: int, now: dt.datetime) -> Path:
    backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = backup_dir / f"{PREFIX}{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}{SUFFIX}"
    partial = final.with_name(final.name + ".partial")
    fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        src = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            ok = dst.execute("PRAGMA quick_check").fetchone()[0]
            # The copy needs no WAL of its own: a backup is one self-contained file.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
            src.close()
        if ok != "ok":
            raise UserError(f"{partial}: backup failed its integrity check ({ok})")
        os.chmod(partial, 0o600)
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    rotate(backup_dir, keep=keep)
    return final


def rotate(backup_dir: Path, *, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups (names sort by time); returns the deleted."""
    backups = sorted(p for p in backup_dir.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())
    old = backups[:-keep] if keep > 0 else backups
    for p in old:
        p.unlink(missing_ok=True)
    for stale in backup_dir.glob(f"{PREFIX}*{SUFFIX}.partial"):
        stale.unlink(missing_ok=True)  # left by a crash mid-backup
    return old
