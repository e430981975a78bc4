"""The count engine: one SQL GROUP BY per table, built from a CountQuery.

Counting rules (docs/counting.md):
- Counted cases: the query's kind (default citizen), not excluded (unless asked).
- contacts: inbound contacts occurring in the period on counted cases, classified by their
  case's *current* classification (reclassifying a case moves all its contacts). Outbound
  contacts count only when asked. Unlinked (triage) contacts count nowhere.
- parties: distinct parties with at least one such contact. A party counts once in every
  cell where it has one; row, column and grand totals count each party once (so totals
  can be less than the sum of cells).
- cases: cases opened in the period.
The work is done by the database; Python only labels and orders the few result rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, and_, cast, false, func, literal, select, true
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session

from store.cases import CLASSIFICATION_FIELDS
from store.contacts import waiting_in_triage
from store.counts.query import NONE_LABEL, Cell, CountQuery, CountResult
from store.models import Case, Contact, Party

_case = Case.__table__  # type: ignore[attr-defined]
_contact = Contact.__table__  # type: ignore[attr-defined]
_party = Party.__table__  # type: ignore[attr-defined]


class FieldNotCountable(ValueError):
    """A field that does not apply to the unit (e.g. channel of a case)."""


def _field_expr(field: str, unit: str) -> ColumnElement[Any]:
    if field in CLASSIFICATION_FIELDS:
        return _case.c[field]  # type: ignore[no-any-return]
    if field == "channel":
        if unit == "cases":
            raise FieldNotCountable(
                "channel is a property of contacts; use --unit contacts or parties"
            )
        return _contact.c.channel  # type: ignore[no-any-return]
    if field == "party_kind":
        return _party.c.kind  # type: ignore[no-any-return]
    if field == "month":
        day = _case.c.opened_on if unit == "cases" else _contact.c.occurred_on
        # 'YYYY-MM': dates render ISO on both SQLite (stored as text) and PostgreSQL.
        return func.substr(cast(day, String), 1, 7)
    raise FieldNotCountable(f"unknown field {field!r}")


def _needs_party(q: CountQuery) -> bool:
    return "party_kind" in (q.rows, q.cols, *(f for f, _ in q.where))


def _base(q: CountQuery, columns: Sequence[ColumnElement[Any]]) -> Select[Any]:
    case_filter = [_case.c.kind == q.kind]
    if not q.include_excluded:
        case_filter.append(_case.c.excluded == false())
    if q.unit == "cases":
        stmt = select(*columns).select_from(_case)
        if _needs_party(q):
            stmt = stmt.outerjoin(_party, _party.c.id == _case.c.party_id)
        stmt = stmt.where(*case_filter, _case.c.opened_on.between(q.start, q.end))
    else:
        stmt = select(*columns).select_from(_contact.join(_case, _case.c.id == _contact.c.case_id))
        if _needs_party(q):
            stmt = stmt.outerjoin(_party, _party.c.id == _contact.c.party_id)
        stmt = stmt.where(
            *case_filter,
            _contact.c.occurred_on.between(q.start, q.end),
            _contact.c.direction == "in" if not q.include_outbound else true(),
        )
    for field, value in q.where:
        expr = _field_expr(field, q.unit)
        stmt = stmt.where(expr.is_(None) if value == NONE_LABEL else expr == value)
    return stmt


def _measure(q: CountQuery) -> ColumnElement[Any]:
    if q.unit == "parties":
        return func.count(func.distinct(_contact.c.party_id))
    return func.count()


def _label(v: Any) -> str:
    return NONE_LABEL if v is None else str(v)


def _grouped(
    session: Session, q: CountQuery, keys: Sequence[ColumnElement[Any]]
) -> list[tuple[Any, ...]]:
    stmt = _base(q, [*keys, _measure(q)])
    if keys:
        stmt = stmt.group_by(*keys)
    return [tuple(r) for r in session.execute(stmt).all()]


def _order(labels: set[str], preferred: Sequence[str]) -> tuple[str, ...]:
    rank = {v: i for i, v in enumerate(preferred)}
    return tuple(sorted(labels, key=lambda v: (v == NONE_LABEL, rank.get(v, len(rank)), v)))


def contact_totals(*, session: Session, query: CountQuery) -> tuple[int, int]:
    """(contacts, distinct parties) of a contacts query in one scan: the key figures'
    totals, which are the grand totals of `count` for those two units."""
    assert query.unit == "contacts", query.unit
    stmt = _base(query, [func.count(), func.count(func.distinct(_contact.c.party_id))])
    contacts, parties = session.execute(stmt).one()
    return int(contacts), int(parties)


def total(*, session: Session, query: CountQuery) -> int:
    """The grand total alone (distinct parties for the parties unit): one query."""
    return int(_grouped(session, query, [])[0][-1])


def triage_waiting(*, session: Session, q: CountQuery) -> int:
    stmt = (
        select(func.count())
        .select_from(_contact)
        .where(
            and_(
                waiting_in_triage(),
                _contact.c.direction == "in",
                _contact.c.occurred_on.between(q.start, q.end),
            )
        )
    )
    return int(session.execute(stmt).scalar_one())


def count(
    *,
    session: Session,
    query: CountQuery,
    row_order: Sequence[str] = (),
    col_order: Sequence[str] = (),
    all_rows: Sequence[str] = (),
    all_cols: Sequence[str] = (),
) -> CountResult:
    """Run one table. `row_order`/`col_order` give the preferred label order (taxonomy
    order); other labels follow alphabetically, (none) last. `all_rows`/`all_cols` are
    labels shown even when nothing counts under them (zero rows)."""
    q = query
    row_e = _field_expr(q.rows, q.unit).label("r")
    col_e = _field_expr(q.cols, q.unit).label("c") if q.cols else literal(None).label("c")
    keys = [row_e, col_e] if q.cols else [row_e]
    cells_raw = _grouped(session, q, keys)
    cells = [
        Cell(_label(r[0]), _label(r[1]) if q.cols else None, int(r[-1])) for r in cells_raw if r[-1]
    ]
    row_totals: dict[str, int] = {}
    col_totals: dict[str, int] = {}
    if q.unit == "parties":
        # A party can be in several cells: totals are their own distinct counts.
        row_totals = {_label(r[0]): int(r[1]) for r in _grouped(session, q, [row_e]) if r[1]}
        if q.cols:
            col_totals = {_label(r[0]): int(r[1]) for r in _grouped(session, q, [col_e]) if r[1]}
        total = int(_grouped(session, q, [])[0][0])
    else:
        for c in cells:
            row_totals[c.row] = row_totals.get(c.row, 0) + c.count
            if c.col is not None:
                col_totals[c.col] = col_totals.get(c.col, 0) + c.count
        total = sum(c.count for c in cells)
    rows = _order(set(row_totals) | set(all_rows), row_order)
    cols = _order(set(col_totals) | set(all_cols), col_order) if q.cols else ()
    rank_r = {v: i for i, v in enumerate(rows)}
    rank_c = {v: i for i, v in enumerate(cols)}
    cells.sort(key=lambda c: (rank_r[c.row], rank_c.get(c.col or "", 0)))
    return CountResult(
        query=q,
        cells=tuple(cells),
        row_totals={r: row_totals.get(r, 0) for r in rows},
        col_totals={c: col_totals.get(c, 0) for c in cols},
        total=total,
        triage_waiting=triage_waiting(session=session, q=q) if q.unit != "cases" else 0,
        row_labels=rows,
        col_labels=cols,
    )
