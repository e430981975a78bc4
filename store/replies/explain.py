"""One-line explanations of a target's due time and status, in English or Danish.

"due Tue 2 Apr 15:00: 48 working hours from Tue 26 Mar 15:00; 28 Mar–1 Apr are Easter
holidays" (what `borgerdesk followups` prints), or for the desk's
Danish UI "frist tir. 2. apr. 15:00: 48 arbejdstimer fra tir. 26. mar. 15:00; 28. mar.–1.
apr. er påskehelligdage". Day and month names are fixed tables, not the machine's locale:
the line must read the same on every machine and in every test.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Literal

from store.config.replies import ReplyRule
from store.replies.calendar import DAY, WorkCalendar, wall_clock

Lang = Literal["da", "en"]


@dataclass(frozen=True)
class _Words:
    days: tuple[str, ...]
    months: tuple[str, ...]
    day_dot: str  # after the day number: "2 Apr" / "2. apr."
    due: str
    overdue_since: str
    from_: str
    is_: str
    are_holidays: str  # "{span} are {group} holidays"
    groups: dict[str, str]
    closed: str
    weekend: str
    one_weekend: str  # "{span}"
    weekends: str  # "{n}"
    working_hours: str
    working_days: str
    hours: str
    calendar_days: str
    months_n: str
    waived: str  # "{why}"
    no_reason: str
    rule_gone: str  # "{rule}"
    met: str
    met_late: str
    by: str  # "{how} #{id}"
    by_manual: str
    how: dict[tuple[str, str], str]
    contact: str
    closing_day: str
    optional: dict[str, str]


_EN = _Words(
    days=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    months=("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    day_dot="",
    due="due",
    overdue_since="overdue since",
    from_="from",
    is_="is",
    are_holidays="{span} are {group} holidays",
    groups={"Easter": "Easter", "Christmas": "Christmas", "Whitsun": "Whitsun"},
    closed="closed",
    weekend="weekend",
    one_weekend="weekend {span} not counted",
    weekends="{n} weekends not counted",
    working_hours="working hours",
    working_days="working days",
    hours="hours",
    calendar_days="calendar days",
    months_n="months",
    waived="waived: no reply needed ({why})",
    no_reason="no reason given",
    rule_gone="rule {rule!r} is no longer configured",
    met="met",
    met_late="met late",
    by="by {how} #{id}",
    by_manual="by manual acknowledgement",
    how={
        ("email", "out"): "outbound e-mail",
        ("phone", "out"): "outbound call",
        ("phone", "in"): "answered call",
        ("letter", "out"): "letter",
        ("meeting", "out"): "meeting",
        ("meeting", "in"): "meeting",
        ("home_visit", "out"): "home visit",
        ("home_visit", "in"): "home visit",
    },
    contact="contact",
    closing_day="closing day",
    optional={},
)

_DA = _Words(
    days=("man.", "tir.", "ons.", "tor.", "fre.", "lør.", "søn."),
    months=(
        "jan.",
        "feb.",
        "mar.",
        "apr.",
        "maj",
        "jun.",
        "jul.",
        "aug.",
        "sep.",
        "okt.",
        "nov.",
        "dec.",
    ),
    day_dot=".",
    due="frist",
    overdue_since="overskredet siden",
    from_="fra",
    is_="er",
    are_holidays="{span} er {group}",
    groups={"Easter": "påskehelligdage", "Christmas": "juledage", "Whitsun": "pinsedage"},
    closed="lukket",
    weekend="weekend",
    one_weekend="weekenden {span} tæller ikke",
    weekends="{n} weekender tæller ikke",
    working_hours="arbejdstimer",
    working_days="arbejdsdage",
    hours="timer",
    calendar_days="kalenderdage",
    months_n="måneder",
    waived="frafaldet: intet svar nødvendigt ({why})",
    no_reason="ingen begrundelse",
    rule_gone="reglen {rule!r} findes ikke længere i opsætningen",
    met="besvaret",
    met_late="besvaret for sent",
    by="med {how} #{id}",
    by_manual="ved manuel kvittering",
    how={
        ("email", "out"): "udgående e-mail",
        ("phone", "out"): "udgående opkald",
        ("phone", "in"): "besvaret opkald",
        ("letter", "out"): "brev",
        ("meeting", "out"): "møde",
        ("meeting", "in"): "møde",
        ("home_visit", "out"): "hjemmebesøg",
        ("home_visit", "in"): "hjemmebesøg",
    },
    contact="henvendelse",
    closing_day="lukkedag",
    # The calendar's names for the configured extra closed days (store.replies.calendar).
    optional={
        "Christmas Eve": "juleaftensdag",
        "New Year's Eve": "nytårsaftensdag",
        "Constitution Day": "grundlovsdag",
    },
)

WORDS: dict[str, _Words] = {"en": _EN, "da": _DA}

# Holidays that read as one period ("28 Mar–1 Apr are Easter holidays"), by the
# calendar's (English) names.
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


@functools.lru_cache(maxsize=64)
def _danish_holidays(year: int) -> dict[dt.date, str]:
    """The `holidays` package's own Danish names ("Skærtorsdag"), per year."""
    import holidays  # on first use, as in store.replies.calendar: it loads every country

    return {
        d: str(n)
        for d, n in holidays.country_holidays(
            "DK", years=year, categories=("public",), language="da"
        ).items()
    }


def holiday_name(day: dt.date, english: str, lang: Lang) -> str:
    """`english` (the calendar's name of `day`) in `lang`."""
    if lang == "en":
        return _RENAME.get(english, english)
    w = WORDS[lang]
    if english in w.optional:
        return w.optional[english]
    if english == _EN.closing_day:
        return w.closing_day
    return _danish_holidays(day.year).get(day, english)


def fmt_day(d: dt.date, *, year: bool = False, lang: Lang = "en") -> str:
    """'2 Apr' / '2. apr.' (with the year if asked)."""
    w = WORDS[lang]
    s = f"{d.day}{w.day_dot} {w.months[d.month - 1]}"
    return f"{s} {d.year}" if year else s


def fmt_moment(
    moment: dt.datetime, *, year: bool = False, midnight_as_24: bool = False, lang: Lang = "en"
) -> str:
    """'Tue 2 Apr 15:00' in Copenhagen time; a working-time due at local midnight reads
    as the previous day's 24:00 ('Tue 26 Mar 24:00'), as the rule is phrased."""
    return fmt_local(wall_clock(moment), year=year, midnight_as_24=midnight_as_24, lang=lang)


def fmt_local(
    local: dt.datetime, *, year: bool = False, midnight_as_24: bool = False, lang: Lang = "en"
) -> str:
    """`fmt_moment` for a naive Copenhagen wall-clock time."""
    hour, minute = local.hour, local.minute
    if midnight_as_24 and not (hour or minute or local.second or local.microsecond):
        return f"{_weekday_day(local.date() - DAY, year, lang)} 24:00"
    # The time by hand: strftime cost as much as the rest of the line, and a cold
    # `followups` explains every one of thousands of rows once.
    return f"{_weekday_day(local.date(), year, lang)} {hour:02d}:{minute:02d}"


@functools.lru_cache(maxsize=4096)
def _weekday_day(d: dt.date, year: bool, lang: Lang) -> str:
    """'Tue 2 Apr' (with the year if asked); a queue has few distinct days."""
    return f"{WORDS[lang].days[d.weekday()]} {fmt_day(d, year=year, lang=lang)}"


def fmt_range(first: dt.date, last: dt.date, lang: Lang = "en") -> str:
    if first == last:
        return fmt_day(first, lang=lang)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}{WORDS[lang].day_dot}–{fmt_day(last, lang=lang)}"
    return f"{fmt_day(first, lang=lang)}–{fmt_day(last, lang=lang)}"


@functools.lru_cache(maxsize=256)
def _allowance_text(
    mode: str, hours: float | None, days: int | None, months: int | None, lang: Lang = "en"
) -> str:
    w = WORDS[lang]

    def n(x: float) -> str:
        return f"{x:g}"

    if mode == "workdays":
        if hours is not None:
            return f"{n(hours)} {w.working_hours}"
        return f"{days} {w.working_days}"
    if hours is not None:
        return f"{n(hours)} {w.hours}"
    if days is not None:
        return f"{days} {w.calendar_days}"
    return f"{months} {w.months_n}"


def describe_allowance(rule: ReplyRule, lang: Lang = "en") -> str:
    return _allowance_text(rule.mode, rule.hours, rule.days, rule.months, lang)


def _runs(first: dt.date, last: dt.date, cal: WorkCalendar) -> list[list[dt.date]]:
    runs: list[list[dt.date]] = []
    for d in cal.closed_between(first, last):
        if runs and runs[-1][-1] + DAY == d:
            runs[-1].append(d)
        else:
            runs.append([d])
    return runs


def _clause_local(received: dt.datetime, due: dt.datetime, cal: WorkCalendar, lang: Lang) -> str:
    last = due.date()
    if due.time() == dt.time(0):
        last -= DAY  # due at midnight: the due day itself was not counted
    return _closed_clause(received.date(), last, cal, lang)


@functools.lru_cache(maxsize=20_000)
def _closed_clause(first: dt.date, last: dt.date, cal: WorkCalendar, lang: Lang) -> str:
    # Cached: a queue of thousands of targets has only a few hundred date pairs.
    w = WORDS[lang]
    parts: list[str] = []
    weekends: list[list[dt.date]] = []
    for run in _runs(first, last, cal):
        named = [(d, n) for d in run if (n := cal.holiday_name(d) or "")]
        if not named:
            weekends.append(run)
            continue
        names = [holiday_name(d, n, lang) for d, n in named]
        span = fmt_range(run[0], run[-1], lang)
        groups = {_GROUPS.get(n) for _, n in named}
        if len(run) == 1:
            parts.append(f"{span} {w.is_} {names[0]}")
        elif len(groups) == 1 and None not in groups:
            group = groups.pop()
            assert group is not None
            parts.append(w.are_holidays.format(span=span, group=w.groups[group]))
        else:
            extra = f", {w.weekend}" if len(names) < len(run) else ""
            parts.append(f"{span} {w.closed} ({', '.join(dict.fromkeys(names))}{extra})")
    if len(weekends) == 1:
        parts.append(w.one_weekend.format(span=fmt_range(weekends[0][0], weekends[0][-1], lang)))
    elif weekends:
        parts.append(w.weekends.format(n=len(weekends)))
    return "; ".join(parts)


def explain_due(
    rule: ReplyRule, received: dt.datetime, due: dt.datetime, cal: WorkCalendar, lang: Lang = "en"
) -> str:
    """'due Tue 2 Apr 15:00: 48 working hours from Tue 26 Mar 15:00; 28 Mar–1 Apr are
    Easter holidays'. Cached per (allowance, received, due, calendar, language): screens
    refresh the same rows over and over."""
    return _explain_due(
        describe_allowance(rule, lang), rule.mode == "workdays", received, due, cal, lang
    )


@functools.lru_cache(maxsize=100_000)
def _explain_due(
    allowance: str,
    workdays: bool,
    received: dt.datetime,
    due: dt.datetime,
    cal: WorkCalendar,
    lang: Lang = "en",
) -> str:
    # Each moment is converted to Copenhagen time once (a cold queue explains every row).
    w = WORDS[lang]
    rec, due_l = wall_clock(received), wall_clock(due)
    years = rec.year != due_l.year
    text = (
        f"{w.due} {fmt_local(due_l, year=years, midnight_as_24=workdays, lang=lang)}: "
        f"{allowance} {w.from_} {fmt_local(rec, year=years, lang=lang)}"
    )
    if workdays:
        clause = _clause_local(rec, due_l, cal, lang)
        if clause:
            text += f"; {clause}"
    return text


def overdue_text(due_text: str, lang: Lang = "en") -> str:
    """'overdue since Tue 2 Apr 15:00: ...' from `explain_due`'s 'due Tue 2 Apr ...'."""
    w = WORDS[lang]
    return f"{w.overdue_since} {due_text.removeprefix(w.due + ' ')}"


def waived_text(reason: str | None, lang: Lang = "en") -> str:
    w = WORDS[lang]
    return w.waived.format(why=reason or w.no_reason)


def rule_gone_text(rule: str, lang: Lang = "en") -> str:
    return WORDS[lang].rule_gone.format(rule=rule)


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
    lang: Lang = "en",
) -> str:
    """'met Mon 25 Mar 09:00 by outbound e-mail #12; due Tue 26 Mar 15:00: ...'."""
    w = WORDS[lang]
    if by_id is not None:
        how = w.by.format(
            how=w.how.get((by_channel or "", by_direction or ""), w.contact), id=by_id
        )
    else:
        how = w.by_manual + (f" ({note})" if note else "")
    when = "?"
    if met_at is not None:
        when = fmt_moment(
            met_at, year=ref_year is not None and wall_clock(met_at).year != ref_year, lang=lang
        )
    return f"{w.met_late if late else w.met} {when} {how}; {due_text}"
