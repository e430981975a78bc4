"""The desk's headless service layer: queries and commands for the terminal UI that take
and return plain frozen dataclasses. Nothing here imports textual.

`Desk` is imported when first asked for: the UI's first frame (`store.desk.first_page`,
`store.desk.rows`) must not load SQLAlchemy and the ORM models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.desk.service import Desk

__all__ = ["Desk"]


def __getattr__(name: str) -> Any:
    if name == "Desk":
        from store.desk.service import Desk

        return Desk
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
