"""Time zone helpers: store UTC, show Europe/Copenhagen."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar
from zoneinfo import ZoneInfo

from store.errors import UserError

CPH = ZoneInfo("Europe/Copenhagen")

# The years a date given on the command line may name: anything else is a typo, not a
# case (0001-01-01 in Copenhagen is not even a moment Python can express in UTC).
FIRST_YEAR, LAST_YEAR = 1900, 2999


D = TypeVar("D", bound=dt.date)


def plausible(day: D, option: str) -> D:
    """`day` (a date or a time), or a one-line error naming the `option` it came from."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UserError(
            f"{option} {day.isoformat()}: not a plausible date; give one in the years "
            f"{FIRST_YEAR} to {LAST_YEAR}"
        )
    return day


def local_date(moment: dt.datetime) -> dt.date:
    """The Copenhagen calendar date of an aware moment."""
    return moment.astimezone(CPH).date()


def local_midnight(day: dt.date) -> dt.datetime:
    """The aware moment when `day` begins in Copenhagen."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=CPH)


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Inclusive local dates -> half-open UTC interval [start 00:00, end+1 00:00)."""
    return (
        local_midnight(start).astimezone(dt.UTC),
        local_midnight(end + dt.timedelta(days=1)).astimezone(dt.UTC),
    )


def from_local(naive: dt.datetime) -> dt.datetime:
    """Attach Copenhagen time to a naive wall-clock time. In the autumn's repeated hour
    the first (summer-time) occurrence is taken (fold=0); in the spring gap, zoneinfo
    moves it forward."""
    return naive.replace(tzinfo=CPH)


def show(moment: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if moment is None:
        return ""
    return moment.astimezone(CPH).strftime(fmt)


def needs_year(moment: dt.datetime, now: dt.datetime) -> bool:
    """Whether a date must name its year to be read right: it falls in another year than
    `now` (Copenhagen), or more than half a year away ("1 Apr" seen in November reads as
    the coming April)."""
    return moment.astimezone(CPH).year != now.astimezone(CPH).year or abs(
        moment - now
    ) > dt.timedelta(days=183)
