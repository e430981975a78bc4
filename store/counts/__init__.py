"""The count engine: the annual statistics that go to the municipal council."""

from store.counts.engine import FieldNotCountable, count
from store.counts.presets import TableResult, run_preset, run_query
from store.counts.query import FIELDS, KINDS, NONE_LABEL, UNITS, Cell, CountQuery, CountResult

__all__ = [
    "FIELDS",
    "KINDS",
    "NONE_LABEL",
    "UNITS",
    "Cell",
    "CountQuery",
    "CountResult",
    "FieldNotCountable",
    "TableResult",
    "count",
    "run_preset",
    "run_query",
]
