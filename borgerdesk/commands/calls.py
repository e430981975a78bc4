"""`borgerdesk import-calls FILE... [--profile NAME] [--dry-run] [--skip-bad-rows]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from borgerdesk.context import AppContext
from store.errors import UserError


def import_calls(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Phone-log exports (CSV or XLSX).")],
    profile: Annotated[
        str | None,
        typer.Option("--profile", help="Force a profile: teams, cucm, dk-generic or one "
                     "from phone.profiles (default: detect by header)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and check everything; write nothing.")
    ] = False,
    skip_bad_rows: Annotated[
        bool,
        typer.Option("--skip-bad-rows",
                     help="Import the good rows; record the bad ones as skipped."),
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
    reports = import_files(files, engine=actx.engine, config=actx.config, profile=profile,
                           dry_run=dry_run, skip_bad_rows=skip_bad_rows)
    failed = [r for r in reports if r.status == "failed"]
    for r in reports:
        if r.status == "failed" and r.error is not None and r.error.report != str(r.error):
            # The full list of bad rows (line, column, value, reason) on stdout.
            typer.echo(r.error.report)
        elif r.status != "failed":
            typer.echo(r.line())
    if failed:
        first = failed[0].error
        more = (f" ({len(failed)} of {len(reports)} files not imported)"
                if len(reports) > 1 else "")
        raise UserError(f"{first}{more}")


def register(app: typer.Typer) -> None:
    app.command("import-calls")(import_calls)
