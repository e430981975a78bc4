"""Wall-clock times to UTC, including the nights the clocks change."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from ingest.phone.parse import CallRow

UTC = dt.UTC


def localise(rows: list[CallRow], zone: ZoneInfo) -> None:
    """Turn naive wall-clock starts into aware UTC, in place.

    On most days the offset is the same all day and is computed once per date. On a
    transition day:

    - the spring gap (02:00–03:00 does not exist): a time in it is read with the offset
      before the change (02:30 -> 01:30 UTC, i.e. 03:30 summer time), as zoneinfo does;
    - the autumn repeat (02:00–03:00 happens twice): exports write wall-clock time with
      no offset, so the file's order decides. In a chronological file (ascending or
      descending) the repeated hour is walked in file order: the first pass is summer
      time (fold=0); once the wall clock goes back inside that hour, later rows are the
      second pass, winter time (fold=1). A lone or unordered time in the hour is taken
      as summer time (fold=0), the first occurrence, matching `store.timeutil.from_local`.
    """
    naive = [r for r in rows if r.start.tzinfo is None]
    if not naive:
        return
    # The file's order, for the repeated hour (newest-first exports are common), as the
    # rows still in wall-clock time show it: parsers convert every other day themselves.
    ascending = naive[0].start <= naive[-1].start
    offsets: dict[dt.date, dt.timedelta | None] = {}
    tz_rows: dict[dt.date, list[CallRow]] = {}
    for r in naive:
        start = r.start
        d = start.date()
        try:
            off = offsets[d]
        except KeyError:
            a = dt.datetime.combine(d, dt.time(0), tzinfo=zone).utcoffset()
            b = dt.datetime.combine(d, dt.time(23, 59, 59), tzinfo=zone).utcoffset()
            off = a if a == b else None
            offsets[d] = off
        if off is not None:
            r.start = (start - off).replace(tzinfo=UTC)
        else:
            tz_rows.setdefault(d, []).append(r)
    if not tz_rows:
        return
    for day_rows in tz_rows.values():
        ordered = day_rows if ascending else list(reversed(day_rows))
        in_second_pass = False
        latest_in_hour: dt.datetime | None = None
        for r in ordered:
            wall = r.start
            first = wall.replace(tzinfo=zone, fold=0)
            second = wall.replace(tzinfo=zone, fold=1)
            # Ambiguous: two offsets, and both round-trip (a time in the spring gap
            # does not).
            ambiguous = first.utcoffset() != second.utcoffset() and (
                first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
            )
            if ambiguous:
                if latest_in_hour is not None and wall < latest_in_hour:
                    in_second_pass = True
                latest_in_hour = wall if latest_in_hour is None else max(latest_in_hour, wall)
                chosen = second if in_second_pass else first
            else:
                chosen = first
            r.start = chosen.astimezone(UTC)
