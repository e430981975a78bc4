"""`borgerdesk import-calls FILE... [--profile NAME] [--dry-run] [--skip-bad-rows]`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from borgerdesk.context import AppContext
from borgerdesk.texts import Lang, day, lang_of, say
from store.errors import UserError
from store.timeutil import CPH

if TYPE_CHECKING:
    from ingest.phone.importer import FileReport


def report_line(r: FileReport, lang: Lang) -> str:
    """One line for the terminal about a file that was read (not a failed one: that is an
    error line, in English)."""
    if r.status == "already-imported":
        return say("calls.already", lang, name=r.name)
    verb = say("calls.would" if r.status == "dry-run" else "calls.did", lang)
    parts = [
        say("calls.imported", lang, verb=verb, n=r.imported, profile=r.profile, format=r.format)
    ]
    for key, n in (
        ("calls.duplicates", r.duplicates),
        ("calls.other_lines", r.other_lines),
        ("calls.internal", r.internal),
        ("calls.summary_rows", r.summary_rows),
        ("calls.skipped", len(r.skipped)),
        ("calls.purged", r.purged_calls),
    ):
        if n:
            parts.append(say(key, lang, n=n))
    if r.purged_period and r.purged_before is not None:
        parts.append(
            say(
                "calls.purged_period",
                lang,
                n=r.purged_period,
                day=day(r.purged_before.astimezone(CPH).date(), lang),
            )
        )
    if r.status != "dry-run" and r.imported:
        parts.append(say("calls.to_triage", lang, n=r.imported - r.linked))
    return f"{r.name}: " + "; ".join(parts)


def import_calls(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Phone-log exports (CSV or XLSX).")],
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            help="Force a profile: teams, cucm, dk-generic or one "
            "from phone.profiles (default: detect by header).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and check everything; write nothing.")
    ] = False,
    skip_bad_rows: Annotated[
        bool,
        typer.Option(
            "--skip-bad-rows", help="Import the good rows; record the bad ones as skipped."
        ),
    ] = False,
) -> None:
    """Import phone-log exports as contacts, each file exactly once, whole or not at all.

    Examples:
      borgerdesk import-calls uge47.csv
      borgerdesk import-calls --profile teams --dry-run PSTN_usage.csv
      borgerdesk import-calls --skip-bad-rows opkald-*.xlsx
    """
    from ingest.phone.importer import import_files

    actx: AppContext = ctx.obj
    reports = import_files(
        files,
        engine=actx.engine,
        config=actx.config,
        profile=profile,
        dry_run=dry_run,
        skip_bad_rows=skip_bad_rows,
    )
    failed = [r for r in reports if r.status == "failed"]
    for r in reports:
        if r.status == "failed" and r.error is not None and r.error.report != str(r.error):
            # The full list of bad rows (line, column, value, reason) on stdout.
            typer.echo(r.error.report)
        elif r.status != "failed":
            typer.echo(report_line(r, lang_of(ctx)))
    if failed:
        first = failed[0].error
        more = f" ({len(failed)} of {len(reports)} files not imported)" if len(reports) > 1 else ""
        raise UserError(f"{first}{more}")


def register(app: typer.Typer) -> None:
    app.command("import-calls")(import_calls)
