"""Rendering reply templates with Danish dates.

Substitution is one pass of a regular expression over the advisor's template: a value
(a citizen's name, a subject) is inserted as it is and never read again as a template,
so text from outside can never pull in another variable or run anything.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from store.config.replies import Replies
from store.config.templates import TOKEN, ReplyTemplate
from store.errors import UserError
from store.replies.calendar import calendar_for
from store.timeutil import CPH

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip


def danish_date(day: dt.date) -> str:
    """ "mandag den 14. december" (the year only when the reader could doubt it is
    elsewhere: a reply's dates are within weeks)."""
    return f"{WEEKDAYS[day.weekday()]} den {day.day}. {MONTHS[day.month - 1]}"


def danish_moment(moment: dt.datetime) -> str:
    """ "mandag den 14. december kl. 09.30", in Copenhagen time."""
    local = moment.astimezone(CPH)
    return f"{danish_date(local.date())} kl. {local:%H.%M}"


def expected_date(replies: Replies, today: dt.date, working_days: int) -> dt.date:
    """`working_days` working days after `today` on the reply targets' calendar (0: the
    next working day from today on, which is today on a working day)."""
    cal = calendar_for(replies)
    day = cal.next_open(today)
    for _ in range(working_days):
        day = cal.next_open(day + dt.timedelta(days=1))
    return day


@dataclass(frozen=True)
class ReplyContext:
    """What a template may speak of, taken from the contact being answered."""

    name: str | None
    case_ref: str | None
    subject: str | None
    received: dt.datetime


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    expected: dt.date


def first_name(name: str | None) -> str:
    parts = (name or "").split()
    return parts[0] if parts else "borger"


def render(
    template: ReplyTemplate,
    replies: Replies,
    ctx: ReplyContext,
    *,
    today: dt.date,
    expected: dt.date | None = None,
) -> Rendered:
    """The template filled in. `expected` overrides the computed working-day date; a
    promise cannot lie in the past."""
    if expected is not None and expected < today:
        raise UserError(
            f"the expected date {expected.isoformat()} is before today "
            f"({today.isoformat()}); give a date from today on",
            code="expected_past",
            expected=expected.isoformat(),
        )
    due = expected or expected_date(replies, today, template.working_days)
    subject_answered = " ".join((ctx.subject or "").split()) or "Din henvendelse"
    values = {
        "fornavn": first_name(ctx.name),
        "navn": (ctx.name or "").strip() or "borger",
        "sag": ctx.case_ref or "",
        "emne": subject_answered,
        "modtaget": danish_moment(ctx.received),
        "forventet_dato": danish_date(due),
        "underskrift": replies.signature,
    }

    def fill(text: str) -> str:
        def one(m: re.Match[str]) -> str:
            tok = m.group(0)
            if tok in ("{{", "}}"):
                return tok[0]
            return values[m.group(1)]  # the config validated every name

        return TOKEN.sub(one, text)

    subject = fill(template.subject)
    # "Sv: Sv: …" helps nobody: answering a reply keeps one prefix.
    while subject.lower().startswith(("sv: sv:", "sv: re:")):
        subject = subject[4:]
    return Rendered(subject=" ".join(subject.split()), body=fill(template.body), expected=due)
