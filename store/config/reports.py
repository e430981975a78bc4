"""Report presets: named sets of tables, each a count-engine query."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator

from store.config.base import Section

Unit = Literal["contacts", "parties", "cases"]
FieldName = Literal[
    "department", "category", "theme", "action", "outcome", "channel", "party_kind", "month"
]
Kind = Literal["citizen", "consultancy", "whistleblower"]


class ReportTable(Section):
    title: str
    unit: Unit
    rows: FieldName
    cols: FieldName | None = None
    # FIELD = VALUE filters, e.g. {category = "Klage"}.
    where: dict[FieldName, str] = {}
    kind: Kind = "citizen"
    include_excluded: bool = False
    include_outbound: bool = False
    percentages: bool = False
    # Every taxonomy value valid in the period gets a row, zeros included; false shows
    # only the values that occur.
    zero_rows: bool = True


class ReportPreset(Section):
    name: str = Field(min_length=1)
    title: str = ""
    tables: list[ReportTable] = Field(min_length=1)


class Reports(Section):
    presets: list[ReportPreset] = []
    # The preset the UI's statistics screen shows.
    default_preset: str | None = None
    # The first day (MM-DD) of the report year `--period 2024/25` names, e.g. "10-01".
    year_starts: str = "01-01"

    @field_validator("year_starts")
    @classmethod
    def _month_day(cls, v: str) -> str:
        try:
            # 2001 is no leap year: a report year cannot start on 29 February.
            dt.date.fromisoformat(f"2001-{v}")
        except ValueError:
            raise ValueError(f'year_starts {v!r}: use MM-DD, e.g. "10-01"') from None
        return v

    def preset(self, name: str) -> ReportPreset:
        for p in self.presets:
            if p.name == name:
                return p
        raise KeyError(name)
