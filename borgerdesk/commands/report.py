"""`borgerdesk report`: the annual counts, ad hoc or from a configured preset."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from borgerdesk.context import AppContext
from borgerdesk.texts import lang_of, say
from store.dateinput import parse_date
from store.errors import UserError
from store.outfile import atomic_output, check_output
from store.timeutil import CPH

# The store comes in inside each command: typer imports this module to read the
# arguments, and a usage error or --help must not pay for the database layer.
if TYPE_CHECKING:
    from store.config import Config
    from store.config.reports import ReportTable
    from store.counts.presets import TableResult
    from store.counts.render import Heading

FORMATS = ("table", "json", "csv", "csv-excel", "xlsx", "md")


def period(
    year: int | None,
    start: str | None,
    end: str | None,
    text: str | None = None,
    *,
    config: Config | None = None,
    today: dt.date | None = None,
) -> tuple[dt.date, dt.date]:
    """--period P, --year Y, or --from/--to (inclusive local dates); exactly one."""
    given = [n for n, v in (("--period", text), ("--year", year)) if v is not None]
    if start or end:
        given.append("--from/--to")
    if len(given) > 1:
        raise UserError(f"give either {' or '.join(given)}, not both")
    if text is not None:
        from store.counts.period import parse_period

        p = parse_period(
            text,
            today=today or dt.datetime.now(CPH).date(),
            year_starts=config.reports.year_starts if config else "01-01",
        )
        return p.start, p.end
    if year is not None:
        if not 1900 <= year <= 2999:
            raise UserError(f"--year {year}: not a plausible year")
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if not (start and end):
        raise UserError(
            "give the period: --period (2024, 2024/25, 2024H2, 2024Q3, ytd), --year YYYY, "
            "or --from DATE --to DATE"
        )
    try:
        a = parse_date(start)  # bounded to plausible years, its error says which forms
    except ValueError as e:
        raise UserError(f"--from {start}: {e}") from None
    try:
        b = parse_date(end)
    except ValueError as e:
        raise UserError(f"--to {end}: {e}") from None
    if b < a:
        raise UserError(f"--to {b} is before --from {a}")
    return a, b


PERIOD_HELP = "2024, 2024/25 (report year, [reports] year_starts), 2024H2, 2024Q3 or ytd."


def report(
    ctx: typer.Context,
    period_text: Annotated[str | None, typer.Option("--period", help=PERIOD_HELP)] = None,
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
    fmt: Annotated[
        str, typer.Option("--format", help="table|json|csv|csv-excel|xlsx|md")
    ] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
) -> None:
    """Count contacts, parties or cases over one or two fields for a period.

    FIELD is one of: department, category, theme, action, outcome, channel, party_kind,
    month. Counted cases are those of --kind (default citizen) that are not excluded.

    Examples:
      borgerdesk report --year 2024 --unit parties --rows department --cols category
      borgerdesk report --preset odsherred --period 2024/25 --format csv-excel --out tal.csv
      borgerdesk report --from 2021-08-01 --to 2021-12-31 --unit cases --rows action \
        --where category=Klage
      borgerdesk report --preset odsherred --year 2024 --format xlsx --out beretning.xlsx
      borgerdesk report --from 2023-10-01 --to 2024-09-30 --unit contacts --rows month --format json
    """
    from store.counts import FieldNotCountable, run_preset
    from store.counts.presets import TableResult, query_for, run_query
    from store.counts.render import Heading
    from store.counts.values import check_where
    from store.db import session_scope

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
    a, b = period(year, start, end, period_text, config=config)
    head = Heading.of(config, a, b)

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
            check_where(config, table.where, a, b)
            try:
                res = run_query(session=session, config=config, query=query_for(table, a, b))
            except FieldNotCountable as e:
                raise UserError(f"--rows/--cols: {e}") from None
            tables = [
                TableResult(
                    title=_title(table, config.language), result=res, percentages=percentages
                )
            ]
    _emit(tables, fmt, out, head)


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
    from store.config.reports import ReportTable
    from store.counts import FIELDS, KINDS, UNITS

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


def _title(t: ReportTable, lang: str) -> str:
    """ "Sager fordelt på afdeling og kategori" (Heading.title adds the period)."""
    from store.counts.words import word

    by = word(f"field.{t.rows}", lang).lower()
    if t.cols:
        by += (" and " if lang == "en" else " og ") + word(f"field.{t.cols}", lang).lower()
    unit = word(f"unit.{t.unit}", lang).split(" (")[0]
    return f"{unit.capitalize()} {'by' if lang == 'en' else 'fordelt på'} {by}"


def _emit(tables: list[TableResult], fmt: str, out: Path | None, head: Heading) -> None:
    from rich.console import Console

    from store.counts.render import (
        print_tables,
        to_csv,
        to_csv_excel,
        to_json,
        to_markdown,
        write_xlsx,
    )

    if fmt == "xlsx":
        assert out is not None
        write_xlsx(tables, out, head)
        typer.echo(say("wrote", head.lang, path=out))
        return
    if fmt == "table":
        if out is None:
            print_tables(tables, Console(highlight=False), head)
            return
        with atomic_output(out) as tmp, tmp.open("w", encoding="utf-8") as fh:
            print_tables(tables, Console(file=fh, highlight=False, width=120, no_color=True), head)
        typer.echo(say("wrote", head.lang, path=out))
        return
    if fmt == "json":
        text = to_json(tables)
    elif fmt == "csv":
        text = to_csv(tables, head)
    elif fmt == "csv-excel":
        text = "\ufeff" + to_csv_excel(tables, head)
    else:
        text = to_markdown(tables, head)
    if out is None:
        # Binary stdout: the CSV's own line ends (CRLF) and BOM reach a pipe unchanged.
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    else:
        with atomic_output(out) as tmp:
            tmp.write_bytes(text.encode("utf-8"))
        typer.echo(say("wrote", head.lang, path=out))


def annual_report(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="FILE.docx or FILE.html.")],
    period_text: Annotated[str | None, typer.Option("--period", help=PERIOD_HELP)] = None,
    year: Annotated[int | None, typer.Option("--year", help="Calendar year.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day (inclusive).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (inclusive).")] = None,
    preset: Annotated[
        str | None, typer.Option("--preset", help="A report preset (default: [reports]).")
    ] = None,
    text: Annotated[
        Path | None,
        typer.Option("--text", help="Markdown with your sections (# Heading, paragraphs)."),
    ] = None,
) -> None:
    """Write the annual report to the council: key figures against the previous period,
    channels, consultancy tasks, every table of the preset with a chart, the 48-hour
    section, the whistleblower counts, your own sections and how the figures are counted.
    Danish, or English when the config's language is "en".

    Examples:
      borgerdesk annual-report --period 2024 --out aarsrapport-2024.docx
      borgerdesk annual-report --period 2024/25 --preset odsherred --out rapport.html
      borgerdesk annual-report --year 2024 --text mine-afsnit.md --out aarsrapport.docx
    """
    from store.annual import check_target, read_text_file, write_annual_report
    from store.counts.period import Period
    from store.db import session_scope
    from store.desk.stats import preset_named

    actx: AppContext = ctx.obj
    config = actx.config
    check_target(out)
    a, b = period(year, start, end, period_text, config=config)
    own = read_text_file(text) if text is not None else None
    p = preset_named(config, preset, option="--preset")
    with session_scope(actx.engine) as session:
        write_annual_report(
            session=session, config=config, preset=p, period=Period(a, b), out=out, text=own
        )
    typer.echo(say("wrote", lang_of(ctx), path=out))


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("annual-report")(annual_report)
