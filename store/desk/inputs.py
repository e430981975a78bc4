"""What the desk's forms read and the statistics' one marker, for the UI: tui reaches the
store only through store.desk (the import-linter contract in pyproject.toml)."""

from store.counts import NONE_LABEL
from store.dateinput import read_date, read_moment

__all__ = ["NONE_LABEL", "read_date", "read_moment"]
