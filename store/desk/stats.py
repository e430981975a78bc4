"""The statistics screen's data: the configured report preset for a period, as plain
grids (the same `store.counts.render.grid` the CLI report prints), plus the reply
compliance figures for the same period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from store.config import Config
from store.config.reports import ReportPreset, ReportTable
from store.counts import NONE_LABEL as NONE_LABEL  # the UI's "none" row
from store.errors import UserError
from store.outfile import atomic_output, check_output


@dataclass(frozen=True)
class StatsTable:
    title: str
    unit: str
    grid: tuple[tuple[str, ...], ...]  # header, body rows, Sum row
    row_totals: tuple[tuple[str, int], ...]  # for the chart, in label order
    total: int
    triage_waiting: int


@dataclass(frozen=True)
class ComplianceLine:
    rule: str
    targets: int
    met_in_time: int
    met_late: int
    waived: int
    still_open: int
    overdue_now: int
    median_hours: float | None
    in_time_share: float | None


@dataclass(frozen=True)
class Compliance:
    """Reply targets received in the period, per rule (store.replies.compliance)."""

    lines: tuple[ComplianceLine, ...]


@dataclass(frozen=True)
class StatsView:
    preset: str
    title: str
    start: dt.date
    end: dt.date
    tables: tuple[StatsTable, ...]
    compliance: Compliance


def preset_named(config: Config, name: str | None, option: str = "config") -> ReportPreset:
    """The named preset, else the default, else the first, else one simple table."""
    name = name or config.reports.default_preset
    if name is None:
        if config.reports.presets:
            return config.reports.presets[0]
        # No preset configured: a single sensible table, so the screen still shows counts.
        return ReportPreset(
            name="-",
            title="",
            tables=[ReportTable(title="Henvendelser", unit="contacts", rows="channel")],
        )
    try:
        return config.reports.preset(name)
    except KeyError:
        names = ", ".join(x.name for x in config.reports.presets) or "none configured"
        raise UserError(
            f"{option}: report preset {name!r} not found (have: {names}); check [reports]",
            code="report_preset",
            name=name,
        ) from None


def run_stats(
    *,
    session: Session,
    config: Config,
    preset: str | None,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
) -> StatsView:
    from store.counts.presets import run_preset
    from store.counts.render import text_grid

    p = preset_named(config, preset)
    results = run_preset(session=session, config=config, preset=p, start=start, end=end)
    tables = []
    for spec, t in zip(p.tables, results, strict=True):
        r = t.result
        tables.append(
            StatsTable(
                title=t.title,
                unit=spec.unit,
                grid=tuple(tuple(line) for line in text_grid(r, t.percentages, config.language)),
                row_totals=tuple((lab, int(r.row_totals.get(lab, 0))) for lab in r.row_labels),
                total=int(r.total),
                triage_waiting=int(getattr(r, "triage_waiting", 0)),
            )
        )
    return StatsView(
        preset=p.name,
        title=p.title,
        start=start,
        end=end,
        tables=tuple(tables),
        compliance=_compliance(session=session, config=config, start=start, end=end, now=now),
    )


def _compliance(
    *, session: Session, config: Config, start: dt.date, end: dt.date, now: dt.datetime
) -> Compliance:
    from store.replies.compliance import compliance

    # Whistleblower deadlines are shown in their own register, not on the general screen.
    hidden = {r.name for r in config.replies.rules if r.applies_to.startswith("whistleblower")}
    rows = compliance(session=session, config=config, start=start, end=end, now=now)
    return Compliance(
        lines=tuple(
            ComplianceLine(
                rule=r.rule,
                targets=r.targets,
                met_in_time=r.met_in_time,
                met_late=r.met_late,
                waived=r.waived,
                still_open=r.still_open,
                overdue_now=r.overdue_now,
                median_hours=r.median_hours,
                in_time_share=r.in_time_share,
            )
            for r in rows
            if r.rule not in hidden
        )
    )


def export_stats(
    *, session: Session, config: Config, preset: str | None, start: dt.date, end: dt.date, path: str
) -> str:
    """Write the preset's tables to csv or xlsx (by the file's suffix), headed by the
    municipality, period, unit and time made. A .csv is for a person with a Danish Excel
    (`;`, BOM, decimal comma: `report --format csv-excel`). The write is atomic: a
    temporary file beside the target, then a rename."""
    from store.counts.presets import run_preset
    from store.counts.render import Heading, to_csv_excel, write_xlsx

    target = Path(path).expanduser()
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UserError(
            f"{target}: export needs a .csv or .xlsx file name",
            code="export_suffix",
            path=str(target),
        )
    if not target.parent.is_dir():
        raise UserError(
            f"{target.parent}: no such folder; choose an existing one",
            code="export_folder",
            path=str(target.parent),
        )
    check_output(target)  # a folder named like a file: refuse before counting
    p = preset_named(config, preset)
    tables = run_preset(session=session, config=config, preset=p, start=start, end=end)
    head = Heading.of(config, start, end)
    if suffix == ".xlsx":
        write_xlsx(tables, target, head)
    else:
        with atomic_output(target) as tmp:
            tmp.write_bytes(("\ufeff" + to_csv_excel(tables, head)).encode("utf-8"))
    return str(target)


# ---------------------------------------------------------------- period and comparison


def parse_stats_period(config: Config, text: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The Statistik period dialog's input: 2024, 2024/25, 2024H2, 2024Q3, ytd (the
    grammar of `--period`, store.counts.period); a UserError names what to write."""
    from store.counts.period import parse_period

    p = parse_period(text, today=today, year_starts=config.reports.year_starts, option="period")
    return p.start, p.end


@dataclass(frozen=True)
class RowChange:
    label: str  # as shown ("Uden kategori" for unclassified)
    current: int
    previous: int
    change: int
    change_share: float | None  # change / previous; None where previous is 0
    change_text: str  # "+3 (+12 %)", "–2 (–50 %)", "+4" (no base)


@dataclass(frozen=True)
class TableChange:
    title: str
    unit: str
    rows: tuple[RowChange, ...]  # every row, then the Sum row


@dataclass(frozen=True)
class StatsComparison:
    """The preset's row totals for the period against the previous period of equal
    length (store.counts.period.Period.previous)."""

    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    period_name: str  # "1. januar – 31. december 2024"
    previous_name: str
    tables: tuple[TableChange, ...]


def change_text(change: int, share: float | None, lang: str) -> str:
    from store.counts.words import percent

    sign = "+" if change > 0 else "–" if change < 0 else "±"
    text = f"{sign}{abs(change)}"
    if share is not None:
        text += f" ({sign}{percent(abs(share), lang)})"
    return text


def compare_stats(
    *, session: Session, config: Config, preset: str | None, start: dt.date, end: dt.date
) -> StatsComparison:
    """ "Compare with the previous period": per table, per row, the change."""
    from store.counts.period import Period
    from store.counts.presets import run_preset
    from store.counts.words import value_label, word

    lang = config.language
    now, prev = Period(start, end), Period(start, end).previous()
    p = preset_named(config, preset)
    cur = run_preset(session=session, config=config, preset=p, start=now.start, end=now.end)
    old = run_preset(session=session, config=config, preset=p, start=prev.start, end=prev.end)
    tables = []
    for a, b in zip(cur, old, strict=True):
        labels = list(a.result.row_labels) + [
            x for x in b.result.row_labels if x not in a.result.row_labels
        ]
        pairs = [
            (
                value_label(a.result.query.rows, r, lang),
                a.result.row_totals.get(r, 0),
                b.result.row_totals.get(r, 0),
            )
            for r in labels
        ]
        pairs.append((word("sum", lang), a.result.total, b.result.total))
        rows = tuple(
            RowChange(
                label=lab,
                current=x,
                previous=y,
                change=x - y,
                change_share=(x - y) / y if y else None,
                change_text=change_text(x - y, (x - y) / y if y else None, lang),
            )
            for lab, x, y in pairs
        )
        tables.append(TableChange(title=a.title, unit=a.result.query.unit, rows=rows))
    return StatsComparison(
        start=now.start,
        end=now.end,
        previous_start=prev.start,
        previous_end=prev.end,
        period_name=now.name(lang),
        previous_name=prev.name(lang),
        tables=tuple(tables),
    )


def export_annual_report(
    *,
    session: Session,
    config: Config,
    preset: str | None,
    start: dt.date,
    end: dt.date,
    path: str,
    now: dt.datetime | None = None,
) -> str:
    """The annual report (.docx or .html, by the suffix) for the screen's period; the
    advisor's own sections stand blank, headed. Atomic like every export."""
    from store.annual import check_target, write_annual_report
    from store.counts.period import Period

    target = Path(path).expanduser()
    check_target(target)
    write_annual_report(
        session=session,
        config=config,
        preset=preset_named(config, preset),
        period=Period(start, end),
        out=target,
        now=now,
    )
    return str(target)
