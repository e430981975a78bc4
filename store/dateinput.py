"""Reading the dates and times a person types: DD-MM-YYYY (as the desk shows dates) or
ISO YYYY-MM-DD, optionally with HH:MM. One parser for the register import, the CLI and
every date field of the desk, so "01-12-2026" means the same day everywhere.

A time without an offset is Copenhagen wall-clock time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools

from store.errors import UserError
from store.timeutil import CPH, FIRST_YEAR, LAST_YEAR

DATE_HINT = "use DD-MM-YYYY or YYYY-MM-DD"
MOMENT_HINT = "use DD-MM-YYYY HH:MM or YYYY-MM-DD HH:MM"


@functools.lru_cache(maxsize=100_000)
def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD or DD-MM-YYYY (also with / or .), in the years FIRST_YEAR to LAST_YEAR;
    ValueError otherwise. The bound is why a moment can always be converted: Copenhagen's
    01-01-0001 00:30 is not a moment Python can express in UTC (OverflowError)."""
    t = text.strip().replace("/", "-").replace(".", "-")
    parts = t.split("-")
    day: dt.date | None = None
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        ymd = parts if len(parts[0]) == 4 else parts[::-1] if len(parts[2]) == 4 else None
        if ymd is not None:
            with contextlib.suppress(ValueError):  # 30-02-2024: no such day
                day = dt.date(int(ymd[0]), int(ymd[1]), int(ymd[2]))
    if day is None:
        raise ValueError(f"not a date ({DATE_HINT})")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"not a plausible date; give one in the years {FIRST_YEAR} to {LAST_YEAR}")
    return day


@functools.lru_cache(maxsize=200_000)
def parse_moment(text: str) -> tuple[dt.datetime, dt.date]:
    """A date with optional HH:MM[:SS] (and optional UTC offset; without one, Copenhagen
    time) -> (aware UTC moment, its Copenhagen date). ValueError otherwise."""
    t = text.strip().replace("T", " ")
    day_part, _, time_part = t.partition(" ")
    day = parse_date(day_part)
    clock = dt.time(0, 0)
    if time_part.strip():
        try:
            clock = dt.time.fromisoformat(time_part.strip().replace(".", ":"))
        except ValueError:
            raise ValueError("time is not HH:MM") from None
    zone = clock.tzinfo or CPH
    moment = dt.datetime.combine(day, clock.replace(tzinfo=None), tzinfo=zone)
    return moment.astimezone(dt.UTC), moment.astimezone(CPH).date()


def read_date(text: str, field: str) -> dt.date:
    """`parse_date` for a field a person filled in: a `UserError` naming the field."""
    try:
        return parse_date(text)
    except ValueError:
        raise UserError(
            f"{field} {text!r}: not a date; {DATE_HINT}", code="bad_date", field=field, value=text
        ) from None


def read_moment(text: str, field: str) -> dt.datetime:
    """`parse_moment` for a field a person filled in (aware UTC): a `UserError` naming the
    field."""
    try:
        return parse_moment(text)[0]
    except ValueError:
        raise UserError(
            f"{field} {text!r}: not a date and time; {MOMENT_HINT}",
            code="bad_moment",
            field=field,
            value=text,
        ) from None
