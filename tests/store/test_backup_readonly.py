"""`borgerdesk backup` from a read-only place (a mounted snapshot, a read-only share): the
source is opened `mode=ro`, and `immutable=1` only where no writer can be active. On a
real read-only bind mount (root can write through chmod 0555, not through a read-only
mount), so the test runs where mounting is allowed (root, as in CI) and is skipped
elsewhere."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from store.privacy.backup import backup_sqlite

CONFIG = '[taxonomy]\ncategories = ["Vejledning"]\n'


@contextmanager
def _read_only_view(folder: Path, view: Path) -> Iterator[Path]:
    view.mkdir()
    try:
        subprocess.run(["mount", "--bind", str(folder), str(view)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("cannot bind-mount here (needs root and mount rights)")
    try:
        subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(view)], check=True, capture_output=True
        )
        assert not (view / "probe").exists()
        with pytest.raises(OSError):
            (view / "probe").touch()
        yield view
    finally:
        # Lazily, if need be: a mount left behind would outlive the test's folder.
        if subprocess.run(["umount", str(view)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(view)], check=True, capture_output=True)


def _contacts(path: Path) -> int:
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as c:
        return int(c.execute("SELECT count(*) FROM contact").fetchone()[0])


def _add_contact(conn: sqlite3.Connection, ref: str) -> None:
    now = "2026-01-01 10:00:00.000000"
    conn.execute(
        "INSERT INTO contact (channel, direction, occurred_at, occurred_on, summary, "
        "access_request, source_ref, dismissed, created_at) "
        "VALUES ('phone', 'in', ?, '2026-01-01', 'x', 0, ?, 0, ?)",
        (now, ref, now),
    )


@pytest.fixture
def closed_db(tmp_path: Path, sqlite_url: str) -> Path:
    """A WAL database closed cleanly: no -wal, no -shm beside it."""
    src = Path(sqlite_url.removeprefix("sqlite:///"))
    folder = tmp_path / "snapshot"
    folder.mkdir()
    db = folder / "borgerdesk.sqlite3"
    shutil.copyfile(src, db)
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
        _add_contact(conn, "manual:one")
        conn.commit()
    assert sorted(p.name for p in folder.iterdir()) == ["borgerdesk.sqlite3"]
    return db


def test_backup_from_a_read_only_mount(tmp_path: Path, closed_db: Path, cli) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(CONFIG, "utf-8")
    dest = tmp_path / "backup.sqlite3"
    with _read_only_view(closed_db.parent, tmp_path / "ro") as view:
        r = cli(
            "--config", str(cfg), "--db", f"sqlite:///{view / closed_db.name}", "backup", str(dest)
        )
        assert r.code == 0, r.err
        assert "sikkerhedskopi skrevet" in r.out
    assert _contacts(dest) == 1
    # Nothing was created beside the source.
    assert sorted(p.name for p in closed_db.parent.iterdir()) == ["borgerdesk.sqlite3"]


def test_commits_still_in_the_wal_are_copied_from_a_read_only_mount(
    tmp_path: Path, closed_db: Path
) -> None:
    """A -wal beside the file holds commits the main file lacks: `immutable=1` would
    ignore it, so it is not used there, and the copy has them."""
    writer = sqlite3.connect(closed_db)
    dest = tmp_path / "backup.sqlite3"
    with _read_only_view(closed_db.parent, tmp_path / "ro") as view:
        try:
            writer.execute("PRAGMA wal_autocheckpoint=0")
            _add_contact(writer, "manual:two")
            writer.commit()
            assert (closed_db.parent / f"{closed_db.name}-wal").stat().st_size > 0
            backup_sqlite(f"sqlite:///{view / closed_db.name}", dest)
        finally:
            # Before unmounting: SQLite keeps a closed reader's file open while another
            # connection of the same process holds locks on the same file.
            writer.close()
    assert _contacts(dest) == 2
