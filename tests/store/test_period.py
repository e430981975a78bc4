"""The period grammar (`--period`), its Danish and English names, and the previous period
that the key figures compare with."""

from __future__ import annotations

import datetime as dt

import pytest

from store.counts.period import Period, parse_period, period_name
from store.errors import UserError
from store.timeutil import period_bounds

D = dt.date
TODAY = D(2025, 3, 15)


@pytest.mark.parametrize(
    ("text", "year_starts", "start", "end"),
    [
        ("2024", "01-01", D(2024, 1, 1), D(2024, 12, 31)),
        ("2024", "10-01", D(2024, 1, 1), D(2024, 12, 31)),  # a year is a calendar year
        # Oct–Sep across the leap day of 2024, and one without
        ("2023/24", "10-01", D(2023, 10, 1), D(2024, 9, 30)),
        ("2024/25", "10-01", D(2024, 10, 1), D(2025, 9, 30)),
        ("1999/00", "10-01", D(1999, 10, 1), D(2000, 9, 30)),
        ("2024/25", "08-01", D(2024, 8, 1), D(2025, 7, 31)),
        ("2024/25", "03-01", D(2024, 3, 1), D(2025, 2, 28)),  # ends the day before 1 March
        ("2023/24", "03-01", D(2023, 3, 1), D(2024, 2, 29)),  # ... on the leap day
        ("2024H1", "01-01", D(2024, 1, 1), D(2024, 6, 30)),
        ("2024h2", "01-01", D(2024, 7, 1), D(2024, 12, 31)),
        ("2024Q1", "01-01", D(2024, 1, 1), D(2024, 3, 31)),
        ("2024Q3", "01-01", D(2024, 7, 1), D(2024, 9, 30)),
        ("2024q4", "01-01", D(2024, 10, 1), D(2024, 12, 31)),
        (" 2024Q2 ", "01-01", D(2024, 4, 1), D(2024, 6, 30)),
        ("ytd", "01-01", D(2025, 1, 1), TODAY),
        ("YTD", "10-01", D(2024, 10, 1), TODAY),  # report year so far
        ("ytd", "03-15", D(2025, 3, 15), TODAY),  # starts today
        ("ytd", "03-16", D(2024, 3, 16), TODAY),
    ],
)
def test_grammar(text: str, year_starts: str, start: dt.date, end: dt.date) -> None:
    assert parse_period(text, today=TODAY, year_starts=year_starts) == Period(start, end)


@pytest.mark.parametrize(
    ("text", "year_starts", "needle"),
    [
        ("2024/26", "10-01", "write 2024/25"),
        ("2024/25", "01-01", "report years start on 1 January here"),
        ("2024Q5", "01-01", "not a period; use 2024, 2024/25, 2024H2, 2024Q3 or ytd"),
        ("2024H3", "01-01", "not a period"),
        ("24", "01-01", "not a period"),
        ("", "01-01", "not a period"),
        ("0999", "01-01", "not a plausible year"),
        ("sidste år", "01-01", "not a period"),
    ],
)
def test_bad_periods_say_what_to_write(text: str, year_starts: str, needle: str) -> None:
    with pytest.raises(UserError, match="--period") as e:
        parse_period(text, today=TODAY, year_starts=year_starts)
    assert needle in str(e.value)


@pytest.mark.parametrize(
    ("start", "end", "da", "en"),
    [
        (
            D(2024, 10, 1),
            D(2025, 9, 30),
            "1. oktober 2024 – 30. september 2025",
            "1 October 2024 – 30 September 2025",
        ),
        (
            D(2024, 1, 1),
            D(2024, 12, 31),
            "1. januar – 31. december 2024",
            "1 January – 31 December 2024",
        ),
        (
            D(2021, 8, 1),
            D(2021, 12, 31),
            "1. august – 31. december 2021",
            "1 August – 31 December 2021",
        ),
        (D(2025, 3, 3), D(2025, 3, 3), "3. marts 2025", "3 March 2025"),
    ],
)
def test_period_names(start: dt.date, end: dt.date, da: str, en: str) -> None:
    assert period_name(start, end, "da") == da
    assert period_name(start, end, "en") == en


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        (Period(D(2024, 1, 1), D(2024, 12, 31)), Period(D(2023, 1, 1), D(2023, 12, 31))),
        (Period(D(2024, 10, 1), D(2025, 9, 30)), Period(D(2023, 10, 1), D(2024, 9, 30))),
        (Period(D(2024, 3, 1), D(2024, 3, 31)), Period(D(2024, 2, 1), D(2024, 2, 29))),
        (Period(D(2024, 7, 1), D(2024, 12, 31)), Period(D(2024, 1, 1), D(2024, 6, 30))),
        (Period(D(2021, 8, 1), D(2021, 12, 31)), Period(D(2021, 3, 1), D(2021, 7, 31))),
        # not whole months: the same number of days just before
        (Period(D(2025, 1, 1), D(2025, 3, 15)), Period(D(2024, 10, 19), D(2024, 12, 31))),
    ],
)
def test_previous_period_of_equal_length(period: Period, previous: Period) -> None:
    assert period.previous() == previous


def test_report_year_edges_hold_across_dst() -> None:
    """An Oct–Sep year begins and ends in summer time, and passes both changes: its UTC
    bounds are the Copenhagen midnights, so a contact at 00:30 on 1 October (22:30 UTC
    the day before) is inside, and one at 23:30 on 30 September is inside too."""
    p = parse_period("2024/25", today=TODAY, year_starts="10-01")
    lo, hi = period_bounds(p.start, p.end)
    assert lo == dt.datetime(2024, 9, 30, 22, 0, tzinfo=dt.UTC)  # CEST, +2
    assert hi == dt.datetime(2025, 9, 30, 22, 0, tzinfo=dt.UTC)
    q4 = parse_period("2024Q4", today=TODAY)
    lo, hi = period_bounds(q4.start, q4.end)
    assert lo == dt.datetime(2024, 9, 30, 22, 0, tzinfo=dt.UTC)  # still summer time
    assert hi == dt.datetime(2024, 12, 31, 23, 0, tzinfo=dt.UTC)  # winter time, +1
