"""The phone inbox: a folder where exports are dropped, scanned once per call.

Each complete file is imported (whole or not at all) and moved to `processed/`; a file
that cannot be imported goes to `failed/` with `<file>.errors.txt` beside it listing every
problem. A file whose size or mtime still changes is left for the next scan. The scan's
health is kept in `sync_state` (kind "phone", name "phone-inbox").

Health: a scan that ran counts as a success (last_success, consecutive_failures = 0) even
when a file was bad: the source works, the file does not; the bad file is named in
last_error. A scan that could not run (no inbox folder, database down) counts a failure
and raises.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import col

from ingest.phone.importer import DatabaseBusy, FileReport, PhoneImportError, import_bytes
from store.config import Config
from store.db import bulk_write_scope
from store.errors import UserError
from store.models import SyncState

KIND, NAME = "phone", "phone-inbox"
PROCESSED, FAILED = "processed", "failed"
# Names that are someone's work in progress, never an export to import.
_TEMP_PREFIXES = (".", "~$", "~")
_TEMP_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial", ".errors.txt", ".swp")


class InboxError(UserError):
    pass


@dataclass
class InboxReport:
    processed: list[FileReport] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, one-line reason)
    waiting: list[str] = field(default_factory=list)  # still being written


def _candidates(inbox: Path) -> list[Path]:
    out = []
    for entry in sorted(inbox.iterdir()):
        name = entry.name
        if name.startswith(_TEMP_PREFIXES) or name.lower().endswith(_TEMP_SUFFIXES):
            continue
        if entry.is_file():
            out.append(entry)
    return out


def _sig(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns


def _unique_target(folder: Path, name: str, now: dt.datetime) -> Path:
    target = folder / name
    if not target.exists():
        return target
    stem, dot, suffix = name.partition(".")
    stamp = now.strftime("%Y%m%dT%H%M%S")
    n = 0
    while True:
        candidate = folder / f"{stem}-{stamp}{'-' + str(n) if n else ''}{dot}{suffix}"
        if not candidate.exists():
            return candidate
        n += 1


def _record(engine: Engine, *, now: dt.datetime, ok: bool, error: str | None) -> None:
    with bulk_write_scope(engine) as session:
        state = session.execute(
            select(SyncState).where(
                col(SyncState.kind) == KIND,
                col(SyncState.name) == NAME,
                col(SyncState.folder) == "",
            )
        ).scalar_one_or_none()
        if state is None:
            state = SyncState(kind=KIND, name=NAME, folder="")
        if ok:
            state.last_success = now
            state.consecutive_failures = 0
            state.failing_since = None
        else:
            state.consecutive_failures = (state.consecutive_failures or 0) + 1
            state.failing_since = state.failing_since or now
        if error is not None:
            state.last_error = error[:500]
            state.last_error_at = now
        session.add(state)
        session.commit()


def scan_inbox(
    *,
    engine: Engine,
    config: Config,
    stop: threading.Event | None = None,
    now: dt.datetime | None = None,
    record_health: bool = True,
) -> InboxReport:
    """Process the inbox folder once. Returns what happened to each file.

    `record_health=False` leaves sync_state to a caller that records it itself.
    """
    clock = now or dt.datetime.now(dt.UTC)
    try:
        report = _scan(engine=engine, config=config, stop=stop, now=clock)
    except Exception as e:
        if record_health:
            # If the database itself failed there is nowhere to record it: the raise says it.
            with contextlib.suppress(Exception):
                _record(
                    engine,
                    now=clock,
                    ok=False,
                    error=(str(e).splitlines() or [type(e).__name__])[0],
                )
        raise
    if record_health:
        err = None
        if report.failed:
            err = "; ".join(f"{name} moved to {FAILED}/: {why}" for name, why in report.failed)
        _record(engine, now=clock, ok=True, error=err)
    return report


def _scan(
    *, engine: Engine, config: Config, stop: threading.Event | None, now: dt.datetime
) -> InboxReport:
    inbox = config.phone.inbox
    if inbox is None:
        raise InboxError("phone.inbox is not set in the config; set it to the export folder")
    inbox = inbox.expanduser()
    if not inbox.is_dir():
        raise InboxError(
            f"{inbox}: the phone inbox folder does not exist; create it or fix "
            "phone.inbox in the config"
        )
    processed, failed = inbox / PROCESSED, inbox / FAILED
    processed.mkdir(exist_ok=True)
    failed.mkdir(exist_ok=True)
    report = InboxReport()
    stable = config.phone.stable_seconds

    # Files changed within `stable` seconds are watched for that long; unchanged ones go.
    files = _candidates(inbox)
    young: dict[Path, tuple[int, int] | None] = {}
    wall = time.time()
    for f in files:
        sig = _sig(f)
        if sig is not None and wall - sig[1] / 1e9 < stable:
            young[f] = sig
    if young:
        if stop is not None:
            stop.wait(stable)
        else:
            time.sleep(stable)
    for f in files:
        if stop is not None and stop.is_set():
            break
        if f in young and _sig(f) != young[f]:
            report.waiting.append(f.name)
            continue
        try:
            data = f.read_bytes()
        except FileNotFoundError:
            continue  # taken away meanwhile
        except PermissionError:
            report.waiting.append(f.name)  # locked by whoever is writing it
            continue
        after = _sig(f)
        if after is None or after[0] != len(data):
            report.waiting.append(f.name)  # grew while we read it
            continue
        try:
            fr = import_bytes(data, f.name, engine=engine, config=config, now=now)
        except DatabaseBusy:
            raise  # not the file's fault: it stays in the inbox; the scan counts a failure
        except PhoneImportError as e:
            _fail(f, failed, now, str(e), e.report)
            report.failed.append((f.name, str(e)))
            continue
        except UserError as e:
            _fail(f, failed, now, str(e), str(e))
            report.failed.append((f.name, str(e)))
            continue
        os.replace(f, _unique_target(processed, f.name, now))
        report.processed.append(fr)
    return report


def _fail(f: Path, folder: Path, now: dt.datetime, line: str, full: str) -> None:
    target = _unique_target(folder, f.name, now)
    os.replace(f, target)
    errors = target.with_name(target.name + ".errors.txt")
    errors.write_text(
        f"{full}\n\nThe file was moved here and nothing from it was imported. Fix it (or "
        "export it again) and drop it in the inbox again.\n",
        encoding="utf-8",
    )
