"""Small renderers shared by screens: channel marks, reply status, call facts. Status is
always spelled out as a word as well as coloured, so it reads with NO_COLOR."""

from __future__ import annotations

import datetime as dt

from rich.text import Text

from store.desk.rows import CallFacts, ReplyDue, SearchHit
from store.timeutil import needs_year, show
from tui.i18n import t, t_or
from tui.safe import plain

# A moment in the desk's detail views: day first, as the lists ("12/03 08:00") and the
# case list's opening dates ("12-03-2026") read, never the ISO order.
WHEN = "%d-%m-%Y %H:%M"

CHANNEL_MARK = {"email": "✉", "phone": "☎", "meeting": "◉", "letter": "✎", "home_visit": "⌂"}
STATUS_STYLE = {
    "pending": "green",
    "due_soon": "bold yellow",
    "overdue": "bold red",
    "met": "dim green",
    "met_late": "dim yellow",
    "waived": "dim",
}


def day_time(moment: dt.datetime, now: dt.datetime) -> str:
    """A moment in a list column (11 cells): "01/04 09:00" within this year and half a
    year of now; else with the year and no time, "01/04/2026", so a date long past (or far
    ahead) does not read as the coming one."""
    return show(moment, "%d/%m/%Y" if needs_year(moment, now) else "%d/%m %H:%M")


def channel_mark(channel: str, direction: str = "in") -> Text:
    mark = CHANNEL_MARK.get(channel, "?")
    return Text(mark + ("→" if direction == "out" else " "))


def channel_name(channel: str) -> str:
    return t(f"ch.{channel}")


def hit_detail(hit: SearchHit) -> str:
    """A search hit's detail line with its stored tag (a case's state, a party's kind, a
    contact's channel) named in the UI's language; an unknown tag as it is."""
    if not hit.tag:
        return hit.detail
    prefix = {"case": "state.", "party": "partykind.", "contact": "ch."}.get(hit.kind, "")
    name = t_or(prefix + hit.tag, hit.tag)
    parts = [name, hit.detail] if hit.kind == "contact" else [hit.detail, name]
    return " · ".join(p for p in parts if p)


def status_text(status: str) -> Text:
    return Text(t(f"status.{status}"), style=STATUS_STYLE.get(status, ""))


# Met late keeps the tick and adds the desk's "attention" mark: where only the mark shows
# (narrow lists), a late answer must not look like one in time.
STATUS_MARK = {
    "pending": " ",
    "due_soon": "!",
    "overdue": "‼",
    "met": "✓",
    "met_late": "✓!",
    "waived": "–",
}


def status_short(status: str) -> Text:
    """A mark and a short word: fits narrow columns, reads without colour."""
    return Text(
        f"{STATUS_MARK.get(status, '?')} {t('short.' + status)}", style=STATUS_STYLE.get(status, "")
    )


def reply_text(reply: ReplyDue | None, *, wide: bool = True) -> Text:
    """Due time with its status: "12/03 08:00 snart" (wide) or "! 12/03 08:00"."""
    if reply is None:
        return Text("")
    when = show(reply.due_at, "%d/%m %H:%M")
    style = STATUS_STYLE.get(reply.status, "")
    if not wide:
        return Text(f"{STATUS_MARK.get(reply.status, '?')} {when}", style=style)
    out = Text(when + " ")
    out.append_text(status_text(reply.status))
    return out


def who_text(who: str, channel: str, *, limit: int = 60) -> Text:
    """Who a contact is from or to; untrusted, so plain. A call from a hidden number
    has no one to name: it says so."""
    if who:
        return plain(who, limit=limit)
    return Text(t("who.hidden" if channel == "phone" else "who.unknown"), style="dim")


def duration(seconds: int) -> str:
    m, s = divmod(max(seconds, 0), 60)
    return f"{m}:{s:02d}"


def call_text(call: CallFacts) -> str:
    if call.status == "answered":
        return t("call.answered", dur=duration(call.duration_s))
    return t(f"call.{call.status}") if call.status in ("missed", "voicemail") else call.status


def hours_text(hours: float | None) -> str:
    if hours is None:
        return ""
    sign = "-" if hours < 0 else ""
    hours_, minutes = divmod(round(abs(hours) * 60), 60)
    return f"{sign}{hours_}:{minutes:02d} {t('unit.hours')}"
