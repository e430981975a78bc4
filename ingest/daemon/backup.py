"""Nightly online backup of a SQLite database into a folder, with rotation.

The copy itself is `store.privacy.backup.backup_sqlite` (SQLite's backup API in one step,
checked, 0600, renamed into place only when complete); this adds the nightly file names
and keeps the newest `keep`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from store.privacy.backup import backup_sqlite as copy_database

PREFIX = "borgerdesk-"
SUFFIX = ".sqlite3"


def backup_into(url: str, backup_dir: Path, *, keep: int, now: dt.datetime) -> Path:
    backup_dir = backup_dir.expanduser()
    backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    dest = backup_dir / f"{PREFIX}{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}{SUFFIX}"
    report = copy_database(url, dest)
    rotate(backup_dir, keep=keep)
    return report.path


def rotate(backup_dir: Path, *, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups (names sort by time); returns the deleted."""
    backups = sorted(p for p in backup_dir.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())
    old = backups[:-keep] if keep > 0 else backups
    for p in old:
        p.unlink(missing_ok=True)
    return old
