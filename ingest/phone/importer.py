"""Importing phone-log files: each file exactly once, whole or not at all.

Exactly once twice over: by the file's SHA-256 (the same file dropped again), and by each
call's row key (start time UTC, number, direction, duration), because weekly exports
overlap. A file with bad rows imports nothing and reports every bad row, unless
`skip_bad_rows` is given; then the good rows are imported and the skipped ones recorded in
`imported_file.skipped_detail`. Everything one file writes (the file row, contacts, call
records, reply targets, the audit entry) is one transaction.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col

from ingest.phone import bulk
from ingest.phone.parse import CallRow, ParseResult, RowProblem, parse_table
from ingest.phone.profiles import by_name, detect
from ingest.phone.sniff import Table, read_table
from ingest.phone.stable import wait_stable
from store.audit import record
from store.bulkload import CheckpointAfter
from store.config import Config
from store.db import bulk_write_scope, session_scope
from store.errors import UserError
from store.infile import input_error, printable, read_input
from store.ledger import CALLS, already_imported
from store.models import CallRecord, Contact, ImportedFile
from store.privacy.purge import purged_before
from store.privacy.tombstones import purged_calls
from store.replies.bulk import NewCallReplies

# Bad rows named in the one-line message; the full list goes to the report.
_SHOWN_PROBLEMS = 1


class PhoneImportError(UserError):
    """A file that imports nothing. `str()` is the one-line message; `report` is the full
    text (every bad row) for an errors file or the terminal."""

    def __init__(self, message: str, report: str | None = None) -> None:
        super().__init__(message)
        self.report = report or message


class DatabaseBusy(UserError):
    """The database, not the file, stopped the import (locked, gone). Nothing was
    written; the same file can be imported again later."""


@dataclass
class FileReport:
    name: str
    sha256: str = ""
    status: str = "imported"  # imported | already-imported | dry-run | failed
    profile: str | None = None
    format: str | None = None
    rows_read: int = 0
    imported: int = 0
    duplicates: int = 0  # row keys already stored, or repeated within the file
    other_lines: int = 0  # colleagues' calls, set aside
    internal: int = 0  # calls with an internal extension or short number, set aside
    summary_rows: int = 0
    skipped: list[RowProblem] = field(default_factory=list)
    with_party: int = 0
    linked: int = 0
    reply_targets: int = 0
    error: PhoneImportError | None = None
    file_id: int | None = None
    purged_period: int = 0  # calls from before the last purge's cut-off, left out
    purged_calls: int = 0  # calls a purge or an erasure removed, left out
    purged_before: dt.datetime | None = None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _bad_rows_error(name: str, problems: Sequence[RowProblem]) -> PhoneImportError:
    n = len(problems)
    first = problems[0]
    more = f" (and {n - 1} more)" if n > 1 else ""
    msg = (
        f"{name}: {n} bad row(s), nothing imported: {first}{more}; fix the file, or import "
        "the good rows with --skip-bad-rows"
    )
    report = "\n".join(
        [f"{name}: {n} bad row(s); nothing was imported.", *(str(p) for p in problems)]
    )
    return PhoneImportError(msg, report)


def read_and_parse(
    data: bytes, name: str, config: Config, profile_name: str | None
) -> tuple[Table, ParseResult, str]:
    """Decode, detect the profile, parse. Raises a one-line `UserError` for a file that
    cannot be read, has no calls, or fits no (or not the forced) profile."""
    phone = config.phone
    forced = by_name(profile_name, phone) if profile_name else None
    enc = forced.encoding if forced else None
    delim = forced.delimiter if forced else None
    table = read_table(data, name, encoding=enc, delimiter=delim)
    profile, cmap = detect(table.header, phone, name=name, forced=profile_name)
    if (profile.encoding and profile.encoding != table.encoding and table.kind == "csv") or (
        profile.delimiter and profile.delimiter != table.delimiter and table.kind == "csv"
    ):
        table = read_table(data, name, encoding=profile.encoding, delimiter=profile.delimiter)
        profile, cmap = detect(table.header, phone, name=name, forced=profile.name)
    if not any(any(str(v).strip() for v in cells if v is not None) for cells in table.cells):
        raise PhoneImportError(
            f"{name}: only a header ({profile.name} profile), no calls; export a period with calls"
        )
    result = parse_table(table, profile, cmap, phone)
    return table, result, profile.name


def _stored_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Row keys among `keys` already stored, as call records or as call contacts."""
    if not keys:
        return set()
    found: set[str] = set()
    refs = ["call:" + k for k in keys]
    if session.get_bind().dialect.name == "sqlite":
        # Keys start with the ISO start time and SQLite compares text by code point, as
        # min()/max() do: one range scan of each unique index covers the file's period.
        lo, hi = min(keys), max(keys) + "\uffff"
        found.update(
            session.execute(
                select(CallRecord.row_key).where(  # type: ignore[call-overload]
                    CallRecord.row_key >= lo, CallRecord.row_key <= hi
                )
            ).scalars()
        )
        found.update(
            ref[5:]
            for ref in session.execute(
                select(Contact.source_ref).where(  # type: ignore[call-overload]
                    col(Contact.source_ref) >= "call:" + lo, col(Contact.source_ref) <= "call:" + hi
                )
            ).scalars()
            if ref
        )
        return found.intersection(keys)
    # Elsewhere a collation may order text differently from Python: look keys up exactly.
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        found.update(
            session.execute(
                select(CallRecord.row_key).where(CallRecord.row_key.in_(chunk))  # type: ignore[call-overload,attr-defined]
            ).scalars()
        )
        found.update(
            ref[5:]
            for ref in session.execute(
                select(Contact.source_ref).where(Contact.source_ref.in_(refs[i : i + 500]))  # type: ignore[call-overload,union-attr]
            ).scalars()
            if ref
        )
    return found.intersection(keys)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for one file's import. A million-row export
    holds millions of live tuples and row objects, and each full collection walks all of
    them: at 1M rows the pauses cost more than the parsing. Nothing here makes cycles
    that must be freed early; the collector runs as usual once the file is done."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def import_bytes(
    data: bytes,
    name: str,
    *,
    engine: Engine,
    config: Config,
    profile: str | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    now: dt.datetime | None = None,
    timings: Callable[[str], None] | None = None,
) -> FileReport:
    """Import one file's content. Raises `PhoneImportError`/`UserError` when nothing is
    imported because of the file; database errors propagate (nothing is written)."""
    # The WAL checkpoint after the commit runs beside the freeing of the file's rows as
    # the import's frames return (store.bulkload.CheckpointAfter); done before we return.
    checkpoints: list[CheckpointAfter] = []
    try:
        with _no_cyclic_gc():
            return _import_bytes(
                data,
                name,
                engine=engine,
                config=config,
                profile=profile,
                dry_run=dry_run,
                skip_bad_rows=skip_bad_rows,
                now=now,
                timings=timings,
                checkpoints=checkpoints,
            )
    finally:
        for c in checkpoints:
            c.join()
        if checkpoints and timings is not None:
            timings("checkpoint")


def _import_bytes(
    data: bytes,
    name: str,
    *,
    engine: Engine,
    config: Config,
    profile: str | None,
    dry_run: bool,
    skip_bad_rows: bool,
    now: dt.datetime | None,
    timings: Callable[[str], None] | None,
    checkpoints: list[CheckpointAfter],
) -> FileReport:
    now = now or dt.datetime.now(dt.UTC)
    name = printable(name)
    mark = timings or (lambda _stage: None)
    digest = sha256_of(data)
    report = FileReport(name=name, sha256=digest)
    with session_scope(engine) as session:
        if already_imported(session, CALLS, digest):
            report.status = "already-imported"
            return report
    table, result, profile_name = read_and_parse(data, name, config, profile)
    mark("parse")
    report.profile, report.format = profile_name, table.describe()
    report.rows_read = (
        len(result.rows) + len(result.problems) + result.other_lines + result.internal
    )
    report.other_lines, report.summary_rows = result.other_lines, result.summary_rows
    report.internal = result.internal
    if result.problems and not skip_bad_rows:
        raise _bad_rows_error(name, result.problems)
    report.skipped = list(result.problems)
    if not (result.rows or result.other_lines or result.problems or result.internal):
        raise PhoneImportError(f"{name}: no calls in the file (only blank or summary rows)")

    # Row keys, and calls the file itself repeats.
    keys_all = bulk.keys_of(result.rows)
    distinct = set(keys_all)
    if len(distinct) == len(keys_all):  # the usual case: no call twice in the file
        rows, keys = result.rows, keys_all
    else:
        seen: set[str] = set()
        rows, keys = [], []
        for r, k in zip(result.rows, keys_all, strict=True):
            if k in seen:
                continue
            seen.add(k)
            rows.append(r)
            keys.append(k)
    in_file_dupes = len(result.rows) - len(rows)
    del keys_all

    for attempt in (1, 2):
        try:
            return _write(
                engine, config, report, rows, keys, in_file_dupes, dry_run, now, mark, checkpoints
            )
        except IntegrityError:
            # Another import stored the same file or calls between our read and write:
            # the transaction rolled back; one retry sees what they stored.
            if attempt == 2:
                raise DatabaseBusy(
                    f"{name}: another import wrote the same calls at the same time; "
                    "nothing imported; run the import again"
                ) from None
        except OperationalError as e:
            # SQLite's busy timeout ran out (another writer held the database), or the
            # server went away. The transaction rolled back: nothing of the file is in.
            reason = str(e.orig).splitlines()[0] if e.orig is not None else "unavailable"
            raise DatabaseBusy(
                f"{name}: the database could not take the import ({reason}); nothing "
                "imported; try again in a moment"
            ) from None
    raise AssertionError("unreachable")


def _write(
    engine: Engine,
    config: Config,
    report: FileReport,
    rows: list[CallRow],
    keys: list[str],
    in_file_dupes: int,
    dry_run: bool,
    now: dt.datetime,
    mark: Callable[[str], None],
    checkpoints: list[CheckpointAfter],
) -> FileReport:
    # The session on a connection held here, so that the commit's checkpoint can be
    # moved off it and its setting restored before the pool has it back.
    with engine.connect() as conn, bulk_write_scope(engine, bind=conn) as session:
        checkpoint = CheckpointAfter(conn)
        try:
            return _write_in(
                session,
                config,
                report,
                rows,
                keys,
                in_file_dupes,
                dry_run,
                now,
                mark,
                checkpoint,
                checkpoints,
            )
        finally:
            checkpoint.restore()


def _write_in(
    session: Session,
    config: Config,
    report: FileReport,
    rows: list[CallRow],
    keys: list[str],
    in_file_dupes: int,
    dry_run: bool,
    now: dt.datetime,
    mark: Callable[[str], None],
    checkpoint: CheckpointAfter,
    checkpoints: list[CheckpointAfter],
) -> FileReport:
    if already_imported(session, CALLS, report.sha256):
        report.status = "already-imported"
        return report
    stored = _stored_keys(session, keys)
    if stored:
        pairs = [(r, k) for r, k in zip(rows, keys, strict=True) if k not in stored]
        rows = [r for r, _ in pairs]
        keys = [k for _, k in pairs]
    report.duplicates = in_file_dupes + len(stored)
    # A purged or erased call's row key lost its number: it is known by the rest.
    gone = purged_calls(session, keys)
    if gone:
        pairs = [(r, k) for r, k in zip(rows, keys, strict=True) if k not in gone]
        report.purged_calls = len(rows) - len(pairs)
        rows = [r for r, _ in pairs]
        keys = [k for _, k in pairs]
    # A purged call's row key is gone with its number, so it is not "stored": calls
    # from a period already purged are left out by time instead.
    horizon = purged_before(session)
    if horizon is not None and rows and min(r.start for r in rows) < horizon:
        pairs = [(r, k) for r, k in zip(rows, keys, strict=True) if r.start >= horizon]
        report.purged_period = len(rows) - len(pairs)
        report.purged_before = horizon
        rows = [r for r, _ in pairs]
        keys = [k for _, k in pairs]
    report.imported = len(rows)
    mark("dedupe")
    if dry_run:
        report.status = "dry-run"
        session.rollback()
        return report
    try:
        skipped_detail = (
            json.dumps(
                [
                    {"line": p.line, "column": p.column, "value": p.value, "reason": p.reason}
                    for p in report.skipped
                ],
                ensure_ascii=False,
            )
            if report.skipped
            else None
        )
        file_row = ImportedFile(
            sha256=report.sha256,
            kind=CALLS,
            name=report.name[:500],
            imported_at=now,
            rows=len(rows),
            skipped=len(report.skipped),
            skipped_detail=skipped_detail,
        )
        # First write: on SQLite this takes the write lock before ids are handed out.
        session.add(file_row)
        session.flush()
        assert file_row.id is not None
        report.file_id = file_row.id
        prepared = bulk.prepare_calls(session, rows, keys, file_id=file_row.id, now=now)
        report.with_party, report.linked = prepared.with_party, prepared.linked
        # Reply targets: what the database holds is read before the insert, the
        # targets are worked out while SQLite rebuilds the contact indexes, and
        # written after (store.replies.bulk).
        replies = NewCallReplies(config, prepared.calls)
        replies.read(session)
        mark("prepare")
        bulk.write_calls(session, prepared, while_indexing=replies.compute)
        mark("insert")
        report.reply_targets = replies.write(session).created
        mark("replies")
        record(
            session,
            action="import",
            entity="imported_file",
            entity_id=file_row.id,
            detail={
                "kind": "calls",
                "name": report.name,
                "profile": report.profile,
                "rows": len(rows),
                "duplicates": report.duplicates,
                "skipped": len(report.skipped),
                "other_lines": report.other_lines,
                "internal": report.internal,
                "purged_period": report.purged_period,
                "purged_calls": report.purged_calls,
            },
        )
        session.commit()
        checkpoint.committed()
        checkpoints.append(checkpoint)
        mark("commit")
    except BaseException:
        session.rollback()
        raise
    return report


def import_file(
    path: Path,
    *,
    engine: Engine,
    config: Config,
    profile: str | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    now: dt.datetime | None = None,
    stop: threading.Event | None = None,
) -> FileReport:
    try:
        wait_stable(
            path,
            stable_seconds=config.phone.stable_seconds,
            max_wait=config.phone.max_wait_seconds,
            stop=stop,
        )
    except OSError as e:
        raise PhoneImportError(str(input_error(path, e))) from None
    try:
        data = read_input(path)
    except UserError as e:
        raise PhoneImportError(str(e)) from None
    return import_bytes(
        data,
        path.name,
        engine=engine,
        config=config,
        profile=profile,
        dry_run=dry_run,
        skip_bad_rows=skip_bad_rows,
        now=now,
    )


def import_files(
    paths: Sequence[Path],
    *,
    engine: Engine,
    config: Config,
    profile: str | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    now: dt.datetime | None = None,
) -> list[FileReport]:
    """Import each file on its own (each whole or not at all). A file that fails gets a
    report with status "failed" and its error; the others still import."""
    if profile is not None:
        by_name(profile, config.phone)  # an unknown --profile is the command's error
    reports = []
    for path in paths:
        try:
            reports.append(
                import_file(
                    path,
                    engine=engine,
                    config=config,
                    profile=profile,
                    dry_run=dry_run,
                    skip_bad_rows=skip_bad_rows,
                    now=now,
                )
            )
        except PhoneImportError as e:
            reports.append(FileReport(name=printable(path.name), status="failed", error=e))
        except UserError as e:
            reports.append(
                FileReport(
                    name=printable(path.name), status="failed", error=PhoneImportError(str(e))
                )
            )
    return reports
