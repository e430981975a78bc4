"""store.dateinput: the one reader of typed dates and times (register import, CLI, desk)."""

from __future__ import annotations

import datetime as dt

import pytest

from store.dateinput import parse_moment, read_date, read_moment
from store.errors import UserError

UTC = dt.UTC


@pytest.mark.parametrize(
    "text, want",
    [
        ("01-12-2026", dt.date(2026, 12, 1)),
        ("2026-12-01", dt.date(2026, 12, 1)),
        ("1.12.2026", dt.date(2026, 12, 1)),
        (" 01/12/2026 ", dt.date(2026, 12, 1)),
    ],
)
def test_dates_day_first_or_iso(text: str, want: dt.date) -> None:
    assert read_date(text, "--from") == want


@pytest.mark.parametrize(
    "text, want",
    [
        # Winter time (+01:00) and summer time (+02:00).
        ("01-12-2026 10:30", dt.datetime(2026, 12, 1, 9, 30, tzinfo=UTC)),
        ("2026-06-01T10:30", dt.datetime(2026, 6, 1, 8, 30, tzinfo=UTC)),
        # The autumn's repeated hour: the first (summer-time) 02:30.
        ("25-10-2026 02:30", dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        # An explicit offset wins over Copenhagen time.
        ("2026-12-01 10:30+00:00", dt.datetime(2026, 12, 1, 10, 30, tzinfo=UTC)),
        ("01-12-2026", dt.datetime(2026, 11, 30, 23, 0, tzinfo=UTC)),
    ],
)
def test_moments_are_copenhagen_time_unless_they_say_otherwise(
    text: str, want: dt.datetime
) -> None:
    assert read_moment(text, "--at") == want


def test_the_local_date_of_a_moment_is_copenhagens() -> None:
    # 00:30 on New Year's Day in Copenhagen is still the 31st in UTC.
    moment, day = parse_moment("01-01-2026 00:30")
    assert moment.date() == dt.date(2025, 12, 31) and day == dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    "text", ["32-12-2026", "12-2026", "2026-02-30", "tomorrow", "01-12-2026 25:00", ""]
)
def test_a_bad_value_names_the_field(text: str) -> None:
    with pytest.raises(UserError) as e:
        read_moment(text, "--at")
    assert str(e.value).startswith(f"--at {text!r}: not a date and time; use DD-MM-YYYY")
    assert e.value.code == "bad_moment" and e.value.params["field"] == "--at"


@pytest.mark.parametrize("text", ["01-01-0001 00:30", "0001-01-01", "31-12-9999 23:59"])
def test_a_year_outside_1900_to_2999_is_a_typo_not_a_crash(text: str) -> None:
    # Copenhagen's 01-01-0001 00:30 has no UTC moment: it raised OverflowError (a traceback
    # from `contact add --at` and from a register's contact_at), and 9999 was registered.
    with pytest.raises(UserError) as e:
        read_moment(text, "--at")
    assert str(e.value).startswith(f"--at {text!r}: not a date and time")
    with pytest.raises(ValueError, match="years 1900 to 2999"):
        parse_moment(text)
