"""The top bar: screen title, DEMO mark, source health (last sync, errors), open alerts."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.widgets import Static

from store.desk.rows import MineCounts, Status
from tui.i18n import t
from tui.render import day_time
from tui.safe import clean


def render_status(
    title: str,
    status: Status | None,
    *,
    demo: bool,
    now: dt.datetime | None = None,
    color: bool = True,
    problem: str | None = None,
    mine: MineCounts | None = None,
) -> Text:
    """The bar's line. Without `color` (NO_COLOR) it marks things by bold and reverse
    only: Textual turns colours grey then, and red on the dark bar came out grey 59 on
    grey 45; every state is spelled out in words anyway."""

    def hue(style: str, colour: str) -> str:
        return f"{style} {colour}".strip() if color else style

    out = Text(no_wrap=True, overflow="ellipsis")
    out.append(" borgerdesk ", style="bold reverse")
    if demo:
        out.append(" ")
        out.append(f" {t('hdr.demo')} ", style=hue("bold reverse", "red"))
    out.append(f" {title} ", style="bold")
    if problem is not None:  # the database went away: say so before the stale counts
        out.append(f" {t('hdr.problem')} ", style=hue("bold reverse", "red"))
        out.append(" ")
    if status is None:
        return out
    out.append("│ ")
    if mine is not None:  # a team desk: my own work first, whatever the lists' scope
        out.append(
            t("hdr.mine", overdue=mine.overdue, soon=mine.due_soon, waiting=mine.waiting),
            style=hue("bold", "red") if mine.overdue else "bold",
        )
        out.append(" │ ")
    out.append(t("hdr.triage", n=status.triage))
    out.append(" │ ")
    # What is overdue now, counted from the store: true on a day no daemon ran (the
    # daemon's alerts are only raised when it runs).
    out.append(
        t("hdr.overdue", n=status.overdue), style=hue("bold", "red") if status.overdue else ""
    )
    out.append(" │ ")
    if status.open_alerts:  # the daemon's alerts not yet seen, when there are any
        out.append(t("hdr.alerts", n=status.open_alerts), style=hue("bold", "red"))
        out.append(" │ ")
    if status.daemon_late:
        when = (
            day_time(status.daemon_last_seen, now or dt.datetime.now(dt.UTC))
            if status.daemon_last_seen
            else None
        )
        out.append(
            t("hdr.daemon_late", when=when) if when else t("hdr.daemon_never"),
            style=hue("bold", "yellow"),
        )
        out.append(" │ ")
    if not status.sources:
        out.append(t("hdr.no_sources"), style="dim")
    for s in status.sources:
        name = clean(s.name if not s.folder else f"{s.name}/{s.folder}", limit=30)
        if s.consecutive_failures:
            out.append(
                f"{name} {t('hdr.failing', n=s.consecutive_failures)} ", style=hue("bold", "red")
            )
        else:
            when = (
                day_time(s.last_success, now or dt.datetime.now(dt.UTC))
                if s.last_success
                else t("hdr.never")
            )
            out.append(f"{name} {t('hdr.ok', when=when)} ", style=hue("", "green"))
    return out


class StatusBar(Static):
    DEFAULT_CSS = ""

    def set_status(
        self, title: str, status: Status | None, *, demo: bool, mine: MineCounts | None = None
    ) -> None:
        desk = getattr(self.app, "desk", None)
        self.update(
            render_status(
                title,
                status,
                demo=demo,
                now=desk.now() if desk is not None else None,
                color=not getattr(self.app, "no_color", False),
                problem=getattr(self.app, "problem", None),
                mine=mine,
            )
        )
