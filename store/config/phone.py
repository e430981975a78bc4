"""Phone-log intake: the inbox folder, the advisor's own line, user-defined profiles."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from store.config.base import Section


class PhoneProfile(Section):
    """A user-defined export format: which column holds what, and how values read."""

    name: str = Field(min_length=1)
    delimiter: str | None = None
    encoding: str | None = None
    # Column names in the file for: start (or date + time), direction, number, duration,
    # status, line.
    columns: dict[str, str]
    date_format: str = "%d-%m-%Y"
    time_format: str = "%H:%M:%S"
    datetime_format: str | None = None
    timezone: str = "Europe/Copenhagen"
    # Value mappings, e.g. {direction = {"Ind" = "in", "Ud" = "out"}}.
    values: dict[str, dict[str, str]] = {}


class Phone(Section):
    inbox: Path | None = None
    # The advisor's own line: only rows matching one of these count.
    own_upns: list[str] = []
    own_extensions: list[str] = []
    own_numbers: list[str] = []
    default_region: str = "DK"
    profiles: list[PhoneProfile] = []
    # A file counts as complete when its size has not changed for this long.
    stable_seconds: float = Field(default=2.0, ge=0)
