"""`import-register` and `export-register`: moving in from the spreadsheet register."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from borgerdesk.context import AppContext
from borgerdesk.texts import lang_of, say
from store.errors import UserError
from store.outfile import atomic_output
from store.plaintext import safe

# The store comes in inside each command: typer imports this module to read the
# arguments, and a usage error or --help must not pay for the database layer.


def import_register_cmd(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="The register: CSV (UTF-8 or cp1252; , ; or tab) or XLSX.")
    ],
    create_taxonomy: Annotated[
        bool,
        typer.Option("--create-taxonomy", help="Add unknown taxonomy values to the config file."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count; write nothing.")
    ] = False,
) -> None:
    """Import a register of cases and contacts (one row per contact).

    The whole file is checked first; any problem means nothing is imported, and every
    problem is listed with its line, column and value. Importing the same rows again adds
    nothing.

    Examples:
      borgerdesk import-register register-2024.csv --dry-run
      borgerdesk import-register register.xlsx --create-taxonomy
    """
    from store.config import default_config_path, load_config_text, preset_text
    from store.config.loader import DEFAULT_PRESET
    from store.register.importer import import_register
    from store.register.parse import parse_register
    from store.register.taxonomy_update import add_values
    from store.tabular import read_table

    actx: AppContext = ctx.obj
    config = actx.config
    new_config_text: str | None = None
    new: tuple[tuple[str, str], ...] = ()
    target = actx.config_file or actx.config_path or default_config_path()
    if create_taxonomy and not dry_run:
        # Prepare (and validate) the new config before touching the database, so a
        # failure leaves both unchanged; it is written after the import commits.
        parsed = parse_register(read_table(file), str(file), config.taxonomy)
        new = tuple(sorted(parsed.unknown_taxonomy))
        if new and not parsed.problems:
            base = target.read_text("utf-8") if target.exists() else preset_text(DEFAULT_PRESET)
            new_config_text = add_values(base, parsed, new)
            config = load_config_text(new_config_text, str(target))
    summary = import_register(
        engine=actx.engine,
        config=config,
        path=file,
        create_taxonomy=create_taxonomy,
        dry_run=dry_run,
    )
    lang = lang_of(ctx)
    if summary.already_imported:
        typer.echo(say("register.already", lang, file=safe(str(file))))
        return
    if new_config_text is not None:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with atomic_output(target, mode=0o600) as tmp:
            tmp.write_text(new_config_text, "utf-8")
        # `summary.new_taxonomy` is empty here: the import ran with the extended config.
        typer.echo(say("register.taxonomy", lang, n=len(new), path=safe(str(target))))
    typer.echo(
        say(
            "register.summary",
            lang,
            file=safe(str(file)),
            rows=summary.rows,
            verb=say("register.would" if dry_run else "register.did", lang),
            cases=summary.cases_added,
            contacts=summary.contacts_added,
            parties=summary.parties_added,
        )
    )


def export_register_cmd(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="Output file: .csv or .xlsx.")],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", help="citizen|consultancy|whistleblower (default: all but whistleblower)."
        ),
    ] = None,
) -> None:
    """Write the register in the import format (lossless round trip).

    Whistleblower cases are left out unless asked for with --kind whistleblower.

    Examples:
      borgerdesk export-register register.csv
      borgerdesk export-register whistleblower.xlsx --kind whistleblower
    """
    from store.db import session_scope
    from store.register.export import export_register

    actx: AppContext = ctx.obj
    if kind is not None and kind not in ("citizen", "consultancy", "whistleblower"):
        raise UserError(f"--kind {kind!r}: use citizen, consultancy or whistleblower")
    kinds = (kind,) if kind else ("citizen", "consultancy")
    if not out.parent.exists():
        raise UserError(f"{out.parent}: no such folder; create it first")
    with session_scope(actx.engine) as session:
        n = export_register(session=session, path=out, kinds=kinds, lang=actx.config.language)
    typer.echo(say("register.wrote", lang_of(ctx), n=n, path=safe(str(out))))


def register(app: typer.Typer) -> None:
    app.command("import-register")(import_register_cmd)
    app.command("export-register")(export_register_cmd)
