"""One-line explanations of a target's due time and status.

"due Tue 2 Apr 15:00: 48 working hours from Tue 26 Mar 15:00; 28 Mar–1 Apr are Easter
holidays". Day and month names are fixed English abbreviations, not the locale's: the
line must read the same on every machine and in every test.
"""

from __future__ import annotations

import datetime as dt
import functools

from store.config.replies import ReplyRule
from store.replies.calendar import DAY, WorkCalendar, wall_clock

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Holidays that read as one period ("28 Mar–1 Apr are Easter holidays").
_GROUPS = {
    "Maundy Thursday": "Easter",
    "Good Friday": "Easter",
    "Easter Sunday": "Easter",
    "Easter Monday": "Easter",
    "Christmas Eve": "Christmas",
    "Christmas Day": "Christmas",
    "Second Day of Christmas": "Christmas",
    "New Year's Eve": "Christmas",
    "New Year's Day": "Christmas",
    "Whit Sunday": "Whitsun",
    "Whit Monday": "Whitsun",
    "Pentecost": "Whitsun",
    "Pentecost Monday": "Whitsun",
}
_RENAME = {"Great Prayer Day": "Store bededag"}


def fmt_day(d: dt.date, *, year: bool = False) -> str:
    s = f"{d.day} {_MONTHS[d.month - 1]}"
    return f"{s} {d.year}" if year else s


def fmt_moment(moment: dt.datetime, *, year: bool = False, midnight_as_24: bool = False) -> str:
    """'Tue 2 Apr 15:00' in Copenhagen time; a working-time due at local midnight reads
    as the previous day's 24:00 ('Tue 26 Mar 24:00'), as the rule is phrased."""
    return fmt_local(wall_clock(moment), year=year, midnight_as_24=midnight_as_24)


def fmt_local(local: dt.datetime, *, year: bool = False, midnight_as_24: bool = False) -> str:
    """`fmt_moment` for a naive Copenhagen wall-clock time."""
    if midnight_as_24 and local.time() == dt.time(0) and local.second == 0:
        d = local.date() - DAY
        return f"{_DAYS[d.weekday()]} {fmt_day(d, year=year)} 24:00"
    d = local.date()
    return f"{_DAYS[d.weekday()]} {fmt_day(d, year=year)} {local:%H:%M}"


def fmt_range(first: dt.date, last: dt.date) -> str:
    if first == last:
        return fmt_day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{fmt_day(last)}"
    return f"{fmt_day(first)}–{fmt_day(last)}"


@functools.lru_cache(maxsize=256)
def _allowance_text(mode: str, hours: float | None, days: int | None, months: int | None) -> str:
    def n(x: float) -> str:
        return f"{x:g}"

    if mode == "workdays":
        if hours is not None:
            return f"{n(hours)} working hours"
        return f"{days} working days"
    if hours is not None:
        return f"{n(hours)} hours"
    if days is not None:
        return f"{days} calendar days"
    return f"{months} months"


def describe_allowance(rule: ReplyRule) -> str:
    return _allowance_text(rule.mode, rule.hours, rule.days, rule.months)


def _runs(first: dt.date, last: dt.date, cal: WorkCalendar) -> list[list[dt.date]]:
    runs: list[list[dt.date]] = []
    for d in cal.closed_between(first, last):
        if runs and runs[-1][-1] + DAY == d:
            runs[-1].append(d)
        else:
            runs.append([d])
    return runs


def closed_clause(received: dt.datetime, due: dt.datetime, cal: WorkCalendar) -> str:
    """Which closed days the clock stood still on between receipt and due time."""
    return _clause_local(wall_clock(received), wall_clock(due), cal)


def _clause_local(received: dt.datetime, due: dt.datetime, cal: WorkCalendar) -> str:
    last = due.date()
    if due.time() == dt.time(0):
        last -= DAY  # due at midnight: the due day itself was not counted
    return _closed_clause(received.date(), last, cal)


@functools.lru_cache(maxsize=20_000)
def _closed_clause(first: dt.date, last: dt.date, cal: WorkCalendar) -> str:
    # Cached: a queue of thousands of targets has only a few hundred date pairs.
    parts: list[str] = []
    weekends: list[list[dt.date]] = []
    for run in _runs(first, last, cal):
        names = [_RENAME.get(n, n) for d in run if (n := cal.holiday_name(d) or "")]
        if not names:
            weekends.append(run)
            continue
        span = fmt_range(run[0], run[-1])
        groups = {_GROUPS.get(n) for n in names}
        if len(run) == 1:
            parts.append(f"{span} is {names[0]}")
        elif len(groups) == 1 and None not in groups:
            parts.append(f"{span} are {groups.pop()} holidays")
        else:
            extra = ", weekend" if len(names) < len(run) else ""
            parts.append(f"{span} closed ({', '.join(dict.fromkeys(names))}{extra})")
    if len(weekends) == 1:
        parts.append(f"weekend {fmt_range(weekends[0][0], weekends[0][-1])} not counted")
    elif weekends:
        parts.append(f"{len(weekends)} weekends not counted")
    return "; ".join(parts)


def explain_due(rule: ReplyRule, received: dt.datetime, due: dt.datetime, cal: WorkCalendar) -> str:
    """'due Tue 2 Apr 15:00: 48 working hours from Tue 26 Mar 15:00; 28 Mar–1 Apr are
    Easter holidays'. Cached per (allowance, received, due, calendar): screens refresh
    the same rows over and over."""
    return _explain_due(describe_allowance(rule), rule.mode == "workdays", received, due, cal)


@functools.lru_cache(maxsize=100_000)
def _explain_due(
    allowance: str, workdays: bool, received: dt.datetime, due: dt.datetime, cal: WorkCalendar
) -> str:
    # Each moment is converted to Copenhagen time once (a cold queue explains every row).
    rec, due_l = wall_clock(received), wall_clock(due)
    years = rec.year != due_l.year
    text = (
        f"due {fmt_local(due_l, year=years, midnight_as_24=workdays)}: "
        f"{allowance} from {fmt_local(rec, year=years)}"
    )
    if workdays:
        clause = _clause_local(rec, due_l, cal)
        if clause:
            text += f"; {clause}"
    return text


_HOW = {
    ("email", "out"): "outbound e-mail",
    ("phone", "out"): "outbound call",
    ("phone", "in"): "answered call",
    ("letter", "out"): "letter",
    ("meeting", "out"): "meeting",
    ("meeting", "in"): "meeting",
    ("home_visit", "out"): "home visit",
    ("home_visit", "in"): "home visit",
}


def describe_met(
    *,
    late: bool,
    met_at: dt.datetime | None,
    by_id: int | None,
    by_channel: str | None,
    by_direction: str | None,
    note: str | None,
    due_text: str,
    ref_year: int | None = None,
) -> str:
    """'met Mon 25 Mar 09:00 by outbound e-mail #12; due Tue 26 Mar 15:00: ...'."""
    if by_id is not None:
        how = f"by {_HOW.get((by_channel or '', by_direction or ''), 'contact')} #{by_id}"
    else:
        how = "by manual acknowledgement" + (f" ({note})" if note else "")
    when = "?"
    if met_at is not None:
        when = fmt_moment(met_at, year=ref_year is not None and wall_clock(met_at).year != ref_year)
    return f"{'met late' if late else 'met'} {when} {how}; {due_text}"
