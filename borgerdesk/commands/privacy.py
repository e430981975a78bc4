"""Privacy and records: `purge`, `export-party`, `erase-party`, `audit`, `backup`,
`restore`. The work is done in store.privacy; this module only parses and prints."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from borgerdesk.ask import ask_yes
from borgerdesk.commands.cliargs import MAX_INTEGER
from borgerdesk.context import AppContext
from borgerdesk.texts import day, lang_of, say, term
from store.errors import UserError

# The store comes in inside each command: typer imports this module to read the
# arguments, and a usage error or --help must not pay for the database layer.
if TYPE_CHECKING:
    from store.privacy.subject import Subject

PARTY_HELP = "Party id (or id:N), party ref, e-mail address, phone number or name."


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _who(subject: Subject, lang: str) -> str:
    """The subject on the advisor's own screen: the party, or its addresses."""
    if subject.party_id is not None:
        return say("privacy.party", lang, id=subject.party_id)
    return subject.describe()


def _confirm(yes: bool, lang: str, key: str, **values: object) -> bool:
    """The answer to the question `key` of borgerdesk/texts.py (yes with --yes)."""
    if yes:
        return True
    try:
        return ask_yes(say(key, lang, **values), lang, default=False, err=True)
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
    from store.db import write_scope
    from store.privacy.anonymise import flush_to_disk
    from store.privacy.audit_query import plain
    from store.privacy.purge import purge

    actx: AppContext = ctx.obj
    lang = lang_of(ctx)
    with write_scope(actx.engine) as session:
        report = purge(session=session, config=actx.config, now=_now(), dry_run=dry_run)
    if not dry_run and report.removed.any() and not flush_to_disk(actx.engine):
        typer.echo(say("privacy.wal_note", lang), err=True)
    if not report.configured:
        typer.echo(say("purge.off", lang))
        return
    r = report.removed
    if dry_run:
        for c in report.cases:
            typer.echo(
                say(
                    "purge.would_case",
                    lang,
                    ref=plain(c.ref),
                    kind=term("casekind", c.kind, lang),
                    closed=day(c.closed_on, lang),
                )
            )
    typer.echo(
        say(
            "purge.summary",
            lang,
            verb=say("purge.would" if dry_run else "purge.did", lang),
            cases=r.cases,
            contacts=r.contacts,
            unlinked=report.unlinked_contacts,
            messages=r.messages,
            calls=r.calls,
            notes=r.notes,
            reporters=r.reporters,
            anonymised=r.parties_anonymised,
            deleted=r.parties_deleted,
            audit=r.audit_entries,
            logs=r.import_logs,
        )
    )
    if report.cutoffs:
        cut = ", ".join(
            say("purge.cutoff", lang, kind=term("casekind", k, lang), day=day(v, lang))
            for k, v in report.cutoffs.items()
        )
        typer.echo(say("purge.cutoffs", lang, cut=cut))


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
    from store.privacy.audit_query import plain
    from store.privacy.export import export_subject
    from store.privacy.whistleblower import kinds_for

    actx: AppContext = ctx.obj
    kinds = kinds_for(kind)
    lang = lang_of(ctx)
    rep = export_subject(engine=actx.engine, text=party, out=out, kinds=kinds, lang=lang)
    who = say("privacy.party", lang, id=rep.party_id) if rep.party_id is not None else party.strip()
    typer.echo(
        say(
            "export.done",
            lang,
            who=plain(who),
            path=plain(str(rep.out)),
            cases=rep.cases,
            contacts=rep.contacts,
            messages=rep.messages,
            eml=rep.eml_files,
            calls=rep.calls,
        )
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
    from store.db import session_scope, write_scope
    from store.privacy.anonymise import flush_to_disk
    from store.privacy.erase import erase_party, plan_erase
    from store.privacy.lookup import find_subject

    actx: AppContext = ctx.obj
    # The question is asked outside any transaction (the daemon must not wait on the
    # advisor's answer); the erasure then plans again inside its write transaction, so
    # a mail stored in between cannot slip past it.
    with session_scope(actx.engine) as session:
        subject = find_subject(session=session, text=party)
        r = plan_erase(session=session, subject=subject).removed
    lang = lang_of(ctx)
    who = _who(subject, lang)
    typer.echo(
        say(
            "erase.plan",
            lang,
            who=who,
            cases=r.cases,
            contacts=r.contacts,
            messages=r.messages,
            calls=r.calls,
            notes=r.notes,
        ),
        err=True,
    )
    if not _confirm(yes, lang, "erase.ask", who=who):
        typer.echo(say("erase.cancelled", lang), err=True)
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
        typer.echo(say("privacy.wal_note", lang), err=True)
    typer.echo(
        say(
            "erase.done",
            lang,
            who=who,
            contacts=done.contacts,
            messages=done.messages,
            calls=done.calls,
            anonymised=done.parties_anonymised,
        )
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
    from store.db import session_scope
    from store.privacy.audit_query import format_table, list_audit, parse_since

    if fmt not in ("table", "json"):
        raise UserError(f"--format {fmt!r}: choose table or json")
    moment = parse_since(since) if since else None
    actx: AppContext = ctx.obj
    with session_scope(actx.engine) as session:
        rows = list_audit(session=session, since=moment, action=action, limit=limit)
    if fmt == "json":
        typer.echo(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2))
    else:
        lang = lang_of(ctx)
        typer.echo(
            format_table(
                rows,
                tuple(say("audit.columns", lang).split("|")),
                "%d-%m-%Y %H:%M:%S" if lang == "da" else "%Y-%m-%d %H:%M:%S",
            )
        )


def backup_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="New backup file (never overwritten).")],
) -> None:
    """Make a consistent online backup of the SQLite database, even while the daemon
    writes. For PostgreSQL, prints how to use pg_dump.

    Example: borgerdesk backup /mnt/backup/borgerdesk-2026-11-22.sqlite3
    """
    from store.counts.words import number
    from store.privacy.audit_query import plain
    from store.privacy.backup import backup_sqlite

    actx: AppContext = ctx.obj
    rep = backup_sqlite(actx.database_url, path)
    lang = lang_of(ctx)
    typer.echo(
        say(
            "backup.done",
            lang,
            path=plain(str(rep.path)),
            size=rep.bytes,
            revision=rep.revision,
            seconds=number(rep.seconds, lang),
        )
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
    from sqlalchemy import create_engine

    from store.db import normalise_url, sqlite_path
    from store.privacy.audit_query import plain
    from store.privacy.backup import restore_sqlite

    actx: AppContext = ctx.obj
    lang = lang_of(ctx)
    if not _confirm(yes, lang, "restore.ask", path=path):
        typer.echo(say("restore.cancelled", lang), err=True)
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
    note = say("restore.migrated", lang, rev=rep.migrated_from) if rep.migrated_from else ""
    kept = say("restore.kept", lang, path=rep.safety_copy) if rep.safety_copy else ""
    typer.echo(
        say(
            "restore.done",
            lang,
            src=plain(str(path)),
            path=plain(str(rep.path)),
            revision=rep.revision,
            note=note,
            kept=kept,
        )
    )


def register(app: typer.Typer) -> None:
    app.command("purge")(purge_cmd)
    app.command("export-party")(export_party_cmd)
    app.command("erase-party")(erase_party_cmd)
    app.command("audit")(audit_cmd)
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
