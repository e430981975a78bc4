"""The desk's headless service layer: queries and commands for the terminal UI that take
and return plain frozen dataclasses. Nothing here imports textual."""

from store.desk.service import Desk

__all__ = ["Desk"]
