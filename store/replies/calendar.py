"""Working-time arithmetic on the Danish municipal calendar.

A working day is a weekday that is neither a Danish public holiday (`holidays`, DK,
category "public": Store bededag up to 2023 only) nor a configured closed day (by default
24 Dec, 31 Dec and 5 Jun, the days municipal offices usually close).

Working time is counted in local (Europe/Copenhagen) wall-clock days: every working day
contributes exactly 24 working hours, from its local midnight to the next, also on the
two days a year that have 23 or 25 real hours. So a mail received Friday 15:00 with 48
working hours is due Tuesday 15:00, whatever the clocks did over the weekend, and one
received on Saturday is due Tuesday 24:00 (Wednesday 00:00 local).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

from store.config import Config
from store.config.replies import Replies
from store.timeutil import CPH

DAY = dt.timedelta(days=1)
ZERO = dt.timedelta(0)

# Names of the optional-category days, used only to label configured extra closed days.
_OPTIONAL_NAMES = {"12-24": "Christmas Eve", "12-31": "New Year's Eve", "06-05": "Constitution Day"}


class WorkCalendar:
    """Closed days for one configuration. Cheap to build; caches per year."""

    def __init__(
        self,
        *,
        extra_closed_days: Iterable[str] = ("12-24", "12-31", "06-05"),
        closed_dates: Iterable[dt.date] = (),
    ) -> None:
        self.extra_closed_days = tuple(sorted(set(extra_closed_days)))
        self.closed_dates = frozenset(closed_dates)
        self._years: dict[int, dict[dt.date, str]] = {}
        self._next_open: dict[dt.date, dt.date] = {}
        self._offsets: dict[dt.date, dt.timedelta] = {}
        self._open_after: dict[tuple[dt.date, int], dt.date] = {}
        self._utc_offsets: dict[tuple[dt.date, int], dt.timedelta] = {}
        self._closed: dict[dt.date, bool] = {}
        self._open_cum: dict[int, list[int]] = {}
        self._open_midnight: dict[tuple[dt.date, int], dt.datetime] = {}

    def fingerprint(self) -> str:
        """Identifies the closed-day set (for caches and recompute reports)."""
        return f"{self.extra_closed_days}|{sorted(self.closed_dates)}"

    def _year(self, year: int) -> dict[dt.date, str]:
        days = self._years.get(year)
        if days is None:
            # Imported on first use: `import holidays` loads every country's calendar
            # (~100-300 ms), and the desk's first page and most commands never need one.
            import holidays

            days = {}
            for d, name in holidays.country_holidays(
                "DK", years=year, categories=("public",), language="en_US"
            ).items():
                days[d] = str(name)
            for md in self.extra_closed_days:
                try:
                    d = dt.date.fromisoformat(f"{year:04d}-{md}")
                except ValueError:  # 02-29 in a common year
                    continue
                days.setdefault(d, _OPTIONAL_NAMES.get(md, "closing day"))
            for d in self.closed_dates:
                if d.year == year:
                    days.setdefault(d, "closing day")
            self._years[year] = days
        return days

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday or closing-day name of `day`, None for weekdays and weekends."""
        return self._year(day.year).get(day)

    def is_closed(self, day: dt.date) -> bool:
        found = self._closed.get(day)
        if found is None:
            found = self._closed[day] = day.weekday() >= 5 or day in self._year(day.year)
        return found

    def next_open(self, day: dt.date) -> dt.date:
        """The first working day on or after `day` (memoised: recompute asks this for
        the same few thousand days hundreds of thousands of times)."""
        found = self._next_open.get(day)
        if found is None:
            found = day
            while self.is_closed(found):
                found += DAY
            self._next_open[day] = found
        return found

    def open_after(self, day: dt.date, j: int) -> dt.date:
        """The j-th working day after `day` (j >= 1), memoised."""
        key = (day, j)
        found = self._open_after.get(key)
        if found is None:
            found = day
            for _ in range(j):
                found = self.next_open(found + DAY)
            self._open_after[key] = found
        return found

    def open_midnight_after(self, day: dt.date, j: int) -> dt.datetime:
        """The midnight starting the j-th working day after `day` (memoised: due times
        for a bulk import end on the same few hundred days)."""
        key = (day, j)
        found = self._open_midnight.get(key)
        if found is None:
            found = self._open_midnight[key] = dt.datetime.combine(
                self.open_after(day, j), dt.time()
            )
        return found

    def utc_offset_of_utc(self, naive_utc: dt.datetime) -> dt.timedelta:
        """Copenhagen's UTC offset at a naive UTC moment, cached per UTC hour (the zone
        only changes offset on the hour)."""
        key = (naive_utc.date(), naive_utc.hour)
        found = self._utc_offsets.get(key)
        if found is None:
            moment = naive_utc.replace(minute=0, second=0, microsecond=0, tzinfo=dt.UTC)
            offset = moment.astimezone(CPH).utcoffset()
            assert offset is not None
            found = self._utc_offsets[key] = offset
        return found

    def midnight_offset(self, day: dt.date) -> dt.timedelta:
        """Copenhagen's UTC offset at the local midnight starting `day` (cached)."""
        found = self._offsets.get(day)
        if found is None:
            offset = dt.datetime.combine(day, dt.time(), tzinfo=CPH).utcoffset()
            assert offset is not None
            found = self._offsets[day] = offset
        return found

    def _open_before(self, year: int) -> list[int]:
        """[n]: working days of `year` before its n-th day (n = 0 .. days in year)."""
        found = self._open_cum.get(year)
        if found is None:
            day, n, found = dt.date(year, 1, 1), 0, [0]
            while day.year == year:
                n += not self.is_closed(day)
                found.append(n)
                day += DAY
            self._open_cum[year] = found
        return found

    def open_days_between(self, first: dt.date, last: dt.date) -> int:
        """Working days in [first, last): per-year running counts, not a walk over
        every day (the follow-up screen counts down to targets overdue for years)."""
        if last <= first:
            return 0
        a = self._open_before(first.year)
        if first.year == last.year:
            return (
                self._open_before(last.year)[last.timetuple().tm_yday - 1]
                - a[first.timetuple().tm_yday - 1]
            )
        n = a[-1] - a[first.timetuple().tm_yday - 1]
        for year in range(first.year + 1, last.year):
            n += self._open_before(year)[-1]
        return n + self._open_before(last.year)[last.timetuple().tm_yday - 1]

    def closed_between(self, first: dt.date, last: dt.date) -> Iterator[dt.date]:
        """Closed days in [first, last]."""
        day = first
        while day <= last:
            if self.is_closed(day):
                yield day
            day += DAY


def wall_clock(moment: dt.datetime) -> dt.datetime:
    """The naive Copenhagen wall-clock time of an aware moment."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime; attach a time zone")
    return moment.astimezone(CPH).replace(tzinfo=None)


def from_wall_clock(naive: dt.datetime) -> dt.datetime:
    """An aware UTC moment for a Copenhagen wall-clock time (first occurrence in the
    autumn's repeated hour; working-day results never fall there, as it is a Sunday)."""
    return naive.replace(tzinfo=CPH).astimezone(dt.UTC)


def add_working_time(
    start: dt.datetime, allowance: dt.timedelta, calendar: WorkCalendar
) -> dt.datetime:
    """`start` plus `allowance` of working time. Time on closed days does not run; a
    start on a closed day counts from the next working day's midnight. Aware in, aware
    (UTC) out."""
    return add_working_times(start, (allowance,), calendar)[0]


def add_working_times(
    start: dt.datetime, allowances: Sequence[dt.timedelta], calendar: WorkCalendar
) -> list[dt.datetime]:
    """`add_working_time` for several allowances from one start, in one walk over the
    calendar (a due time and its due-soon time share the start and most of the way)."""
    return [from_wall_clock(x) for x in walk(wall_clock(start), allowances, calendar)]


def add_working_times_utc_naive(
    start_utc: dt.datetime, allowances: Sequence[dt.timedelta], calendar: WorkCalendar
) -> list[dt.datetime]:
    """`add_working_times` from and to naive UTC, for recomputing hundreds of thousands
    of rows without asking the zone per row.

    The start's offset is cached per UTC hour. A result lies on a working day (a weekday:
    the summer-time changes happen on Sundays) or at the midnight ending one, so the
    offset at the local midnight of its date applies, cached per date.
    """
    local = start_utc + calendar.utc_offset_of_utc(start_utc)
    return [x - calendar.midnight_offset(x.date()) for x in walk(local, allowances, calendar)]


def walk(
    local: dt.datetime, allowances: Sequence[dt.timedelta], calendar: WorkCalendar
) -> list[dt.datetime]:
    """The naive local wall-clock times `allowances` of working time after `local`.

    Arithmetic instead of a day-by-day loop (recompute runs this half a million times):
    what does not fit in the start day's remainder ends on the j-th working day after
    it, j = ceil(rest / 24 h), at rest - (j - 1) * 24 h into that day; a rest of exactly
    whole days ends at 24:00, as the rule is phrased.
    """
    day = local.date()
    midnight = dt.datetime.combine(day, dt.time())
    into = local - midnight
    if calendar.is_closed(day):
        day = calendar.next_open(day)
        midnight, into = dt.datetime.combine(day, dt.time()), ZERO
    for a in allowances:
        if a < ZERO:
            raise ValueError("allowance must not be negative")
    return _ends(day, midnight, into, allowances, calendar)


def _ends(
    day: dt.date,
    midnight: dt.datetime,
    into: dt.timedelta,
    allowances: Sequence[dt.timedelta],
    calendar: WorkCalendar,
) -> list[dt.datetime]:
    """`walk`'s arithmetic from `into` past `midnight` of the working day `day`."""
    first = DAY - into
    out: list[dt.datetime] = []
    for a in allowances:
        if a <= first:
            out.append(midnight + into + a)
            continue
        whole, part = divmod(a - first, DAY)
        if part:
            j = whole + 1
        else:
            j, part = whole, DAY
        out.append(calendar.open_midnight_after(day, j) + part)
    return out


def add_working_hours(start: dt.datetime, hours: float, calendar: WorkCalendar) -> dt.datetime:
    return add_working_time(start, dt.timedelta(hours=hours), calendar)


def working_time_between(
    start: dt.datetime, end: dt.datetime, calendar: WorkCalendar
) -> dt.timedelta:
    """Working time in [start, end] (zero if end is not after start)."""
    if end <= start:
        return ZERO
    a, b = wall_clock(start), wall_clock(end)
    first, last = a.date(), b.date()
    if first == last:
        return ZERO if calendar.is_closed(first) else b - a
    total = ZERO
    if not calendar.is_closed(first):  # the rest of the first day
        total += dt.datetime.combine(first + DAY, dt.time()) - a
    if not calendar.is_closed(last):  # the last day up to `end`
        total += b - dt.datetime.combine(last, dt.time())
    # Whole working days in between (wall-clock days of 24 hours, as the rule counts).
    return total + DAY * calendar.open_days_between(first + DAY, last)


def working_hours_between(
    start: dt.datetime,
    end: dt.datetime,
    calendar: WorkCalendar | None = None,
    *,
    config: Config | None = None,
) -> float:
    """Working hours in [start, end] on `calendar` (or the calendar of `config`, or the
    default Danish calendar)."""
    if calendar is None:
        calendar = calendar_for(config.replies if config is not None else Replies())
    return working_time_between(start, end, calendar) / dt.timedelta(hours=1)


_CALENDARS: dict[tuple[tuple[str, ...], tuple[dt.date, ...]], WorkCalendar] = {}


def calendar_for(replies: Replies) -> WorkCalendar:
    """The (cached) calendar of a `Replies` config section."""
    extra = tuple(sorted(set(replies.extra_closed_days)))
    dates = tuple(sorted(set(replies.closed_dates)))
    key = (extra, dates)
    cal = _CALENDARS.get(key)
    if cal is None:
        if len(_CALENDARS) > 16:
            _CALENDARS.clear()
        cal = _CALENDARS[key] = WorkCalendar(extra_closed_days=extra, closed_dates=dates)
    return cal


def add_working_times_utc_naive_many(
    starts: Sequence[dt.datetime], allowances: Sequence[dt.timedelta], calendar: WorkCalendar
) -> list[list[dt.datetime]]:
    """`add_working_times_utc_naive` for many starts (a bulk import's hundreds of
    thousands of targets): the same arithmetic as `walk`, with what depends only on the
    start's UTC hour (zone offset, local day, whether it is closed) worked out once per
    hour. Equal to `add_working_times` (tested across the summer-time changes and the
    holidays)."""
    for a in allowances:
        if a < ZERO:
            raise ValueError("allowance must not be negative")
    # UTC hour -> (offset, local midnight, day) for an open day, or the results for a
    # closed day (a start on a closed day counts from the next working day's midnight,
    # so its results do not depend on the time of day).
    hours: dict[int, tuple[dt.timedelta, dt.datetime, dt.date] | list[dt.datetime]] = {}
    offsets: dict[dt.date, dt.timedelta] = {}

    def to_utc(local: dt.datetime) -> dt.datetime:
        day = local.date()
        off = offsets.get(day)
        if off is None:
            off = offsets[day] = calendar.midnight_offset(day)
        return local - off

    def after(day: dt.date, into: dt.timedelta) -> list[dt.datetime]:
        midnight = dt.datetime.combine(day, dt.time())
        return [to_utc(x) for x in _ends(day, midnight, into, allowances, calendar)]

    # Within one UTC hour of an open day, `into` runs over [b, b + 1 h) and every result
    # moves with it, minute for minute: `_ends` changes branch, whole days or result date
    # only where a - DAY + into is a multiple of DAY (the result at a local midnight,
    # "24:00"). When no allowance meets one in the hour, a start's results are those of
    # the hour's start plus its time into the hour; otherwise each start is walked.
    shifted: dict[int, tuple[dt.datetime, list[dt.datetime]]] = {}
    results = []
    for start in starts:
        hk = start.toordinal() * 24 + start.hour
        got = shifted.get(hk)
        if got is not None:
            d = start - got[0]
            results.append([r + d for r in got[1]])
            continue
        info = hours.get(hk)
        if info is None:
            off = calendar.utc_offset_of_utc(start)
            local = start + off
            day = local.date()
            if calendar.is_closed(day):
                info = hours[hk] = after(calendar.next_open(day), ZERO)
            else:
                info = hours[hk] = (off, dt.datetime.combine(day, dt.time()), day)
                top = start.replace(minute=0, second=0, microsecond=0)
                b = top + off - info[1]
                if all(_no_midnight_within_hour(a - DAY + b) for a in allowances):
                    shifted[hk] = (top, after(day, b))
                    got = shifted[hk]
                    d = start - top
                    results.append([r + d for r in got[1]])
                    continue
        if isinstance(info, list):
            results.append(info)
        else:
            results.append(after(info[2], start + info[0] - info[1]))
    return results


_HOUR = dt.timedelta(hours=1)
_TICK = dt.timedelta(microseconds=1)


def _no_midnight_within_hour(q: dt.timedelta) -> bool:
    """No multiple of DAY in [q, q + 1 h)."""
    return q % DAY != ZERO and q // DAY == (q + _HOUR - _TICK) // DAY
