"""Report presets: named sets of tables, each a count-engine query."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

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


class ReportPreset(Section):
    name: str = Field(min_length=1)
    title: str = ""
    tables: list[ReportTable] = Field(min_length=1)


class Reports(Section):
    presets: list[ReportPreset] = []
    # The preset the UI's statistics screen shows.
    default_preset: str | None = None

    def preset(self, name: str) -> ReportPreset:
        for p in self.presets:
            if p.name == name:
                return p
        raise KeyError(name)
