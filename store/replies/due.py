"""Due and due-soon times of one target under one rule."""

from __future__ import annotations

import datetime as dt
import functools

from dateutil.relativedelta import relativedelta

from store.config.replies import ReplyRule
from store.replies.calendar import (
    WorkCalendar,
    add_working_times,
    add_working_times_utc_naive,
    add_working_times_utc_naive_many,
    from_wall_clock,
    wall_clock,
)


def allowance(rule: ReplyRule) -> dt.timedelta:
    """The rule's allowance as a duration (working time in workdays mode). Months have no
    fixed length and are handled in `due_times`."""
    if rule.hours is not None:
        return dt.timedelta(hours=rule.hours)
    if rule.days is not None:
        return dt.timedelta(days=rule.days)
    raise ValueError(f"rule {rule.name!r} counts months")


@functools.lru_cache(maxsize=64)
def _workday_allowances(
    hours: float | None, days: int | None, soon_hours: float
) -> tuple[dt.timedelta, dt.timedelta]:
    """(due-soon allowance, due allowance), ascending, computed once per rule."""
    total = dt.timedelta(hours=hours) if hours is not None else dt.timedelta(days=days or 0)
    return max(total - dt.timedelta(hours=soon_hours), dt.timedelta(0)), total


def due_times(
    rule: ReplyRule, received: dt.datetime, calendar: WorkCalendar
) -> tuple[dt.datetime, dt.datetime]:
    """(due_at, due_soon_at), aware UTC."""
    soon = dt.timedelta(hours=rule.due_soon_hours)
    if rule.mode == "workdays":
        walk = _workday_allowances(rule.hours, rule.days, rule.due_soon_hours)
        due_soon, due = add_working_times(received, walk, calendar)
        return due, due_soon
    received_utc = received.astimezone(dt.UTC)
    if rule.hours is not None:
        # Calendar hours are elapsed hours: exactly received + 48 h.
        due = received_utc + dt.timedelta(hours=rule.hours)
    else:
        # Calendar days and months keep the local time of day ("within 7 days").
        local = wall_clock(received)
        if rule.days is not None:
            due = from_wall_clock(local + dt.timedelta(days=rule.days))
        else:
            due = from_wall_clock(local + relativedelta(months=rule.months or 0))
    return due, max(received_utc, due - soon)


def due_times_utc_naive(
    rule: ReplyRule, received_utc: dt.datetime, calendar: WorkCalendar
) -> tuple[dt.datetime, dt.datetime]:
    """`due_times` from and to naive UTC (what the store holds), faster for workdays
    rules; the recompute of every target uses it. Equal to `due_times` (tested)."""
    if rule.mode == "workdays":
        walk = _workday_allowances(rule.hours, rule.days, rule.due_soon_hours)
        due_soon, due = add_working_times_utc_naive(received_utc, walk, calendar)
        return due, due_soon
    due, due_soon = due_times(rule, received_utc.replace(tzinfo=dt.UTC), calendar)
    return (
        due.astimezone(dt.UTC).replace(tzinfo=None),
        due_soon.astimezone(dt.UTC).replace(tzinfo=None),
    )


def due_times_utc_naive_many(
    rule: ReplyRule, received_utc: list[dt.datetime], calendar: WorkCalendar
) -> list[tuple[dt.datetime, dt.datetime]]:
    """`due_times_utc_naive` for many received times (naive UTC in and out)."""
    if rule.mode == "workdays":
        walk = _workday_allowances(rule.hours, rule.days, rule.due_soon_hours)
        return [
            (due, soon)
            for soon, due in add_working_times_utc_naive_many(received_utc, walk, calendar)
        ]
    return [due_times_utc_naive(rule, r, calendar) for r in received_utc]
