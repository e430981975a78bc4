"""Privacy and records: `purge`, `export-party`, `erase-party`, `audit`, `backup`,
`restore`. The work is done in store.privacy; this module only parses and prints."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import create_engine

from borgerdesk.context import AppContext
from store.db import MAX_INTEGER, normalise_url, session_scope, sqlite_path, write_scope
from store.errors import UserError
from store.privacy.anonymise import flush_to_disk
from store.privacy.audit_query import format_table, list_audit, parse_since, plain
from store.privacy.backup import backup_sqlite, restore_sqlite
from store.privacy.erase import erase_party, plan_erase
from store.privacy.export import export_subject
from store.privacy.lookup import find_subject
from store.privacy.purge import purge
from store.privacy.whistleblower import kinds_for

PARTY_HELP = "Party id (or id:N), party ref, e-mail address, phone number or name."
WAL_NOTE = (
    "note: the records are gone, but old copies stay in the database's -wal file while "
    "the daemon or the desk reads it; they go at its next checkpoint, or when the last "
    "of them stops"
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    try:
        return bool(typer.confirm(question, default=False, err=True))
    except (typer.Abort, EOFError, OSError):  # no terminal, no answer: no
        return False


def purge_cmd(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would go; change nothing.")
    ] = False,
) -> None:
    """Delete the personal data of cases past their retention time; keep the counts.

    Retention is set per case kind in the config's [retention] section (off until
    configured). Mail, texts, attachments, names, addresses, numbers and call records of
    expired cases go; every report for every past period counts the same afterwards.

    Examples:
      borgerdesk purge --dry-run
      borgerdesk purge
    """
    actx: AppContext = ctx.obj
    with write_scope(actx.engine) as session:
        report = purge(session=session, config=actx.config, now=_now(), dry_run=dry_run)
    if not dry_run and report.removed.any() and not flush_to_disk(actx.engine):
        typer.echo(WAL_NOTE, err=True)
    if not report.configured:
        typer.echo("retention is not configured ([retention] in the config); nothing purged")
        return
    r = report.removed
    if dry_run:
        for c in report.cases:
            typer.echo(f"would purge case {plain(c.ref)}  {c.kind:13} closed {c.closed_on}")
    verb = "would remove" if dry_run else "removed"
    typer.echo(
        f"{verb}: {r.cases} case(s), {r.contacts} contact(s) ({report.unlinked_contacts} "
        f"unlinked), {r.messages} message(s), {r.calls} call record(s), {r.notes} note(s), "
        f"{r.reporters} reporter identit(ies), {r.parties_anonymised} part(ies) anonymised, "
        f"{r.parties_deleted} deleted, {r.audit_entries} audit entr(ies), "
        f"{r.import_logs} import log(s) cleared of skipped-row values"
    )
    if report.cutoffs:
        cut = ", ".join(f"{k} closed on or before {v}" for k, v in report.cutoffs.items())
        typer.echo(f"cut-offs: {cut}")


def export_party_cmd(
    ctx: typer.Context,
    party: Annotated[str, typer.Argument(help=PARTY_HELP)],
    out: Annotated[Path, typer.Option("--out", help="New (or empty) folder to write to.")],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="Case kinds: citizen|consultancy|whistleblower|all "
            "(default: all but whistleblower).",
        ),
    ] = None,
) -> None:
    """Export everything held about a party (a data-subject access request).

    Writes summary.html, records.json, calls.csv and messages/*.eml (the raw mail) into a
    new folder readable only by you (0700). Whistleblower cases are left out unless
    --kind whistleblower or --kind all.

    Example: borgerdesk export-party knud@example.dk --out ~/indsigt-knud
    """
    actx: AppContext = ctx.obj
    kinds = kinds_for(kind)
    rep = export_subject(engine=actx.engine, text=party, out=out, kinds=kinds)
    who = f"party {rep.party_id}" if rep.party_id is not None else party.strip()
    typer.echo(
        f"exported {plain(who)} to {plain(str(rep.out))}: {rep.cases} case(s), "
        f"{rep.contacts} contact(s), {rep.messages} message(s) ({rep.eml_files} .eml), "
        f"{rep.calls} call record(s)"
    )


def erase_party_cmd(
    ctx: typer.Context,
    party: Annotated[str, typer.Argument(help=PARTY_HELP)],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a party's personal data (the right to erasure); keep the anonymous counts.

    Removes the party's name, ref, addresses and numbers, the texts, mail and call records
    of its contacts and cases, and its case notes; the statistics of every period stay
    the same. Asks for confirmation unless --yes. Audited.

    Example: borgerdesk erase-party +4522334455
    """
    actx: AppContext = ctx.obj
    # The question is asked outside any transaction (the daemon must not wait on the
    # advisor's answer); the erasure then plans again inside its write transaction, so
    # a mail stored in between cannot slip past it.
    with session_scope(actx.engine) as session:
        subject = find_subject(session=session, text=party)
        r = plan_erase(session=session, subject=subject).removed
    who = subject.describe()
    typer.echo(
        f"{who}: {r.cases} case(s), {r.contacts} contact(s), {r.messages} "
        f"message(s), {r.calls} call record(s), {r.notes} note(s) will lose their "
        "personal data; the anonymous counts stay",
        err=True,
    )
    if not _confirm(f"Erase {who}? This cannot be undone", yes):
        typer.echo("erasure cancelled; nothing was changed", err=True)
        raise typer.Exit(1)
    with write_scope(actx.engine) as session:
        if find_subject(session=session, text=party) != subject:
            raise UserError(
                f"{party.strip()!r} names other addresses than a moment ago (a register "
                "import in between?); nothing was changed, run it again"
            )
        plan = plan_erase(session=session, subject=subject)
        done = erase_party(session=session, plan=plan, now=_now())
    if not flush_to_disk(actx.engine):
        typer.echo(WAL_NOTE, err=True)
    typer.echo(
        f"erased {who}: {done.contacts} contact(s), {done.messages} message(s), "
        f"{done.calls} call record(s); {done.parties_anonymised} part(ies) anonymised"
    )


def audit_cmd(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="From this date/time (Copenhagen).")
    ] = None,
    action: Annotated[
        str | None, typer.Option("--action", help="Only this action, e.g. purge.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Only the last N.", min=1, max=MAX_INTEGER)
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table|json")] = "table",
) -> None:
    """List the audit log: who did what, when (append-only).

    Examples:
      borgerdesk audit --since 2026-11-01
      borgerdesk audit --action erase --format json
    """
    if fmt not in ("table", "json"):
        raise UserError(f"--format {fmt!r}: choose table or json")
    moment = parse_since(since) if since else None
    actx: AppContext = ctx.obj
    with session_scope(actx.engine) as session:
        rows = list_audit(session=session, since=moment, action=action, limit=limit)
    if fmt == "json":
        typer.echo(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2))
    else:
        typer.echo(format_table(rows))


def backup_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="New backup file (never overwritten).")],
) -> None:
    """Make a consistent online backup of the SQLite database, even while the daemon
    writes. For PostgreSQL, prints how to use pg_dump.

    Example: borgerdesk backup /mnt/backup/borgerdesk-2026-11-22.sqlite3
    """
    actx: AppContext = ctx.obj
    rep = backup_sqlite(actx.database_url, path)
    typer.echo(
        f"backup written to {plain(str(rep.path))} ({rep.bytes} bytes, migration {rep.revision}, "
        f"{rep.seconds:.1f} s); keep it as safe as the database (it holds personal data)"
    )


def restore_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A backup made by 'borgerdesk backup'.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the SQLite database with a backup, after checking the backup's integrity
    and migration level. The current database is kept beside it first. Stop the daemon
    and the UI before restoring.

    Example: borgerdesk restore /mnt/backup/borgerdesk-2026-11-22.sqlite3
    """
    actx: AppContext = ctx.obj
    if not _confirm(f"Replace the database with {path}?", yes):
        typer.echo("restore cancelled; nothing was changed", err=True)
        raise typer.Exit(1)
    url = normalise_url(actx.database_url)
    db_file = sqlite_path(url)
    if db_file is None:
        rep = restore_sqlite(url, path)  # refuses with the pg_restore pointer
    else:
        # Restoring onto a new machine: the database folder may not exist yet.
        db_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Holding the daemon's lock refuses a restore under a running daemon, and keeps
        # one from starting half-way.
        from ingest.daemon.lock import DaemonLock

        lock_engine = create_engine(url, hide_parameters=True)
        try:
            with DaemonLock(lock_engine):
                rep = restore_sqlite(url, path)
        finally:
            lock_engine.dispose()
    note = f"; migrated from {rep.migrated_from}" if rep.migrated_from else ""
    kept = f"; the previous database is kept as {rep.safety_copy}" if rep.safety_copy else ""
    typer.echo(
        f"restored {plain(str(path))} into {plain(str(rep.path))} "
        f"(migration {rep.revision}{note}){kept}"
    )


def register(app: typer.Typer) -> None:
    app.command("purge")(purge_cmd)
    app.command("export-party")(export_party_cmd)
    app.command("erase-party")(erase_party_cmd)
    app.command("audit")(audit_cmd)
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
