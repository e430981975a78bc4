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


def _preset(config: Config, name: str | None) -> ReportPreset:
    name = name or config.reports.default_preset
    if name is None:
        if config.reports.presets:
            return config.reports.presets[0]
        # No preset configured: a single sensible table, so the screen still shows counts.
        return ReportPreset(name="-", title="", tables=[
            ReportTable(title="Henvendelser", unit="contacts", rows="channel")])
    try:
        return config.reports.preset(name)
    except KeyError:
        raise UserError(f"config: report preset {name!r} not found; check [reports]",
                        code="report_preset", name=name) from None


def run_stats(*, session: Session, config: Config, preset: str | None, start: dt.date,
              end: dt.date, now: dt.datetime) -> StatsView:
    from store.counts.presets import run_preset
    from store.counts.render import text_grid

    p = _preset(config, preset)
    results = run_preset(session=session, config=config, preset=p, start=start, end=end)
    tables = []
    for spec, t in zip(p.tables, results, strict=True):
        r = t.result
        tables.append(StatsTable(
            title=t.title, unit=spec.unit,
            grid=tuple(tuple(line) for line in text_grid(r, t.percentages, config.language)),
            row_totals=tuple((lab, int(r.row_totals.get(lab, 0))) for lab in r.row_labels),
            total=int(r.total), triage_waiting=int(getattr(r, "triage_waiting", 0)),
        ))
    return StatsView(preset=p.name, title=p.title, start=start, end=end, tables=tuple(tables),
                     compliance=_compliance(session=session, config=config, start=start,
                                            end=end, now=now))


def _compliance(*, session: Session, config: Config, start: dt.date, end: dt.date,
                now: dt.datetime) -> Compliance:
    from store.replies.compliance import compliance

    # Whistleblower deadlines are shown in their own register, not on the general screen.
    hidden = {r.name for r in config.replies.rules if r.applies_to.startswith("whistleblower")}
    rows = compliance(session=session, config=config, start=start, end=end, now=now)
    return Compliance(lines=tuple(
        ComplianceLine(rule=r.rule, targets=r.targets, met_in_time=r.met_in_time,
                       met_late=r.met_late, waived=r.waived, still_open=r.still_open,
                       overdue_now=r.overdue_now, median_hours=r.median_hours,
                       in_time_share=r.in_time_share)
        for r in rows if r.rule not in hidden
    ))


def export_stats(*, session: Session, config: Config, preset: str | None, start: dt.date,
                 end: dt.date, path: str) -> str:
    """Write the preset's tables to csv or xlsx (by the file's suffix), headed by the
    municipality, period, unit and time made. A .csv is for a person with a Danish Excel
    (`;`, BOM, decimal comma: `report --format csv-excel`). The write is atomic: a
    temporary file beside the target, then a rename."""
    from store.counts.presets import run_preset
    from store.counts.render import Heading, to_csv_excel, write_xlsx

    target = Path(path).expanduser()
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UserError(f"{target}: export needs a .csv or .xlsx file name",
                        code="export_suffix", path=str(target))
    if not target.parent.is_dir():
        raise UserError(f"{target.parent}: no such folder; choose an existing one",
                        code="export_folder", path=str(target.parent))
    check_output(target)  # a folder named like a file: refuse before counting
    p = _preset(config, preset)
    tables = run_preset(session=session, config=config, preset=p, start=start, end=end)
    head = Heading.of(config, start, end)
    if suffix == ".xlsx":
        write_xlsx(tables, target, head)
    else:
        with atomic_output(target) as tmp:
            tmp.write_bytes(("\ufeff" + to_csv_excel(tables, head)).encode("utf-8"))
    return str(target)
