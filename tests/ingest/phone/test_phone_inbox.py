"""The phone inbox folder: processed/, failed/ with an errors file, files still being
written left alone, health in sync_state."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from ingest.phone.inbox import InboxError, scan_inbox
from store.models import SyncState
from tests.ingest.phone.samples import (
    DK_HEADER,
    csv_bytes,
    dk_rows,
    make_config,
    table_counts,
    write,
)


def _age(path: Path, seconds: float = 60) -> None:
    """Make a file look finished long ago."""
    t = time.time() - seconds
    os.utime(path, (t, t))


def _health(engine) -> SyncState:
    with Session(engine) as s:
        return s.execute(
            select(SyncState).where(SyncState.kind == "phone", SyncState.name == "phone-inbox")
        ).scalar_one()


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    d = tmp_path / "telefon-inbox"
    d.mkdir()
    return d


def _config(inbox: Path):
    base = make_config()
    return base.model_copy(update={"phone": base.phone.model_copy(update={"inbox": inbox})})


def test_good_bad_and_growing_files(engine, inbox):
    config = _config(inbox)
    good = write(inbox / "uge40.csv", csv_bytes(DK_HEADER, dk_rows(), sep_line=True))
    rows = dk_rows()
    rows[1][4] = "abc"
    rows[2][0] = "1/13/2024"
    bad = write(inbox / "uge41.csv", csv_bytes(DK_HEADER, rows))
    _age(good)
    _age(bad)
    write(inbox / "~$uge42.xlsx", b"excel lock file")
    growing = inbox / "uge42.csv"
    growing.write_bytes(csv_bytes(DK_HEADER, []))
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            with growing.open("ab") as fh:
                fh.write("01-10-2024;09:00;Indgående;22334455;1;Besvaret\r\n".encode("cp1252"))
            time.sleep(0.05)

    t = threading.Thread(target=writer)
    t.start()
    try:
        report = scan_inbox(engine=engine, config=config)
    finally:
        stop.set()
        t.join()

    assert [r.name for r in report.processed] == ["uge40.csv"]
    assert [name for name, _ in report.failed] == ["uge41.csv"]
    assert report.waiting == ["uge42.csv"]
    assert (inbox / "processed" / "uge40.csv").exists() and not good.exists()
    assert (inbox / "failed" / "uge41.csv").exists() and not bad.exists()
    errors = (inbox / "failed" / "uge41.csv.errors.txt").read_text("utf-8")
    assert "line 3, column 'Varighed', value 'abc'" in errors
    assert "line 4, column 'Dato', value '1/13/2024'" in errors
    assert growing.exists() and (inbox / "~$uge42.xlsx").exists()
    assert table_counts(engine)["contact"] == 6

    h = _health(engine)
    assert h.last_success is not None and h.consecutive_failures == 0
    assert "uge41.csv moved to failed/" in (h.last_error or "")

    # Next scan: the grown file is complete now and imports.
    _age(growing)
    report = scan_inbox(engine=engine, config=config)
    assert [r.name for r in report.processed] == ["uge42.csv"]
    assert (inbox / "processed" / "uge42.csv").exists()


def test_a_file_dropped_twice_is_processed_without_duplicates(engine, inbox):
    config = _config(inbox)
    data = csv_bytes(DK_HEADER, dk_rows())
    _age(write(inbox / "uge40.csv", data))
    scan_inbox(engine=engine, config=config)
    _age(write(inbox / "uge40.csv", data))
    report = scan_inbox(engine=engine, config=config)
    assert report.processed[0].status == "already-imported"
    names = sorted(p.name for p in (inbox / "processed").iterdir())
    # The second copy is kept too, under a new name: nothing the user dropped is lost.
    assert len(names) == 2 and "uge40.csv" in names
    assert not (inbox / "uge40.csv").exists()
    assert table_counts(engine)["contact"] == 6


def test_a_missing_inbox_counts_a_failure(engine, tmp_path):
    config = _config(tmp_path / "nowhere")
    for n in (1, 2):
        with pytest.raises(InboxError, match="does not exist"):
            scan_inbox(engine=engine, config=config)
        h = _health(engine)
        assert h.consecutive_failures == n and h.failing_since is not None
        assert "does not exist" in (h.last_error or "")
    (tmp_path / "nowhere").mkdir()
    scan_inbox(engine=engine, config=config)
    h = _health(engine)
    assert (h.consecutive_failures, h.failing_since) == (0, None)
    assert h.last_success is not None


def test_no_inbox_configured(engine):
    with pytest.raises(InboxError, match=r"phone\.inbox is not set"):
        scan_inbox(engine=engine, config=make_config())


def test_a_locked_database_leaves_the_file_in_the_inbox(sqlite_url, inbox):
    """The database, not the file, failed: the file stays for the next scan, nothing is
    written, and the error is one line. (SQLite: another process holds the write lock.)"""
    import sqlite3

    from sqlalchemy import create_engine

    from ingest.phone.importer import DatabaseBusy

    engine = create_engine(sqlite_url, connect_args={"timeout": 0.2})
    config = _config(inbox)
    f = write(inbox / "uge40.csv", csv_bytes(DK_HEADER, dk_rows()))
    _age(f)
    before = table_counts(engine)
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy) as e:
            scan_inbox(engine=engine, config=config)
    finally:
        holder.rollback()
        holder.close()
    assert "database is locked" in str(e.value) and "\n" not in str(e.value)
    assert f.exists() and not list((inbox / "failed").iterdir())
    assert table_counts(engine) == before
    report = scan_inbox(engine=engine, config=config)  # the lock is gone: it imports
    assert [r.imported for r in report.processed] == [6]
    engine.dispose()


def test_a_damaged_workbook_goes_to_failed_and_the_rest_imports(engine, inbox):
    """A truncated XLSX failed the whole source (and then backed off for half an hour,
    the file never moved): it is one file's problem."""
    import io
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(DK_HEADER)
    for r in dk_rows() * 50:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    damaged = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part[: len(part) // 2]  # cut off mid-row, as a broken copy leaves it
            dst.writestr(info.filename, part)
    config = _config(inbox)
    _age(write(inbox / "uge39.xlsx", damaged.getvalue()))
    _age(write(inbox / "uge40.csv", csv_bytes(DK_HEADER, dk_rows())))
    report = scan_inbox(engine=engine, config=config)
    assert [r.name for r in report.processed] == ["uge40.csv"]
    assert [name for name, _ in report.failed] == ["uge39.xlsx"]
    assert (inbox / "failed" / "uge39.xlsx").exists() and not (inbox / "uge39.xlsx").exists()
    errors = (inbox / "failed" / "uge39.xlsx.errors.txt").read_text("utf-8")
    assert errors.startswith("uge39.xlsx: row ") and "the workbook is damaged" in errors
    assert table_counts(engine)["contact"] == 6
    h = _health(engine)
    assert h.consecutive_failures == 0 and h.failing_since is None
