"""Due times on the Danish calendar: the issue's table of cases, and properties.

Pure computation (no database), so these also pass unchanged in CI's PostgreSQL pass.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.config.replies import Replies, ReplyRule
from store.replies.calendar import (
    WorkCalendar,
    add_working_hours,
    calendar_for,
    working_hours_between,
    working_time_between,
)
from store.replies.due import due_times
from store.timeutil import CPH

CAL = calendar_for(Replies())
NO_EXTRA = WorkCalendar(extra_closed_days=())
DAG = ReplyRule(name="dag-til-dag")


def cph(y: int, mo: int, d: int, h: int = 0, mi: int = 0, fold: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=CPH, fold=fold)


# (case, received (Copenhagen), expected due (Copenhagen wall clock))
CASES = [
    # Weekends
    ("Friday 15:00 -> Tuesday 15:00", cph(2024, 3, 8, 15), cph(2024, 3, 12, 15)),
    ("Saturday -> Tuesday 24:00", cph(2024, 3, 9, 10), cph(2024, 3, 13, 0)),
    ("Sunday late -> Tuesday 24:00", cph(2024, 3, 10, 23, 30), cph(2024, 3, 13, 0)),
    ("Monday 09:00 -> Wednesday 09:00", cph(2024, 3, 11, 9), cph(2024, 3, 13, 9)),
    ("Friday 00:00 -> Monday 24:00", cph(2024, 3, 8, 0), cph(2024, 3, 12, 0)),
    # Easter 2024: Maundy Thursday 28 Mar - Easter Monday 1 Apr closed
    ("before Easter", cph(2024, 3, 26, 15), cph(2024, 4, 2, 15)),
    ("Wednesday before Easter", cph(2024, 3, 27, 15), cph(2024, 4, 3, 15)),
    ("on Maundy Thursday", cph(2024, 3, 28, 10), cph(2024, 4, 4, 0)),
    ("on Easter Monday", cph(2024, 4, 1, 12), cph(2024, 4, 4, 0)),
    # Ascension Day 9 May 2024 (Thursday); the day after is a working day
    ("day before Ascension", cph(2024, 5, 8, 15), cph(2024, 5, 13, 15)),
    ("on Ascension Day", cph(2024, 5, 9, 11), cph(2024, 5, 14, 0)),
    ("the day after Ascension", cph(2024, 5, 10, 12), cph(2024, 5, 14, 12)),
    # Whitsun 2024: Whit Sunday 19 May, Whit Monday 20 May
    ("Friday before Whitsun", cph(2024, 5, 17, 15), cph(2024, 5, 22, 15)),
    ("Whit Monday", cph(2024, 5, 20, 9), cph(2024, 5, 23, 0)),
    # Christmas with 24 and 31 Dec closed (the default extra days)
    ("23 Dec", cph(2024, 12, 23, 9), cph(2024, 12, 30, 9)),
    ("30 Dec over New Year", cph(2024, 12, 30, 12), cph(2025, 1, 3, 12)),
    ("on Christmas Eve", cph(2024, 12, 24, 10), cph(2024, 12, 31, 0)),
    # Store bededag: a closed day in 2023 (5 May), a working day in 2024 (26 Apr)
    ("Store bededag 2023", cph(2023, 5, 4, 12), cph(2023, 5, 9, 12)),
    ("former Store bededag 2024", cph(2024, 4, 25, 12), cph(2024, 4, 29, 12)),
    # Both DST changes, 2025 spring (30 Mar) and 2024 autumn (27 Oct)
    ("spring DST weekend", cph(2025, 3, 28, 15), cph(2025, 4, 1, 15)),
    ("Saturday in spring DST weekend", cph(2025, 3, 29, 12), cph(2025, 4, 2, 0)),
    ("autumn DST weekend", cph(2024, 10, 25, 15), cph(2024, 10, 29, 15)),
    ("in the repeated hour", cph(2024, 10, 27, 2, 30, fold=1), cph(2024, 10, 30, 0)),
    ("in the skipped hour", cph(2025, 3, 30, 2, 30), cph(2025, 4, 2, 0)),
    # 23:59 the day before a holiday
    ("23:59 before Easter", cph(2024, 3, 27, 23, 59), cph(2024, 4, 3, 23, 59)),
    ("23:59 before Store bededag 2023", cph(2023, 5, 4, 23, 59), cph(2023, 5, 9, 23, 59)),
    ("23:59 before Constitution Day", cph(2024, 6, 4, 23, 59), cph(2024, 6, 7, 23, 59)),
]


@pytest.mark.parametrize(("case", "received", "due"), CASES, ids=[c[0] for c in CASES])
def test_due_time(case: str, received: dt.datetime, due: dt.datetime) -> None:
    got, _soon = due_times(DAG, received, CAL)
    assert got.astimezone(CPH).replace(tzinfo=None) == due.replace(tzinfo=None, fold=0), case
    assert got == due
    # Whatever the clocks did, exactly 48 working hours lie between.
    assert working_hours_between(received, got, CAL) == 48


def test_dst_weekends_keep_the_wall_clock_time_not_the_elapsed_hours() -> None:
    spring, _ = due_times(DAG, cph(2025, 3, 28, 15), CAL)
    assert (spring - cph(2025, 3, 28, 15)) == dt.timedelta(hours=95)  # 96 h less the lost hour
    autumn, _ = due_times(DAG, cph(2024, 10, 25, 15), CAL)
    assert (autumn - cph(2024, 10, 25, 15)) == dt.timedelta(hours=97)


def test_christmas_without_extra_closed_days() -> None:
    # 24 Dec counts when a municipality does not close on it.
    assert add_working_hours(cph(2024, 12, 23, 9), 48, NO_EXTRA) == cph(2024, 12, 27, 9)
    assert add_working_hours(cph(2024, 6, 4, 12), 48, NO_EXTRA) == cph(2024, 6, 6, 12)


def test_one_off_closing_day_from_config() -> None:
    cal = calendar_for(Replies(closed_dates=[dt.date(2024, 5, 10)]))
    assert add_working_hours(cph(2024, 5, 8, 15), 48, cal) == cph(2024, 5, 14, 15)


def test_workers_day_is_not_closed_by_default() -> None:
    # holidays' "optional" category has 1 May too; only the configured extra days close.
    assert not CAL.is_closed(dt.date(2024, 5, 1))
    assert CAL.is_closed(dt.date(2024, 12, 24)) and CAL.is_closed(dt.date(2024, 6, 5))


def test_due_soon_is_eight_working_hours_before_due() -> None:
    due, soon = due_times(DAG, cph(2024, 3, 26, 15), CAL)
    assert soon == cph(2024, 4, 2, 7)
    assert working_hours_between(soon, due, CAL) == 8


def test_statutory_rules() -> None:
    rules = {r.name: r for r in Replies().rules}
    # Access request: 7 working days = 168 working hours.
    due, _ = due_times(rules["aktindsigt"], cph(2024, 3, 4, 10), CAL)
    assert due == cph(2024, 3, 13, 10)
    due, _ = due_times(rules["aktindsigt"], cph(2024, 3, 25, 10), CAL)
    assert due == cph(2024, 4, 8, 10)  # Easter does not run the clock
    # Whistleblower: 7 calendar days (same local time across DST) and 3 months.
    due, _ = due_times(rules["whistleblower-kvittering"], cph(2024, 3, 28, 10), CAL)
    assert due == cph(2024, 4, 4, 10)
    due, _ = due_times(rules["whistleblower-feedback"], cph(2024, 11, 30, 10), CAL)
    assert due == cph(2025, 2, 28, 10)


# --------------------------------------------------------------------------- properties

instants = st.datetimes(
    min_value=dt.datetime(2019, 1, 1),
    max_value=dt.datetime(2030, 12, 31),
    timezones=st.just(dt.UTC),
)
hours = st.integers(min_value=0, max_value=400)


@settings(max_examples=300, deadline=None)
@given(received=instants, h=hours)
def test_due_is_not_before_received(received: dt.datetime, h: int) -> None:
    assert add_working_hours(received, h, CAL) >= received


@settings(max_examples=300, deadline=None)
@given(a=instants, b=instants)
def test_due_is_monotone_in_received_time(a: dt.datetime, b: dt.datetime) -> None:
    a, b = min(a, b), max(a, b)
    da, _ = due_times(DAG, a, CAL)
    db, _ = due_times(DAG, b, CAL)
    assert da <= db


@settings(max_examples=300, deadline=None)
@given(received=instants, h=st.integers(min_value=1, max_value=400))
def test_calendar_mode_is_plain_elapsed_hours(received: dt.datetime, h: int) -> None:
    rule = ReplyRule(name="cal", hours=h, mode="calendar")
    due, soon = due_times(rule, received, CAL)
    assert due == received + dt.timedelta(hours=h)
    assert soon <= due


@settings(max_examples=300, deadline=None)
@given(received=instants, h=hours, minutes=st.integers(min_value=0, max_value=59))
def test_working_time_between_received_and_due_is_the_allowance(
    received: dt.datetime, h: int, minutes: int
) -> None:
    allowance = dt.timedelta(hours=h, minutes=minutes)
    due = add_working_hours(received, allowance / dt.timedelta(hours=1), CAL)
    assert working_time_between(received, due, CAL) == allowance


@settings(max_examples=200, deadline=None)
@given(received=instants)
def test_48_working_hours_under_the_default_rule(received: dt.datetime) -> None:
    due, soon = due_times(DAG, received, CAL)
    assert working_hours_between(received, due, CAL) == 48
    assert received <= soon <= due


@settings(max_examples=400, deadline=None)
@given(received=instants, rule_i=st.integers(min_value=0, max_value=3))
def test_recompute_fast_path_equals_due_times(received: dt.datetime, rule_i: int) -> None:
    # recompute's naive-UTC path (per-date offsets) must give exactly the stored values
    # the exact path gives, across DST and for every default rule.
    from store.replies.due import due_times_utc_naive

    rule = Replies().rules[rule_i]
    due, soon = due_times(rule, received, CAL)
    fast_due, fast_soon = due_times_utc_naive(rule, received.replace(tzinfo=None), CAL)
    assert fast_due == due.astimezone(dt.UTC).replace(tzinfo=None)
    assert fast_soon == soon.astimezone(dt.UTC).replace(tzinfo=None)


@pytest.mark.parametrize("received", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_recompute_fast_path_on_the_table(received: dt.datetime) -> None:
    from store.replies.due import due_times_utc_naive

    due, soon = due_times(DAG, received, CAL)
    assert due_times_utc_naive(DAG, received.astimezone(dt.UTC).replace(tzinfo=None), CAL) == (
        due.astimezone(dt.UTC).replace(tzinfo=None),
        soon.astimezone(dt.UTC).replace(tzinfo=None),
    )


def _walked(start: dt.datetime, end: dt.datetime, cal: WorkCalendar) -> dt.timedelta:
    """The definition, day by day: working time in [start, end] on the wall clock."""
    if end <= start:
        return dt.timedelta(0)
    a = start.astimezone(CPH).replace(tzinfo=None)
    b = end.astimezone(CPH).replace(tzinfo=None)
    total, day = dt.timedelta(0), a.date()
    while day <= b.date():
        if not cal.is_closed(day):
            lo = max(a, dt.datetime.combine(day, dt.time()))
            hi = min(b, dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
            total += max(hi - lo, dt.timedelta(0))
        day += dt.timedelta(days=1)
    return total


@settings(max_examples=400, deadline=None)
@given(start=instants, span=st.integers(min_value=-3, max_value=3 * 366 * 24 * 60))
def test_working_time_between_equals_the_day_by_day_definition(
    start: dt.datetime, span: int
) -> None:
    # The running-count arithmetic (spans of years: the follow-up screen counts down to
    # targets overdue for years) against the walk it replaced, across DST, holidays,
    # year ends and the configured closing days.
    end = start + dt.timedelta(minutes=span)
    assert working_time_between(start, end, CAL) == _walked(start, end, CAL)
    assert working_time_between(start, end, NO_EXTRA) == _walked(start, end, NO_EXTRA)


@settings(max_examples=150, deadline=None)
@given(
    received=st.lists(instants, min_size=1, max_size=40),
    rule_i=st.integers(min_value=0, max_value=3),
    allowance_h=st.integers(min_value=1, max_value=200),
)
def test_bulk_due_times_equal_due_times(
    received: list[dt.datetime], rule_i: int, allowance_h: int
) -> None:
    """The bulk path's per-hour batch equals the exact path for every default rule and a
    random workdays allowance; starts share hours and days (the batch caches per hour)."""
    from store.replies.due import due_times_utc_naive_many

    starts = [r.replace(tzinfo=None) for r in received]
    starts += [s + dt.timedelta(minutes=m) for s in starts[:5] for m in (1, 59, 61, 1440)]
    rules = [
        Replies().rules[rule_i],
        ReplyRule(name="h", hours=allowance_h, due_soon_hours=allowance_h % 30),
    ]
    for rule in rules:
        got = due_times_utc_naive_many(rule, starts, CAL)
        for s, (due_n, soon_n) in zip(starts, got, strict=True):
            due, soon = due_times(rule, s.replace(tzinfo=dt.UTC), CAL)
            assert due_n == due.astimezone(dt.UTC).replace(tzinfo=None)
            assert soon_n == soon.astimezone(dt.UTC).replace(tzinfo=None)


@pytest.mark.parametrize("received", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_bulk_due_times_on_the_table(received: dt.datetime) -> None:
    from store.replies.due import due_times_utc_naive_many

    due, soon = due_times(DAG, received, CAL)
    naive_utc = received.astimezone(dt.UTC).replace(tzinfo=None)
    assert (
        due_times_utc_naive_many(DAG, [naive_utc, naive_utc], CAL)
        == [
            (
                due.astimezone(dt.UTC).replace(tzinfo=None),
                soon.astimezone(dt.UTC).replace(tzinfo=None),
            )
        ]
        * 2
    )


@pytest.mark.parametrize("allowance_h", [1, 8, 23, 24, 25, 40, 47, 48, 72, 100])
def test_bulk_due_times_minute_by_minute(allowance_h: int) -> None:
    """The bulk path reuses an hour's results for the starts inside it where that is
    exact: every minute (and a few seconds) of days around a holiday weekend, the
    summer-time changes and a year end equal the walk, for allowances whose due times
    fall on local midnights in some hours and not in others."""
    from store.replies.due import due_times_utc_naive_many

    rule = ReplyRule(name="h", hours=allowance_h, due_soon_hours=allowance_h % 7)
    starts: list[dt.datetime] = []
    for first in (
        dt.datetime(2024, 3, 27, 20),
        dt.datetime(2024, 10, 25, 20),
        dt.datetime(2024, 12, 30, 20),
        dt.datetime(2025, 4, 16, 20),
    ):
        starts += [first + dt.timedelta(minutes=m) for m in range(0, 4 * 24 * 60, 7)]
        starts += [
            first + dt.timedelta(hours=h, seconds=sec) for h in range(96) for sec in (0, 1, 3599)
        ]
    got = due_times_utc_naive_many(rule, starts, CAL)
    for s, (due_n, soon_n) in zip(starts, got, strict=True):
        due, soon = due_times(rule, s.replace(tzinfo=dt.UTC), CAL)
        assert (due_n, soon_n) == (
            due.astimezone(dt.UTC).replace(tzinfo=None),
            soon.astimezone(dt.UTC).replace(tzinfo=None),
        ), s
