"""The daemon's write transactions.

Every daemon write is one of a series (a sync's batches, an evaluation's alerts), so it
uses `store.db.bulk_write_scope`: it gives way to a write the advisor is waiting for, and
takes SQLite's write lock up front (BEGIN IMMEDIATE), so neither side ever fails with
"database is locked".
"""

from __future__ import annotations

from store.db import bulk_write_scope as write_scope

__all__ = ["write_scope"]
