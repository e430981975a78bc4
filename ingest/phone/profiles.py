"""Profiles: which export a file is, detected by its header or forced by name.

A profile maps the file's column names to what borgerdesk needs (start, direction,
number, duration, status, line). Three are built in; more come from `phone.profiles` in
the config (see `store.config.phone.PhoneProfile`).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

from store.config.phone import Phone, PhoneProfile
from store.errors import UserError, shown_cell


class ProfileError(UserError):
    """The header fits no profile, or not the forced one."""


def norm_col(name: str) -> str:
    """Column names compare case- and space-insensitively ("Start time" == "Start Time")."""
    return " ".join(name.replace("\ufeff", "").split()).casefold()


@dataclass(frozen=True)
class Profile:
    name: str
    kind: str  # teams | cucm | dk-generic | custom
    # logical field -> column name in the file
    columns: dict[str, str]
    optional: dict[str, str] = field(default_factory=dict)
    # "UTC" for exports that write UTC; otherwise the zone of their wall-clock times.
    timezone: str = "Europe/Copenhagen"
    encoding: str | None = None
    delimiter: str | None = None
    custom: PhoneProfile | None = None
    description: str = ""

    @property
    def required_columns(self) -> list[str]:
        return list(self.columns.values())


TEAMS = Profile(
    name="teams",
    kind="teams",
    columns={
        "start": "Start Time",
        "call_type": "Call Type",
        "caller": "Caller ID",
        "callee": "Destination Number",
        "duration": "Duration Seconds",
        "line": "UPN",
    },
    optional={"end": "End Time", "display": "User Display Name"},
    timezone="UTC",
    description="Microsoft Teams PSTN usage export (UTC times)",
)

CUCM = Profile(
    name="cucm",
    kind="cucm",
    columns={
        "start": "dateTimeOrigination",
        "connect": "dateTimeConnect",
        "caller": "callingPartyNumber",
        "callee": "originalCalledPartyNumber",
        "duration": "duration",
    },
    optional={"final": "finalCalledPartyNumber"},
    timezone="UTC",
    description="Cisco CUCM CDR (epoch seconds; second line holds field types)",
)

DK_GENERIC = Profile(
    name="dk-generic",
    kind="dk-generic",
    columns={
        "date": "Dato",
        "time": "Tidspunkt",
        "direction": "Retning",
        "number": "Nummer",
        "duration": "Varighed",
        "status": "Status",
    },
    description="Danish provider Excel export (Dato;Tidspunkt;Retning;Nummer;Varighed;Status)",
)

BUILTIN: tuple[Profile, ...] = (TEAMS, CUCM, DK_GENERIC)


def from_config(p: PhoneProfile) -> Profile:
    return Profile(
        name=p.name,
        kind="custom",
        columns=dict(p.columns),
        timezone=p.timezone,
        encoding=p.encoding,
        delimiter=p.delimiter,
        custom=p,
        description="user-defined profile from the config",
    )


def all_profiles(phone: Phone) -> list[Profile]:
    """User-defined profiles first: a user who defines one means it, even when a built-in
    would also fit."""
    return [from_config(p) for p in phone.profiles] + list(BUILTIN)


def by_name(name: str, phone: Phone) -> Profile:
    for p in all_profiles(phone):
        if p.name == name:
            return p
    names = ", ".join(p.name for p in all_profiles(phone))
    raise ProfileError(f"--profile {name}: no such profile; choose one of: {names}")


def column_map(profile: Profile, header: Sequence[str]) -> dict[str, int] | None:
    """Logical field -> column index, or None if a required column is missing."""
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        index.setdefault(norm_col(h), i)
    out: dict[str, int] = {}
    for key, col in profile.columns.items():
        at = index.get(norm_col(col))
        if at is None:
            return None
        out[key] = at
    for key, col in profile.optional.items():
        at = index.get(norm_col(col))
        if at is not None:
            out[key] = at
    return out


def _missing(profile: Profile, header: Sequence[str]) -> list[str]:
    have = {norm_col(h) for h in header}
    return [c for c in profile.required_columns if norm_col(c) not in have]


def _similarity(profile: Profile, header: Sequence[str]) -> float:
    """How close a header is to a profile's columns: each required column's best
    difflib ratio against the header's columns, averaged."""
    cols = [norm_col(h) for h in header if h.strip()]
    if not cols:
        return 0.0
    total = 0.0
    for c in profile.required_columns:
        nc = norm_col(c)
        total += max(difflib.SequenceMatcher(None, nc, h).ratio() for h in cols)
    return total / len(profile.required_columns)


def _missing_hint(profile: Profile, header: Sequence[str]) -> str:
    parts = []
    cols = [h for h in header if h.strip()]
    for c in _missing(profile, header):
        close = difflib.get_close_matches(c, cols, n=1, cutoff=0.6)
        parts.append(f"{c!r}" + (f" (found {close[0]!r})" if close else ""))
    return ", ".join(parts)


def _shown_header(header: Sequence[str], limit: int = 8) -> str:
    more = f", … {len(header) - limit} more" if len(header) > limit else ""
    return ", ".join(shown_cell(h) for h in header[:limit]) + more


def detect(
    header: Sequence[str], phone: Phone, *, name: str, forced: str | None = None
) -> tuple[Profile, dict[str, int]]:
    """The profile that fits the header, and its column map.

    A forced profile must fit; otherwise the first profile (user-defined first) whose
    required columns are all present wins.
    """
    profiles = all_profiles(phone)
    if forced is not None:
        profile = by_name(forced, phone)
        cmap = column_map(profile, header)
        if cmap is None:
            fits = [p.name for p in profiles if p is not profile and column_map(p, header)]
            hint = f"; the header fits profile {fits[0]!r}" if fits else ""
            raise ProfileError(
                f"{name}: --profile {forced}: the header lacks {_missing_hint(profile, header)}"
                f"{hint}; choose another profile or leave --profile out"
            )
        return profile, cmap
    for profile in profiles:
        cmap = column_map(profile, header)
        if cmap is not None:
            return profile, cmap
    nearest = max(profiles, key=lambda p: _similarity(p, header))
    tried = ", ".join(p.name for p in profiles)
    raise ProfileError(
        f"{name}: unknown header ({_shown_header(header)}); tried profiles {tried}; "
        f"nearest is {nearest.name!r}, which lacks {_missing_hint(nearest, header)}; "
        "fix the header, force a profile with --profile, or define one in phone.profiles"
    )
