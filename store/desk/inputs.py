"""What the desk's forms read, for the UI: tui reaches the store only through store.desk
(the import-linter contract in pyproject.toml). Light: the first frame's dialogs use it;
the statistics' marker for "none" is in store.desk.stats. Typed text is checked by the
store itself (`typed_text`); a form may call it first to say so early."""

from store.dateinput import read_date, read_moment
from store.plaintext import typed_text

__all__ = ["read_date", "read_moment", "typed_text"]
