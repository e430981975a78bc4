"""What the desk's forms read and the statistics' one marker, for the UI: tui reaches the
store only through store.desk (the import-linter contract in pyproject.toml). Typed text
is checked by the store itself (`typed_text`); a form may call it first to say so early."""

from store.counts import NONE_LABEL
from store.dateinput import read_date, read_moment
from store.plaintext import typed_text

__all__ = ["NONE_LABEL", "read_date", "read_moment", "typed_text"]
