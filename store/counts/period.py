"""Report periods as the offices name them, and their names in Danish and English.

Grammar (`--period`, and the Statistik period dialog):
  2024      calendar year
  2024/25   report year from `[reports] year_starts` (e.g. 10-01: 1 Oct 2024 – 30 Sep 2025)
  2024H2    half-year (H1, H2)
  2024Q3    quarter (Q1..Q4)
  ytd       the report year so far, up to and including today

Periods are inclusive Copenhagen dates; store.timeutil.period_bounds turns them into UTC
instants, so a daylight-saving change inside a period moves no contact across its edge.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from store.errors import UserError

_YEAR = r"(?P<y>\d{4})"
_FORMS = (
    (re.compile(rf"{_YEAR}"), "year"),
    (re.compile(rf"{_YEAR}/(?P<y2>\d{{2}})"), "report_year"),
    (re.compile(rf"{_YEAR}[Hh](?P<n>[12])"), "half"),
    (re.compile(rf"{_YEAR}[Qq](?P<n>[1-4])"), "quarter"),
)
EXAMPLES = "2024, 2024/25, 2024H2, 2024Q3 or ytd"

_MONTHS_DA = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    def previous(self) -> Period:
        """The period of equal length just before: whole months shift by months (the
        previous calendar year of 2024 is 2023, not 366 days back); else by days."""
        months = _whole_months(self.start, self.end)
        if months:
            start = _add_months(self.start, -months)
            return Period(start, self.start - dt.timedelta(days=1))
        days = self.end - self.start + dt.timedelta(days=1)
        return Period(self.start - days, self.start - dt.timedelta(days=1))

    def name(self, lang: str = "da") -> str:
        return period_name(self.start, self.end, lang)


def _last_of_month(day: dt.date) -> dt.date:
    return _add_months(day.replace(day=1), 1) - dt.timedelta(days=1)


def _add_months(day: dt.date, n: int) -> dt.date:
    """The first of a month, n months on (day must be the 1st)."""
    idx = day.year * 12 + day.month - 1 + n
    return dt.date(idx // 12, idx % 12 + 1, 1)


def _whole_months(start: dt.date, end: dt.date) -> int:
    if start.day != 1 or end != _last_of_month(end):
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def year_start(year: int, year_starts: str) -> dt.date:
    """The first day of the report year that begins in `year` (year_starts is MM-DD)."""
    month, day = (int(x) for x in year_starts.split("-"))
    return dt.date(year, month, day)


def parse_period(
    text: str, *, today: dt.date, year_starts: str = "01-01", option: str = "--period"
) -> Period:
    """One of the forms above; anything else is a UserError naming the option."""
    t = text.strip()
    if t.lower() == "ytd":
        start = year_start(today.year, year_starts)
        if start > today:
            start = year_start(today.year - 1, year_starts)
        return Period(start, today)
    for pattern, form in _FORMS:
        m = pattern.fullmatch(t)
        if m is None:
            continue
        y = int(m["y"])
        if not 1900 <= y <= 2999:
            raise UserError(f"{option} {text!r}: {y} is not a plausible year")
        if form == "year":
            return Period(dt.date(y, 1, 1), dt.date(y, 12, 31))
        if form == "report_year":
            if int(m["y2"]) != (y + 1) % 100:
                raise UserError(
                    f"{option} {text!r}: a report year runs into the next year; "
                    f"write {y}/{(y + 1) % 100:02d}"
                )
            if year_starts == "01-01":
                raise UserError(
                    f"{option} {text!r}: report years start on 1 January here; set "
                    f'[reports] year_starts (e.g. "10-01") or write {y}'
                )
            start = year_start(y, year_starts)
            return Period(start, year_start(y + 1, year_starts) - dt.timedelta(days=1))
        n = int(m["n"])
        span = 6 if form == "half" else 3
        first = dt.date(y, (n - 1) * span + 1, 1)
        return Period(first, _add_months(first, span) - dt.timedelta(days=1))
    raise UserError(f"{option} {text!r}: not a period; use {EXAMPLES}")


def _day(d: dt.date, lang: str, with_year: bool) -> str:
    if lang == "en":
        s = f"{d.day} {_MONTHS_EN[d.month - 1]}"
    else:
        s = f"{d.day}. {_MONTHS_DA[d.month - 1]}"
    return f"{s} {d.year}" if with_year else s


def period_name(start: dt.date, end: dt.date, lang: str = "da") -> str:
    """As the reports write it: "1. oktober 2024 – 30. september 2025"; within one year
    "1. januar – 31. december 2024"; one day alone "3. marts 2025"."""
    if start == end:
        return _day(start, lang, True)
    return f"{_day(start, lang, start.year != end.year)} – {_day(end, lang, True)}"


def day_name(d: dt.date, lang: str = "da") -> str:
    return _day(d, lang, True)
