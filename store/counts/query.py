"""What a count asks and what it answers: plain dataclasses, no ORM."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Unit = Literal["contacts", "parties", "cases"]
UNITS: tuple[str, ...] = ("contacts", "parties", "cases")
FIELDS: tuple[str, ...] = (
    "department",
    "category",
    "theme",
    "action",
    "outcome",
    "channel",
    "party_kind",
    "month",
)
KINDS: tuple[str, ...] = ("citizen", "consultancy", "whistleblower")
# The label of an empty classification (a case without a theme, say).
NONE_LABEL = "(none)"


@dataclass(frozen=True)
class CountQuery:
    unit: str
    start: dt.date
    end: dt.date  # inclusive, Europe/Copenhagen
    rows: str
    cols: str | None = None
    where: tuple[tuple[str, str], ...] = ()
    kind: str = "citizen"
    include_excluded: bool = False
    include_outbound: bool = False

    def __post_init__(self) -> None:
        # Programming errors, not user errors: the CLI validates before building a query.
        assert self.unit in UNITS, self.unit
        assert self.rows in FIELDS, self.rows
        assert self.cols is None or self.cols in FIELDS, self.cols
        assert self.kind in KINDS, self.kind
        assert self.start <= self.end


@dataclass(frozen=True)
class Cell:
    row: str
    col: str | None
    count: int


@dataclass(frozen=True)
class CountResult:
    query: CountQuery
    cells: tuple[Cell, ...]
    row_totals: dict[str, int]
    col_totals: dict[str, int]
    total: int
    # Contacts in the period still waiting in triage: they count nowhere.
    triage_waiting: int = 0
    row_labels: tuple[str, ...] = field(default=())
    col_labels: tuple[str, ...] = field(default=())

    def get(self, row: str, col: str | None = None) -> int:
        for c in self.cells:
            if c.row == row and c.col == col:
                return c.count
        return 0

    def to_json(self) -> dict[str, Any]:
        """Exactly the documented shape: scripts read it."""
        return {
            "unit": self.query.unit,
            "from": self.query.start.isoformat(),
            "to": self.query.end.isoformat(),
            "rows_field": self.query.rows,
            "cols_field": self.query.cols,
            "cells": [{"row": c.row, "col": c.col, "count": c.count} for c in self.cells],
            "row_totals": dict(self.row_totals),
            "col_totals": dict(self.col_totals),
            "total": self.total,
        }
