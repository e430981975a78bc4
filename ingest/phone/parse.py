"""Rows of a phone-log table -> typed calls, or a precise problem per bad row.

Every problem names the line, the column, the value and the reason. Rows of colleagues'
lines are set aside (only the advisor's own line counts), trailing summary rows
("I alt", "Total", an empty date with a sum) are dropped, blank rows are ignored.

Wall-clock times (dk-generic, user profiles in a local zone) are turned into UTC by
`ingest.phone.localtime.localise`; see there for the autumn night's repeated hour.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from ingest.phone.localtime import localise
from ingest.phone.profiles import Profile
from ingest.phone.sniff import Table
from ingest.phone.values import (
    InternalNumber,
    RowError,
    cell_str,
    clock,
    parse_dk_date,
    parse_duration,
    parse_number,
    parse_utc_time,
)
from store.addresses import HIDDEN_NUMBERS, normalise_phone
from store.config.phone import Phone
from store.errors import UserError

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)

_SUMMARY_WORDS = re.compile(
    r"^\s*(i alt|ialt|total|totalt|totaler|sum|subtotal|antal|samlet|grand total)\b",
    re.IGNORECASE,
)
# CUCM's second line: INTEGER, VARCHAR(50), UNIQUEIDENTIFIER...
_CUCM_TYPE = re.compile(r"^[A-Z][A-Z_]*(\(\d+\))?$")

_INTERNAL = object()  # memo value: the number is internal

DK_DIRECTIONS = {
    "indgående": "in",
    "indgaaende": "in",
    "ind": "in",
    "indkommende": "in",
    "udgående": "out",
    "udgaaende": "out",
    "ud": "out",
}
DK_STATUSES = {
    "besvaret": "answered",
    "ubesvaret": "missed",
    "ikke besvaret": "missed",
    "mistet": "missed",
    "tabt": "missed",
    "telefonsvarer": "voicemail",
    "voicemail": "voicemail",
    "talebesked": "voicemail",
}


@dataclass(slots=True)
class RowProblem:
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        # repr() of the value: a CSV cell is untrusted text, shown inert.
        return f"line {self.line}, column {self.column!r}, value {self.value!r}: {self.reason}"


@dataclass(slots=True)
class CallRow:
    index: int  # position in `Table.cells` (`Table.line_of` gives the line)
    # Aware UTC after `localise`; naive wall-clock time before it for local-time profiles.
    start: dt.datetime
    direction: str  # in | out
    raw_number: str | None
    number: str | None  # E.164, None if hidden
    status: str  # answered | missed | voicemail
    duration_s: int
    line: str | None = None
    # `start` as "YYYY-MM-DDTHH:MM:SS" (UTC), when the parser had it as text for free
    # (dk-generic, whole seconds, not on a summer-time change day); else None. Equal to
    # `start.isoformat()[:19]`: the row key and the stored time are cut from it.
    utc_text: str | None = None


@dataclass
class ParseResult:
    rows: list[CallRow]
    problems: list[RowProblem]
    other_lines: int  # rows of colleagues' lines, set aside
    summary_rows: int  # trailing totals dropped
    blank_rows: int
    internal: int = 0  # calls with an internal extension or short number, set aside


# --------------------------------------------------------------------------- own line


@dataclass
class OwnLine:
    upns: frozenset[str]
    extensions: frozenset[str]
    numbers: frozenset[str]  # E.164
    raw_numbers: frozenset[str]  # as configured, digits only
    voicemail: frozenset[str]

    @classmethod
    def from_config(cls, phone: Phone) -> OwnLine:
        region = phone.default_region
        nums = {normalise_phone(n, region) for n in phone.own_numbers}
        return cls(
            upns=frozenset(u.strip().casefold() for u in phone.own_upns),
            extensions=frozenset(e.strip() for e in phone.own_extensions),
            numbers=frozenset(n for n in nums if n),
            raw_numbers=frozenset(_digits(n) for n in phone.own_numbers),
            voicemail=frozenset(_digits(n) for n in phone.voicemail_numbers),
        )

    @property
    def configured(self) -> bool:
        return bool(self.upns or self.extensions or self.numbers)

    def is_own_number(self, raw: str, region: str) -> bool:
        s = raw.strip()
        if not s:
            return False
        if s in self.extensions or _digits(s) in self.raw_numbers:
            return True
        if s.casefold() in HIDDEN_NUMBERS:
            return False
        e164 = normalise_phone(s, region)
        return e164 is not None and e164 in self.numbers


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit() or ch == "+")


class OwnLineMissing(UserError):
    pass


# --------------------------------------------------------------------------- row parsers

RowParser = Callable[[list[Any]], CallRow | None]  # None: a colleague's row


def _bare(e: RowError) -> RowError:
    """A caught `RowError` to keep in a memo: a fresh one, without the traceback and the
    exception context (the memo's KeyError) of the one raised. Those hold the frames they
    went through, and from those the parser's callers: a memo that kept them closed a
    reference cycle through `parse_table`'s frame, so the whole table and every parsed
    row stayed alive until a cyclic collection (at 1M rows, a ~2 s one after the import)
    instead of being freed when the import returns."""
    return RowError(e.column, e.value, e.reason)


def _get(cells: list[Any], i: int) -> Any:
    return cells[i] if i < len(cells) else None


def _dk_generic(profile: Profile, cmap: dict[str, int], phone: Phone, own: OwnLine) -> RowParser:
    """The hot path of a million-row export: every cell is looked up in a per-file memo
    first (dates, times, directions, statuses, numbers and durations repeat), so each
    distinct value is parsed and each distinct number normalised once."""
    region = phone.default_region
    c = profile.columns
    i_date, i_time, i_dir, i_num, i_dur, i_stat = (
        cmap["date"],
        cmap["time"],
        cmap["direction"],
        cmap["number"],
        cmap["duration"],
        cmap["status"],
    )
    width = max(cmap.values()) + 1
    zone = ZoneInfo(profile.timezone)
    # raw cell -> parsed value or RowError (typed Any: the hot loop checks with `type`).
    dates: dict[Any, Any] = {}
    times: dict[Any, Any] = {}
    dirs: dict[Any, Any] = {}
    stats: dict[Any, Any] = {}
    nums: dict[Any, Any] = {}
    durs: dict[Any, Any] = {}
    datetime = dt.datetime

    def date_of(v: Any) -> tuple[Any, ...] | RowError:
        try:
            d = parse_dk_date(v, c["date"])
        except RowError as e:
            return _bare(e)
        # The day's UTC offset, or None on a DST change day (`localise` decides those).
        a = datetime(d.year, d.month, d.day, tzinfo=zone).utcoffset()
        b = datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=zone).utcoffset()
        if a != b or a is None or a % HOUR:
            return (d.year, d.month, d.day, None, None, None)
        # Per local hour: the UTC moment it starts and its UTC text "YYYY-MM-DDTHH".
        bases = [datetime(d.year, d.month, d.day, h, tzinfo=UTC) - a for h in range(24)]
        return (d.year, d.month, d.day, a, bases, [b.isoformat()[:13] for b in bases])

    def time_of(v: Any) -> tuple[int, int, int, dt.timedelta, str] | RowError:
        try:
            h, m, sec = clock(v, c["time"])
        except RowError as e:
            return _bare(e)
        # Minutes and seconds into the hour, as a timedelta and as text ":MM:SS".
        return (h, m, sec, dt.timedelta(minutes=m, seconds=sec), f":{m:02d}:{sec:02d}")

    def dir_of(v: Any) -> str | RowError:
        d = DK_DIRECTIONS.get(cell_str(v).casefold())
        return d if d else RowError(c["direction"], v, "not Indgående or Udgående")

    def stat_of(v: Any) -> str | RowError:
        s = DK_STATUSES.get(cell_str(v).casefold())
        return s if s else RowError(c["status"], v, "not Besvaret, Ubesvaret or Telefonsvarer")

    def num_of(v: Any) -> tuple[str | None, str | None] | RowError | object:
        try:
            return parse_number(v, c["number"], region)
        except RowError as e:
            return _bare(e)
        except InternalNumber:
            return _INTERNAL

    def dur_of(v: Any) -> int | RowError:
        try:
            return parse_duration(v, c["duration"])
        except RowError as e:
            return _bare(e)

    # Good values only, for `fast` (text cells): date -> only days without a change.
    ok: dict[int, dict[Any, Any]] = {id(m): {} for m in (dates, times, dirs, stats, nums, durs)}
    dates_ok, times_ok, dirs_ok = ok[id(dates)], ok[id(times)], ok[id(dirs)]
    stats_ok, nums_ok, durs_ok = ok[id(stats)], ok[id(nums)], ok[id(durs)]

    def memo(cache: dict[Any, Any], v: Any, fn: Callable[[Any], Any]) -> Any:
        try:
            got = cache[v]
        except KeyError:
            got = cache[v] = fn(v)
            if (
                type(v) is str
                and type(got) is not RowError
                and got is not _INTERNAL
                and not (cache is dates and got[4] is None)
            ):
                ok[id(cache)][v] = got
        except TypeError:  # an unhashable cell: never from csv or openpyxl, but be safe
            got = fn(v)
        if type(got) is RowError:
            # A fresh exception per row: re-raising one instance would grow its traceback.
            raise RowError(got.column, got.value, got.reason)
        return got

    def parse(cells: list[Any]) -> CallRow | None:
        if len(cells) < width:
            missing = min((i, k) for k, i in cmap.items() if i >= len(cells))[1]
            raise RowError(c[missing], "", f"the row has {len(cells)} fields, not {width}")
        v = cells[i_date]
        d = dates.get(v) if type(v) is str else None
        if d is None or type(d) is RowError:
            d = memo(dates, v, date_of)
        v = cells[i_time]
        t = times.get(v) if type(v) is str else None
        if t is None or type(t) is RowError:
            t = memo(times, v, time_of)
        v = cells[i_dir]
        direction = dirs.get(v) if type(v) is str else None
        if direction is None or type(direction) is RowError:
            direction = memo(dirs, v, dir_of)
        v = cells[i_stat]
        status = stats.get(v) if type(v) is str else None
        if status is None or type(status) is RowError:
            status = memo(stats, v, stat_of)
        v = cells[i_dur]
        duration = durs.get(v) if type(v) is str else None
        if duration is None or type(duration) is RowError:
            duration = memo(durs, v, dur_of)
        v = cells[i_num]
        n = nums.get(v) if type(v) is str else None
        if n is None or type(n) is RowError:
            n = memo(nums, v, num_of)
        if n is _INTERNAL:
            raise InternalNumber(v)
        bases = d[4]
        if bases is not None:
            h = t[0]
            return CallRow(
                0, bases[h] + t[3], direction, n[0], n[1], status, duration, None, d[5][h] + t[4]
            )
        # A summer-time change day: wall-clock time, made UTC by `localise`.
        return CallRow(
            0, datetime(d[0], d[1], d[2], t[0], t[1], t[2]), direction, n[0], n[1], status, duration
        )

    def fast(data: list[list[Any]], i: int, stop: int, out: list[CallRow]) -> int:
        """Parse rows i, i+1, ... of a CSV table (every cell text) into `out` while each
        is ordinary: every cell already memoised with a good value, not on a change day,
        not an internal number. Returns the index of the first row that is not (or
        `stop`), which `parse_table` hands to `parse` (which fills the memos): the same
        result, without a function call and six type checks per row."""
        cells_of = itemgetter(i_date, i_time, i_dir, i_num, i_dur, i_stat)
        append = out.append
        try:
            while i < stop:
                dv, tv, rv, nv, uv, sv = cells_of(data[i])
                d, t, n = dates_ok[dv], times_ok[tv], nums_ok[nv]
                h = t[0]
                append(
                    CallRow(
                        i,
                        d[4][h] + t[3],
                        dirs_ok[rv],
                        n[0],
                        n[1],
                        stats_ok[sv],
                        durs_ok[uv],
                        None,
                        d[5][h] + t[4],
                    )
                )
                i += 1
        except (KeyError, IndexError):  # a new value, a short row: `parse` takes it
            pass
        return i

    parse.fast = fast  # type: ignore[attr-defined]
    return parse


def _teams(profile: Profile, cmap: dict[str, int], phone: Phone, own: OwnLine) -> RowParser:
    region = phone.default_region
    c = profile.columns

    def parse(cells: list[Any]) -> CallRow | None:
        upn = cell_str(_get(cells, cmap["line"]))
        ctype = cell_str(_get(cells, cmap["call_type"])).casefold()
        if ctype.endswith("_in") or ctype == "in":
            direction, col = "in", "caller"
        elif ctype.endswith("_out") or ctype == "out":
            direction, col = "out", "callee"
        else:
            raise RowError(
                c["call_type"],
                _get(cells, cmap["call_type"]),
                "not a call type ending in _in or _out (user_in, dr_out…)",
            )
        own_side = _get(cells, cmap["callee" if direction == "in" else "caller"])
        if upn.casefold() not in own.upns and not (
            own.numbers and own.is_own_number(cell_str(own_side), region)
        ):
            return None
        start = parse_utc_time(_get(cells, cmap["start"]), c["start"])
        duration = parse_duration(_get(cells, cmap["duration"]), c["duration"])
        raw, number = parse_number(_get(cells, cmap[col]), c[col], region)
        # The PSTN usage export lists no outcome: a call with talk time was answered.
        status = "answered" if duration > 0 else "missed"
        return CallRow(0, start, direction, raw, number, status, duration, upn or None)

    return parse


def _epoch(v: Any, column: str) -> int:
    s = cell_str(v)
    if s.isdigit() and s.isascii():
        return int(s)
    raise RowError(column, v, "not epoch seconds")


def _cucm(profile: Profile, cmap: dict[str, int], phone: Phone, own: OwnLine) -> RowParser:
    region = phone.default_region
    c = profile.columns

    def parse(cells: list[Any]) -> CallRow | None:
        calling = cell_str(_get(cells, cmap["caller"]))
        called = cell_str(_get(cells, cmap["callee"]))
        final = cell_str(_get(cells, cmap["final"])) if "final" in cmap else ""
        if own.is_own_number(calling, region):
            direction, raw_v, col = "out", called, c["callee"]
        elif own.is_own_number(called, region) or (final and own.is_own_number(final, region)):
            direction, raw_v, col = "in", calling, c["caller"]
        else:
            return None
        origin = _epoch(_get(cells, cmap["start"]), c["start"])
        if origin == 0:
            raise RowError(c["start"], _get(cells, cmap["start"]), "no origination time")
        connect = _epoch(_get(cells, cmap["connect"]), c["connect"])
        duration = parse_duration(_get(cells, cmap["duration"]), c["duration"])
        if direction == "in" and final and _digits(final) in own.voicemail:
            status = "voicemail"
        else:
            status = "answered" if connect else "missed"
        raw, number = parse_number(raw_v, col, region)
        start = dt.datetime.fromtimestamp(origin, UTC)
        return CallRow(
            0,
            start,
            direction,
            raw,
            number,
            status,
            duration,
            calling if direction == "out" else (called or final),
        )

    return parse


def _custom(profile: Profile, cmap: dict[str, int], phone: Phone, own: OwnLine) -> RowParser:
    p = profile.custom
    assert p is not None
    region = phone.default_region
    c = profile.columns
    dir_map = {k.strip().casefold(): v for k, v in p.values.get("direction", {}).items()}
    stat_map = {k.strip().casefold(): v for k, v in p.values.get("status", {}).items()}
    local = p.timezone != "UTC"
    own_any = own.upns | own.extensions

    def strp(v: Any, fmt: str, column: str) -> dt.datetime:
        if isinstance(v, dt.datetime):
            return v
        s = cell_str(v)
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            raise RowError(column, v, f"does not match the format {fmt!r}") from None

    def parse(cells: list[Any]) -> CallRow | None:
        if "line" in cmap:
            line = cell_str(_get(cells, cmap["line"]))
            if line.casefold() not in own_any and not own.is_own_number(line, region):
                return None
        else:
            line = None
        if "start" in cmap:
            v = _get(cells, cmap["start"])
            if p.datetime_format:
                start = strp(v, p.datetime_format, c["start"])
            else:
                s = cell_str(v)
                try:
                    start = v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(s)
                except ValueError:
                    raise RowError(c["start"], v, "not an ISO date-time") from None
        else:
            dv = _get(cells, cmap["date"])
            d = (
                dv.date()
                if isinstance(dv, dt.datetime)
                else (dv if isinstance(dv, dt.date) else strp(dv, p.date_format, c["date"]).date())
            )
            tv = _get(cells, cmap["time"])
            t = tv if isinstance(tv, dt.time) else strp(tv, p.time_format, c["time"]).time()
            start = dt.datetime.combine(d, t)
        if start.tzinfo is not None:
            start = start.astimezone(UTC)
        elif not local:
            start = start.replace(tzinfo=UTC)
        # else: naive wall-clock time, made UTC by `localise` once the file is read.
        dv = _get(cells, cmap["direction"])
        ds = cell_str(dv).casefold()
        direction = dir_map.get(ds) or (ds if ds in ("in", "out") else None)
        if direction is None:
            raise RowError(c["direction"], dv, "not a direction mapped in values.direction")
        duration = parse_duration(_get(cells, cmap["duration"]), c["duration"])
        if "status" in cmap:
            sv = _get(cells, cmap["status"])
            ss = cell_str(sv).casefold()
            status = stat_map.get(ss) or (ss if ss in ("answered", "missed", "voicemail") else None)
            if status is None:
                raise RowError(c["status"], sv, "not a status mapped in values.status")
        else:
            status = "answered" if duration > 0 else "missed"
        key = "number" if "number" in cmap else "caller" if direction == "in" else "callee"
        raw, number = parse_number(_get(cells, cmap[key]), c[key], region)
        return CallRow(0, start, direction, raw, number, status, duration, line)

    return parse


def row_parser(profile: Profile, cmap: dict[str, int], phone: Phone, *, name: str) -> RowParser:
    own = OwnLine.from_config(phone)
    needs_line = profile.kind in ("teams", "cucm") or "line" in cmap
    if needs_line and not own.configured:
        what = (
            "phone.own_extensions or own_numbers"
            if profile.kind == "cucm"
            else ("phone.own_upns (or own_numbers / own_extensions)")
        )
        raise OwnLineMissing(
            f"{name}: a {profile.name} export can hold colleagues' calls, and your own line "
            f"is not configured; set {what} in the config"
        )
    factory = {"dk-generic": _dk_generic, "teams": _teams, "cucm": _cucm, "custom": _custom}[
        profile.kind
    ]
    return factory(profile, cmap, phone, own)


# --------------------------------------------------------------------------- the table


def _is_blank(cells: list[Any]) -> bool:
    return all(cell_str(v) == "" for v in cells)


def _looks_like_summary(cells: list[Any], first_col: int) -> bool:
    if any(_SUMMARY_WORDS.match(cell_str(v)) for v in cells):
        return True
    # "; ; ; ;1234;" — a totals row: no date/start, but numbers further along.
    return first_col < len(cells) and cell_str(cells[first_col]) == ""


def parse_table(table: Table, profile: Profile, cmap: dict[str, int], phone: Phone) -> ParseResult:
    parse = row_parser(profile, cmap, phone, name=table.name)
    rows: list[CallRow] = []
    problems: list[RowProblem] = []
    other = blank = internal = 0
    # (index into `problems`, cells) of bad rows after the last good one: trailing totals.
    trailing: list[tuple[int, list[Any]]] = []
    data = table.cells
    start_at = 0
    if profile.kind == "cucm" and data:
        first = data[0]
        if first and all(_CUCM_TYPE.match(cell_str(v)) for v in first if cell_str(v)):
            start_at = 1
    first_col = cmap.get("start", cmap.get("date", 0))
    append = rows.append
    line_of = table.line_of
    # A profile's fast path for ordinary CSV rows (text cells), if it has one.
    fast = getattr(parse, "fast", None) if table.kind == "csv" else None
    n_rows = len(data)
    i = start_at - 1
    while True:
        i += 1
        if fast is not None and i < n_rows:
            at = i
            i = fast(data, i, n_rows, rows)
            if i > at and trailing:
                trailing.clear()
        if i >= n_rows:
            break
        cells = data[i]
        try:
            row = parse(cells)
        except RowError as e:
            if _is_blank(cells):
                blank += 1
                continue
            trailing.append((len(problems), cells))
            problems.append(RowProblem(line_of(i), e.column, e.value, e.reason))
            continue
        except InternalNumber:
            trailing.clear()
            internal += 1
            continue
        except IndexError:
            if _is_blank(cells):
                blank += 1
                continue
            trailing.append((len(problems), cells))
            problems.append(RowProblem(line_of(i), "-", "", "the row has too few fields"))
            continue
        if trailing:
            trailing.clear()
        if row is None:
            other += 1
            continue
        row.index = i
        append(row)
    summary = 0
    if trailing and all(_looks_like_summary(cells, first_col) for _, cells in trailing):
        summary = len(trailing)
        del problems[trailing[0][0] :]
    if profile.timezone != "UTC":
        localise(rows, ZoneInfo(profile.timezone))
    return ParseResult(rows, problems, other, summary, blank, internal)
