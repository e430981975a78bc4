"""`borgerdesk report`: the annual counts, ad hoc or from a configured preset."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from borgerdesk.context import AppContext
from store.config.reports import ReportTable
from store.counts import FIELDS, KINDS, UNITS, FieldNotCountable, run_preset
from store.counts.presets import TableResult, query_for, run_query
from store.counts.render import print_tables, to_csv, to_json, to_markdown, write_xlsx
from store.dateinput import parse_date
from store.db import session_scope
from store.errors import UserError
from store.outfile import atomic_output, check_output
from store.timeutil import plausible

FORMATS = ("table", "json", "csv", "xlsx", "md")


def period(year: int | None, start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """--year Y, or --from/--to (inclusive local dates)."""
    if year is not None:
        if start or end:
            raise UserError("give either --year or --from/--to, not both")
        if not 1900 <= year <= 2999:
            raise UserError(f"--year {year}: not a plausible year")
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if not (start and end):
        raise UserError("give the period: --year YYYY, or --from DATE --to DATE")
    try:
        a = plausible(parse_date(start), "--from")
    except ValueError:
        raise UserError(f"--from {start!r}: not a date; use YYYY-MM-DD") from None
    try:
        b = plausible(parse_date(end), "--to")
    except ValueError:
        raise UserError(f"--to {end!r}: not a date; use YYYY-MM-DD") from None
    if b < a:
        raise UserError(f"--to {b} is before --from {a}")
    return a, b


def report(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", help="Calendar year.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day (inclusive).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (inclusive).")] = None,
    preset: Annotated[
        str | None, typer.Option("--preset", help="A report preset from the config.")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="contacts|parties|cases")] = None,
    rows: Annotated[str | None, typer.Option("--rows", help="Row field.")] = None,
    cols: Annotated[str | None, typer.Option("--cols", help="Column field.")] = None,
    where: Annotated[
        list[str] | None, typer.Option("--where", help="FIELD=VALUE filter; repeatable.")
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="citizen|consultancy|whistleblower")
    ] = "citizen",
    include_excluded: Annotated[bool, typer.Option("--include-excluded")] = False,
    include_outbound: Annotated[bool, typer.Option("--include-outbound")] = False,
    percentages: Annotated[bool, typer.Option("--percentages", help="Add a % column.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="table|json|csv|xlsx|md")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
) -> None:
    """Count contacts, parties or cases over one or two fields for a period.

    FIELD is one of: department, category, theme, action, outcome, channel, party_kind,
    month. Counted cases are those of --kind (default citizen) that are not excluded.

    Examples:
      borgerdesk report --year 2024 --unit parties --rows department --cols category
      borgerdesk report --from 2021-08-01 --to 2021-12-31 --unit cases --rows action \
        --where category=Klage
      borgerdesk report --preset odsherred --year 2024 --format xlsx --out beretning.xlsx
      borgerdesk report --from 2023-10-01 --to 2024-09-30 --unit contacts --rows month --format json
    """
    actx: AppContext = ctx.obj
    config = actx.config
    if fmt not in FORMATS:
        raise UserError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "xlsx" and out is None:
        raise UserError("--format xlsx needs --out FILE.xlsx")
    if out is not None and not out.parent.exists():
        raise UserError(f"--out {out}: folder {out.parent} does not exist")
    if out is not None:
        # Text formats may go to any file name (.txt, .md, ...); a workbook must be .xlsx.
        check_output(out, label="--out ", suffixes=(".xlsx",) if fmt == "xlsx" else ())
    a, b = period(year, start, end)

    with session_scope(actx.engine) as session:
        if preset is not None:
            if unit or rows or cols or where:
                raise UserError(
                    "--preset defines its tables; leave out --unit/--rows/--cols/--where"
                )
            try:
                p = config.reports.preset(preset)
            except KeyError:
                names = ", ".join(x.name for x in config.reports.presets) or "none configured"
                raise UserError(f"--preset {preset!r}: no such preset (have: {names})") from None
            tables = run_preset(session=session, config=config, preset=p, start=a, end=b)
        else:
            table = _adhoc_table(
                unit, rows, cols, where or [], kind, include_excluded, include_outbound, percentages
            )
            try:
                res = run_query(session=session, config=config, query=query_for(table, a, b))
            except FieldNotCountable as e:
                raise UserError(f"--rows/--cols: {e}") from None
            tables = [TableResult(title=_title(table, a, b), result=res, percentages=percentages)]
    _emit(tables, fmt, out)


def _adhoc_table(
    unit: str | None,
    rows: str | None,
    cols: str | None,
    where: list[str],
    kind: str,
    include_excluded: bool,
    include_outbound: bool,
    percentages: bool,
) -> ReportTable:
    if unit is None or rows is None:
        raise UserError("give --unit and --rows (or --preset NAME)")
    if unit not in UNITS:
        raise UserError(f"--unit {unit!r}: use one of {', '.join(UNITS)}")
    for opt, f in (("--rows", rows), ("--cols", cols)):
        if f is not None and f not in FIELDS:
            raise UserError(f"{opt} {f!r}: use one of {', '.join(FIELDS)}")
    if cols is not None and cols == rows:
        raise UserError("--cols must differ from --rows")
    if kind not in KINDS:
        raise UserError(f"--kind {kind!r}: use one of {', '.join(KINDS)}")
    filters: dict[str, str] = {}
    for w in where:
        f, sep, v = w.partition("=")
        f = f.strip()
        if not sep or f not in FIELDS or not v.strip():
            raise UserError(f"--where {w!r}: use FIELD=VALUE with FIELD one of {', '.join(FIELDS)}")
        filters[f] = v.strip()
    return ReportTable.model_validate(
        {
            "title": "",
            "unit": unit,
            "rows": rows,
            "cols": cols,
            "where": filters,
            "kind": kind,
            "include_excluded": include_excluded,
            "include_outbound": include_outbound,
            "percentages": percentages,
        }
    )


def _title(t: ReportTable, a: dt.date, b: dt.date) -> str:
    by = t.rows + (f" × {t.cols}" if t.cols else "")
    return f"{t.unit} by {by}, {a} – {b}"


def _emit(tables: list[TableResult], fmt: str, out: Path | None) -> None:
    if fmt == "xlsx":
        assert out is not None
        write_xlsx(tables, out)
        typer.echo(f"wrote {out}")
        return
    if fmt == "table":
        if out is None:
            print_tables(tables, Console(highlight=False))
            return
        with atomic_output(out) as tmp, tmp.open("w", encoding="utf-8") as fh:
            print_tables(tables, Console(file=fh, highlight=False, width=120, no_color=True))
        typer.echo(f"wrote {out}")
        return
    text = {"json": to_json, "csv": to_csv, "md": to_markdown}[fmt](tables)
    if out is None:
        sys.stdout.write(text)
    else:
        with atomic_output(out) as tmp:
            tmp.write_text(text, "utf-8")
        typer.echo(f"wrote {out}")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
