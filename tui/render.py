"""Small renderers shared by screens: channel marks, reply status, call facts. Status is
always spelled out as a word as well as coloured, so it reads with NO_COLOR."""

from __future__ import annotations

from rich.text import Text

from store.desk.rows import CallFacts, ReplyDue
from store.timeutil import show
from tui.i18n import t

CHANNEL_MARK = {"email": "✉", "phone": "☎", "meeting": "◉", "letter": "✎", "home_visit": "⌂"}
STATUS_STYLE = {
    "pending": "green", "due_soon": "bold yellow", "overdue": "bold red",
    "met": "dim green", "met_late": "dim yellow", "waived": "dim",
}


def channel_mark(channel: str, direction: str = "in") -> Text:
    mark = CHANNEL_MARK.get(channel, "?")
    return Text(mark + ("→" if direction == "out" else " "))


def channel_name(channel: str) -> str:
    return t(f"ch.{channel}")


def status_text(status: str) -> Text:
    return Text(t(f"status.{status}"), style=STATUS_STYLE.get(status, ""))


def reply_text(reply: ReplyDue | None) -> Text:
    if reply is None:
        return Text("")
    out = Text(show(reply.due_at, "%d/%m %H:%M") + " ")
    out.append_text(status_text(reply.status))
    return out


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
    h = abs(hours)
    return f"{sign}{int(h)}:{round((h - int(h)) * 60) % 60:02d} t"
