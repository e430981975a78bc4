"""Compliance: how well each reply rule was kept over a period.

For the targets received in the period (Copenhagen dates, inclusive), per rule: how many,
met in time, met late, waived, still open, overdue now, and the median and 90th
percentile time to reply in working hours (met targets only). This is the measure of the
48-hour recommendation.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlmodel import Session

from store.cells import new_workbook, xlsx_append
from store.config import Config
from store.outfile import atomic_output
from store.replies import tables
from store.replies.calendar import calendar_for, working_time_between
from store.timeutil import period_bounds

if TYPE_CHECKING:
    from store.counts.render import Heading


@dataclass(frozen=True)
class ComplianceRow:
    rule: str
    targets: int
    met_in_time: int
    met_late: int
    waived: int
    still_open: int
    overdue_now: int
    median_hours: float | None
    p90_hours: float | None

    @property
    def in_time_share(self) -> float | None:
        """Met in time among the targets that were met or are overdue."""
        judged = self.met_in_time + self.met_late + self.overdue_now
        return None if judged == 0 else self.met_in_time / judged

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "in_time_share": self.in_time_share}


def _quantiles(values: Sequence[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    if len(values) == 1:
        return values[0], values[0]
    # "inclusive": the 90th percentile lies within the observed times.
    p90 = statistics.quantiles(values, n=10, method="inclusive")[8]
    return statistics.median(values), p90


def compliance(
    *, session: Session, config: Config, start: dt.date, end: dt.date, now: dt.datetime
) -> list[ComplianceRow]:
    """Per configured rule (in config order; rules no longer configured follow)."""
    if end < start:
        raise ValueError("the period ends before it starts")
    lo, hi = period_bounds(start, end)
    now = now.astimezone(dt.UTC)
    cal = calendar_for(config.replies)
    t = tables.reply_target.c
    acc: dict[str, dict[str, Any]] = {
        r.name: {"n": 0, "in": 0, "late": 0, "waived": 0, "open": 0, "over": 0, "times": []}
        for r in config.replies.rules
    }
    rows = session.execute(
        select(t.rule, t.state, t.received_at, t.due_at, t.met_at).where(
            t.received_at >= lo, t.received_at < hi
        )
    )
    hour = dt.timedelta(hours=1)
    for r in rows:
        a = acc.setdefault(
            r.rule, {"n": 0, "in": 0, "late": 0, "waived": 0, "open": 0, "over": 0, "times": []}
        )
        a["n"] += 1
        if r.state == "met" and r.met_at is not None:
            a["in" if r.met_at <= r.due_at else "late"] += 1
            a["times"].append(working_time_between(r.received_at, r.met_at, cal) / hour)
        elif r.state == "waived":
            a["waived"] += 1
        else:
            a["open"] += 1
            if now > r.due_at:
                a["over"] += 1
    out = []
    for name, a in acc.items():
        med, p90 = _quantiles(sorted(a["times"]))
        out.append(
            ComplianceRow(
                rule=name,
                targets=a["n"],
                met_in_time=a["in"],
                met_late=a["late"],
                waived=a["waived"],
                still_open=a["open"],
                overdue_now=a["over"],
                median_hours=None if med is None else round(med, 2),
                p90_hours=None if p90 is None else round(p90, 2),
            )
        )
    return out


_HEADER_KEYS = (
    "c.rule",
    "c.targets",
    "c.met_in_time",
    "c.met_late",
    "c.waived",
    "c.still_open",
    "c.overdue_now",
    "c.median",
    "c.p90",
    "c.in_time",
)


def headers(lang: str = "da") -> list[str]:
    from store.counts.words import word

    return [word(k, lang) for k in _HEADER_KEYS]


def table_rows(rows: Sequence[ComplianceRow]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for r in rows:
        share = r.in_time_share
        out.append(
            [
                r.rule,
                r.targets,
                r.met_in_time,
                r.met_late,
                r.waived,
                r.still_open,
                r.overdue_now,
                r.median_hours,
                r.p90_hours,
                None if share is None else round(100 * share, 1),
            ]
        )
    return out


def write_xlsx(rows: Sequence[ComplianceRow], path: Path, *, head: Heading) -> None:
    """One sheet in the config's language: title and heading rows, the header frozen,
    numbers as numbers, the in-time share a percentage; written to a temporary name and
    renamed, so a failed write never leaves half a file."""
    from openpyxl.styles import Font

    from store.counts.render import size_columns
    from store.counts.words import word

    title = f"{word('c.title', head.lang)}, {head.period}"
    wb = new_workbook()
    ws = wb.create_sheet(word("c.title", head.lang))
    xlsx_append(ws, [title])
    ws["A1"].font = Font(bold=True, size=12)
    xlsx_append(ws, [" · ".join(x for x in (head.municipality, head.made()) if x)])
    xlsx_append(ws, headers(head.lang))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    body = table_rows(rows)
    for r, line in zip(rows, body, strict=True):
        share = r.in_time_share
        line[-1] = "–" if share is None else share  # the exact share, shown as a percentage
        xlsx_append(ws, line, formats=[None] * 9 + ["0.0%"])
    ws.freeze_panes = "B4"
    size_columns(ws, [headers(head.lang), *body])
    with atomic_output(path) as tmp:
        wb.save(tmp)
