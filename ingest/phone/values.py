"""Reading one cell: durations, dates, times of day, phone numbers.

Each function takes the raw cell (text from CSV, a typed value from XLSX) and the column
name, and returns the value or raises `RowError` naming column, value and reason.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from store.addresses import HIDDEN_NUMBERS, normalise_phone

UTC = dt.UTC


class RowError(Exception):
    def __init__(self, column: str, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.value = "" if value is None else str(value)
        self.reason = reason


def cell_str(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def parse_duration(v: Any, column: str) -> int:
    """Seconds as "125", "125,0", "02:05" (mm:ss) or "1:02:05" (h:mm:ss); XLSX times and
    numbers too. Fractions round to the nearest second."""
    if isinstance(v, bool):
        raise RowError(column, v, "not a duration")
    if isinstance(v, int):
        if v < 0:
            raise RowError(column, v, "a negative duration")
        return v
    if isinstance(v, float):
        if v != v or v < 0:  # NaN or negative
            raise RowError(column, v, "not a duration (seconds or mm:ss)")
        return round(v)
    if isinstance(v, dt.time):
        return v.hour * 3600 + v.minute * 60 + v.second
    if isinstance(v, dt.timedelta):
        return round(v.total_seconds())
    s = cell_str(v)
    if s.isdigit() and s.isascii():
        return int(s)
    if ":" in s:
        parts = s.split(":")
        if 2 <= len(parts) <= 3 and all(p.isdigit() and p.isascii() for p in parts):
            nums = [int(p) for p in parts]
            if all(n < 60 for n in nums[1:]):
                total = 0
                for n in nums:
                    total = total * 60 + n
                return total
        raise RowError(column, v, "not a duration (seconds, mm:ss or h:mm:ss)")
    t = s.replace(",", ".")
    if t and t.replace(".", "", 1).isdigit() and t.isascii():
        return round(float(t))
    raise RowError(column, v, "not a duration (seconds or mm:ss)" if s else "empty duration")


_DATE_RE = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DK_DATETIME_RE = re.compile(
    r"^(\d{1,2})[-.](\d{1,2})[-.](\d{4})[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$"
)


def parse_dk_date(v: Any, column: str) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = cell_str(v)
    m = _DATE_RE.match(s)
    try:
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        m = _ISO_DATE_RE.match(s)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise RowError(column, v, "no such date") from None
    raise RowError(column, v, "not a date (dd-mm-yyyy)" if s else "empty date")


def clock(v: Any, column: str) -> tuple[int, int, int]:
    """(hour, minute, second) of "hh:mm:ss" / "hh:mm" text or an XLSX time."""
    if type(v) is str and len(v) == 8 and v[2] == ":" and v[5] == ":" and v.isascii():
        a, b, c = v[0:2], v[3:5], v[6:8]
        if a.isdigit() and b.isdigit() and c.isdigit():
            h, m, s = int(a), int(b), int(c)
            if h < 24 and m < 60 and s < 60:
                return h, m, s
            raise RowError(column, v, "no such time of day")
    t = parse_clock(v, column)
    return t.hour, t.minute, t.second


def parse_clock(v: Any, column: str) -> dt.time:
    if isinstance(v, dt.datetime):
        return v.time().replace(microsecond=0)
    if isinstance(v, dt.time):
        return v.replace(microsecond=0)
    s = cell_str(v)
    parts = s.split(":")
    if 2 <= len(parts) <= 3 and all(p.isdigit() and p.isascii() and len(p) <= 2 for p in parts):
        nums = [int(p) for p in parts]
        try:
            return dt.time(nums[0], nums[1], nums[2] if len(nums) == 3 else 0)
        except ValueError:
            raise RowError(column, v, "no such time of day") from None
    raise RowError(column, v, "not a time of day (hh:mm or hh:mm:ss)" if s else "empty time")


class InternalNumber(Exception):
    """The counterpart is an internal extension or a short service number (a colleague,
    1813): not a citizen's call. The row is set aside and counted, like other lines."""


INTERNAL_MAX_DIGITS = 6  # Danish subscriber numbers have 8 digits


def parse_number(v: Any, column: str, region: str) -> tuple[str | None, str | None]:
    """(raw, E.164). Hidden numbers give (raw, None); a short all-digit number raises
    `InternalNumber`; anything else that is not a number is a row error."""
    raw = cell_str(v)
    if raw.casefold() in HIDDEN_NUMBERS:
        return raw or None, None
    e164 = normalise_phone(raw, region)
    if e164 is None:
        digits = raw.replace(" ", "")
        if digits.isdigit() and digits.isascii() and len(digits) <= INTERNAL_MAX_DIGITS:
            raise InternalNumber(raw)
        raise RowError(column, v, "not a phone number (nor 'Skjult nummer')")
    return raw, e164


def parse_utc_time(v: Any, column: str) -> dt.datetime:
    """An ISO date-time (Teams: UTC; a time without offset is taken as UTC)."""
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)
    s = cell_str(v)
    if not s:
        raise RowError(column, v, "empty time")
    try:
        t = dt.datetime.fromisoformat(s.replace(" UTC", "Z"))
    except ValueError:
        # The export opened and saved again in a Danish Excel: "01-10-2024 07:15(:00)".
        # Excel rewrites the format, not the zone, so the time is still UTC.
        m = _DK_DATETIME_RE.match(s)
        if m is None:
            raise RowError(column, v, "not an ISO date-time (e.g. 2024-10-27T00:30:00Z)") from None
        try:
            t = dt.datetime(int(m[3]), int(m[2]), int(m[1]), int(m[4]), int(m[5]), int(m[6] or 0))
        except ValueError:
            raise RowError(column, v, "no such date or time") from None
    # Teams writes UTC; a time without an offset is taken as UTC, as the export documents.
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
