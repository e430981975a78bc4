"""Report presets: run every table of a configured preset for a period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from store.config import Config
from store.config.reports import ReportPreset, ReportTable
from store.counts.engine import count
from store.counts.query import CountQuery, CountResult
from store.counts.values import valid_values


@dataclass(frozen=True)
class TableResult:
    title: str
    result: CountResult
    percentages: bool


def label_order(config: Config, field: str) -> list[str]:
    """Taxonomy order for a field's labels, so tables read like the published reports."""
    t = config.taxonomy
    match field:
        case "department":
            return [d.name for d in t.departments]
        case "category":
            return list(t.categories)
        case "theme":
            return list(t.themes)
        case "action":
            return [a.name for a in t.actions]
        case "outcome":
            return [o for a in t.actions for o in a.outcomes]
        case "party_kind":
            return list(t.party_kinds)
        case "channel":
            return ["phone", "email", "meeting", "letter", "home_visit"]
    return []


def query_for(table: ReportTable, start: dt.date, end: dt.date) -> CountQuery:
    return CountQuery(
        unit=table.unit,
        start=start,
        end=end,
        rows=table.rows,
        cols=table.cols,
        where=tuple(sorted(table.where.items())),
        kind=table.kind,
        include_excluded=table.include_excluded,
        include_outbound=table.include_outbound,
    )


def run_query(
    *, session: Session, config: Config, query: CountQuery, zero_rows: bool = True
) -> CountResult:
    """Rows: every value valid in the period when zero_rows, else those that occur.
    Columns: always every valid value, so an empty period keeps its columns."""
    where = dict(query.where)
    return count(
        session=session,
        query=query,
        row_order=label_order(config, query.rows),
        col_order=label_order(config, query.cols) if query.cols else (),
        all_rows=(
            valid_values(config, query.rows, query.start, query.end, where) if zero_rows else ()
        ),
        all_cols=(
            valid_values(config, query.cols, query.start, query.end, where) if query.cols else ()
        ),
    )


def run_preset(
    *, session: Session, config: Config, preset: ReportPreset, start: dt.date, end: dt.date
) -> list[TableResult]:
    return [
        TableResult(
            title=t.title,
            result=run_query(
                session=session,
                config=config,
                query=query_for(t, start, end),
                zero_rows=t.zero_rows,
            ),
            percentages=t.percentages,
        )
        for t in preset.tables
    ]
