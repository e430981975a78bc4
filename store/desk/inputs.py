"""What the desk's forms read, for the UI: tui reaches the store only through store.desk
(the import-linter contract in pyproject.toml). Light: the first frame's dialogs use it
(issue 20); the statistics' marker for "none" is in store.desk.stats."""

from store.dateinput import read_date, read_moment

__all__ = ["read_date", "read_moment"]
