"""Phone-log intake: the inbox folder, the advisor's own line, user-defined profiles."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from store.config.base import Section

# Names the built-in profiles use (ingest.phone.profiles); a user profile may not reuse one.
BUILTIN_PROFILE_NAMES = ("teams", "cucm", "dk-generic")

# Logical fields a user-defined profile can map to a column of the file.
PROFILE_FIELDS = (
    "start",
    "date",
    "time",
    "direction",
    "number",
    "caller",
    "callee",
    "duration",
    "status",
    "line",
)
DIRECTION_VALUES = ("in", "out")
STATUS_VALUES = ("answered", "missed", "voicemail")


class PhoneProfile(Section):
    """A user-defined export format: which column holds what, and how values read.

    Example (TOML)::

        [[phone.profiles]]
        name = "kommune-pbx"
        date_format = "%d.%m.%Y"
        time_format = "%H:%M"
        [phone.profiles.columns]
        date = "Dag"
        time = "Kl."
        direction = "Type"
        number = "Fra/til"
        duration = "Sek."
        status = "Udfald"
        [phone.profiles.values]
        direction = {"Ind" = "in", "Ud" = "out"}
        status = {"OK" = "answered", "Tabt" = "missed", "VM" = "voicemail"}

    `number` is the counterpart's number; an export that has caller and callee columns
    instead maps `caller` and `callee` (the counterpart is the caller on inbound calls).
    Without a `status` column a call with a duration above 0 counts as answered.
    """

    name: str = Field(min_length=1)
    delimiter: str | None = None
    encoding: str | None = None
    # Column names in the file for: start (or date + time), direction, number (or caller
    # + callee), duration, status, line.
    columns: dict[str, str]
    date_format: str = "%d-%m-%Y"
    time_format: str = "%H:%M:%S"
    datetime_format: str | None = None
    timezone: str = "Europe/Copenhagen"
    # Value mappings, e.g. {direction = {"Ind" = "in", "Ud" = "out"}}.
    values: dict[str, dict[str, str]] = {}

    @field_validator("name")
    @classmethod
    def _not_builtin(cls, v: str) -> str:
        if v in BUILTIN_PROFILE_NAMES:
            raise ValueError(f"{v!r} is a built-in profile name; choose another name")
        return v

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {v!r} (use e.g. 'Europe/Copenhagen' or 'UTC')"
            ) from None
        return v

    @model_validator(mode="after")
    def _columns_complete(self) -> PhoneProfile:
        unknown = sorted(set(self.columns) - set(PROFILE_FIELDS))
        if unknown:
            raise ValueError(
                f"profile {self.name!r}: unknown column field(s) {unknown}; "
                f"use {', '.join(PROFILE_FIELDS)}"
            )
        c = self.columns
        if "start" not in c and not ("date" in c and "time" in c):
            raise ValueError(f"profile {self.name!r}: map 'start', or both 'date' and 'time'")
        if "number" not in c and not ("caller" in c and "callee" in c):
            raise ValueError(f"profile {self.name!r}: map 'number', or both 'caller' and 'callee'")
        for need in ("direction", "duration"):
            if need not in c:
                raise ValueError(f"profile {self.name!r}: map {need!r} to a column")
        allowed = {"direction": DIRECTION_VALUES, "status": STATUS_VALUES}
        for fld, mapping in self.values.items():
            if fld not in allowed:
                raise ValueError(
                    f"profile {self.name!r}: values.{fld}: only 'direction' and 'status' "
                    "values can be mapped"
                )
            bad = sorted({v for v in mapping.values() if v not in allowed[fld]})
            if bad:
                raise ValueError(
                    f"profile {self.name!r}: values.{fld} maps to {bad}; "
                    f"use {', '.join(allowed[fld])}"
                )
        return self


class Phone(Section):
    inbox: Path | None = None
    # The advisor's own line: only rows matching one of these count.
    own_upns: list[str] = []
    own_extensions: list[str] = []
    own_numbers: list[str] = []
    # Voicemail pilot numbers (CUCM): an inbound call that ends there is "voicemail".
    voicemail_numbers: list[str] = []
    default_region: str = "DK"
    profiles: list[PhoneProfile] = []
    # A file counts as complete when its size has not changed for this long.
    stable_seconds: float = Field(default=2.0, ge=0)
    # How long an import waits for a file that keeps changing before giving up on it.
    max_wait_seconds: float = Field(default=30.0, ge=0)

    @model_validator(mode="after")
    def _unique_profile_names(self) -> Phone:
        seen: set[str] = set()
        for p in self.profiles:
            if p.name in seen:
                raise ValueError(f"phone.profiles: the name {p.name!r} is used twice")
            seen.add(p.name)
        return self
