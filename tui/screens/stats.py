"""Statistik: the configured report preset for a year or a period, a bar chart per table,
the reply-compliance panel and export to xlsx/csv. It refreshes when the app's data
probe sees any change (ingestion, another window, its own edits); the counting runs in a
thread worker, so input is never blocked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from store.desk.rows import Workload
from store.desk.stats import NONE_LABEL, StatsComparison, StatsTable, StatsView, TableChange
from store.timeutil import local_date
from tui.i18n import t
from tui.keymap import bindings
from tui.messages import StatsLoaded
from tui.safe import clean, plain
from tui.screens.base import DeskScreen
from tui.screens.dialogs import PeriodDialog, TextPrompt

BAR_WIDTH = 30


def label(value: str) -> str:
    """A row label as shown: no value at all (an unclassified case) is named in the UI's
    language, "Uden kategori", not the tables' "(none)"."""
    return t("stats.none") if value == NONE_LABEL else value


def table_renderable(st: StatsTable, changes: TableChange | None = None) -> Table:
    """The table; with `changes` (compare on) a last column of each row's change against
    the previous period, matched by the row's label."""
    header, *body = st.grid
    change = {r.label: r.change_text for r in changes.rows} if changes else {}
    tbl = Table(expand=False, show_edge=False, pad_edge=False)
    for i, h in enumerate(header):
        tbl.add_column(
            plain(label(h), limit=30),
            justify="left" if i == 0 else "right",
            no_wrap=i > 0,
            overflow="ellipsis",
            min_width=12 if i == 0 else None,
        )
    if changes:
        tbl.add_column(t("stats.compare_col"), justify="right", no_wrap=True, style="magenta")
    for n, line in enumerate(body):
        last = n == len(body) - 1
        extra = [plain(change.get(line[0], ""), limit=40)] if changes else []
        tbl.add_row(
            plain(label(line[0]), limit=40),
            *[plain(c, limit=40) for c in line[1:]],
            *extra,
            style="bold" if last else "",
            end_section=n == len(body) - 2,
        )
    return tbl


def chart(st: StatsTable, width: int = BAR_WIDTH) -> Text:
    """A horizontal bar per row: its share of the table's largest row."""
    out = Text()
    if not st.row_totals:
        return out
    peak = max((n for _l, n in st.row_totals), default=0) or 1
    labels = [clean(label(lab)) for lab, _n in st.row_totals]
    label_w = min(24, max(cell_len(lab) for lab in labels))
    for lab, (_l, n) in zip(labels, st.row_totals, strict=True):
        bar = round(width * n / peak)
        # A cut label says so ("Erhverv, Teknik og Kult…"), and widths are terminal cells.
        if cell_len(lab) > label_w:
            lab = set_cell_size(lab, label_w - 1) + "…"
        out.append(set_cell_size(lab, label_w))
        out.append(" ")
        out.append("█" * bar, style="cyan")
        out.append("▏" if bar == 0 else "")
        out.append(f" {n}\n")
    return out


class StatsScreen(DeskScreen):
    TITLE_KEY = "screen.stats"
    BINDINGS = bindings("stats")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        year = local_date(self.desk.now()).year
        self.start, self.end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        self.view: StatsView | None = None
        self.compare = False  # the change column against the previous period
        self.comparison: StatsComparison | None = None

    def compose_body(self) -> ComposeResult:
        yield Label(t("loading"), id="period", classes="pageinfo")
        with VerticalScroll(id="stats-body"):
            yield Static("", id="tables")
            yield Static("", id="compliance")
            yield Static("", id="workload")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#workload").display = False
        self.query_one("#stats-body").focus()

    def reload(self) -> None:
        start, end, compare, team = self.start, self.end, self.compare, self.desk_app.team
        self.load(
            lambda: StatsLoaded(
                self.desk.counts(None, start, end),
                self.desk.compare_counts(None, start, end) if compare else None,
                tuple(self.desk.workload()) if team else (),
            )
        )

    def on_stats_loaded(self, msg: StatsLoaded) -> None:
        if self.accept(msg):
            self.comparison = msg.comparison
            self.show_stats(msg.view)
            self.show_workload(msg.workload)

    def show_stats(self, view: StatsView) -> None:
        self.view = view
        self.query_one("#period", Label).update(
            plain(
                t(
                    "stats.period",
                    title=view.title or view.preset,
                    start=view.start.strftime("%d-%m-%Y"),
                    end=view.end.strftime("%d-%m-%Y"),
                )
            )
        )
        parts: list[Any] = []
        comp = self.comparison
        if comp is not None:
            parts.append(
                plain(t("stats.compare_head", previous=comp.previous_name), style="magenta")
            )
            parts.append(Text(""))
        for i, st in enumerate(view.tables):
            changes = comp.tables[i] if comp is not None and i < len(comp.tables) else None
            parts.append(plain(st.title, limit=100, style="bold"))
            parts.append(table_renderable(st, changes))
            if changes is not None:
                shown = {line[0] for line in st.grid[1:]}
                gone = [f"{r.label} {r.change_text}" for r in changes.rows if r.label not in shown]
                if gone:  # rows counted only before: a drop to nothing is a change too
                    parts.append(
                        plain(
                            t("stats.only_before", rows=", ".join(gone)),
                            one_line=False,
                            limit=1000,
                            style="magenta",
                        )
                    )
            parts.append(Text(t("stats.chart"), style="italic dim"))
            parts.append(chart(st, width=max(10, min(BAR_WIDTH, self.size.width - 40))))
            unclassified = sum(n for lab, n in st.row_totals if lab == NONE_LABEL)
            if unclassified:  # to be fixed in Sager before the council gets the report
                parts.append(Text(t("stats.unclassified", n=unclassified), style="bold yellow"))
            if st.triage_waiting:
                parts.append(Text(t("stats.triage_waiting", n=st.triage_waiting), style="yellow"))
            parts.append(Text(""))
        self.query_one("#tables", Static).update(Group(*parts))
        self.query_one("#compliance", Static).update(
            Group(Text(t("stats.compliance"), style="bold"), compliance_renderable(view))
        )

    def show_workload(self, rows: tuple[Workload, ...]) -> None:
        """A team desk: open cases and overdue targets per person, now (not of the
        period: the council's tables above are never split by person)."""
        box = self.query_one("#workload", Static)
        box.display = self.desk_app.team
        if self.desk_app.team:
            box.update(
                Group(
                    Text(""),
                    Text(t("stats.workload"), style="bold"),
                    Text(t("stats.workload.note"), style="italic dim"),
                    workload_renderable(rows),
                )
            )

    # ------------------------------------------------------------------ actions

    def action_year(self, delta: int) -> None:
        year = self.start.year + delta
        self.start, self.end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        self.reload()

    def action_period(self) -> None:
        def chosen(res: tuple[dt.date, dt.date] | None) -> None:
            if res:
                self.start, self.end = res
                self.reload()

        self.app.push_screen(PeriodDialog(self.start, self.end), chosen)

    def action_compare(self) -> None:
        self.compare = not self.compare
        self.reload()

    def action_annual_report(self) -> None:
        default = str(Path.home() / f"aarsrapport-{self.start:%Y%m%d}-{self.end:%Y%m%d}.docx")
        start, end = self.start, self.end

        def chosen(path: str | None) -> None:
            if path:
                self.command(
                    lambda: self.desk.export_annual_report(None, start, end, path),
                    lambda p: t("n.exported", path=p),
                )

        self.app.push_screen(TextPrompt(t("dlg.annual.title"), initial=default), chosen)

    def action_export(self) -> None:
        name = (
            f"borgerdesk-{self.view.preset if self.view else 'statistik'}-"
            f"{self.start:%Y%m%d}-{self.end:%Y%m%d}.xlsx"
        )
        default = str(Path.home() / name)
        start, end = self.start, self.end

        def chosen(path: str | None) -> None:
            if path:
                self.command(
                    lambda: self.desk.export_counts(None, start, end, path),
                    lambda p: t("n.exported", path=p),
                )

        self.app.push_screen(TextPrompt(t("dlg.export.title"), initial=default), chosen)


def compliance_renderable(view: StatsView) -> Table:
    tbl = Table(show_edge=False, pad_edge=False)
    for i, key in enumerate(
        (
            "comp.rule",
            "comp.targets",
            "comp.in_time",
            "comp.late",
            "comp.waived",
            "comp.open",
            "comp.overdue",
            "comp.median",
            "comp.share",
        )
    ):
        tbl.add_column(
            t(key),
            justify="left" if i == 0 else "right",
            no_wrap=i > 0,
            min_width=14 if i == 0 else None,
        )
    for c in view.compliance.lines:
        share = "" if c.in_time_share is None else f"{round(100 * c.in_time_share)} %"
        median = "" if c.median_hours is None else f"{c.median_hours:.1f}"
        overdue = Text(str(c.overdue_now), style="bold red" if c.overdue_now else "")
        tbl.add_row(
            plain(c.rule, limit=30),
            str(c.targets),
            str(c.met_in_time),
            str(c.met_late),
            str(c.waived),
            str(c.still_open),
            overdue,
            median,
            share,
        )
    return tbl


def workload_renderable(rows: tuple[Workload, ...]) -> Table:
    tbl = Table(show_edge=False, pad_edge=False)
    for i, key in enumerate(("wl.person", "wl.open", "wl.overdue")):
        tbl.add_column(
            t(key),
            justify="left" if i == 0 else "right",
            no_wrap=i > 0,
            min_width=14 if i == 0 else None,
        )
    for w in rows:
        overdue = Text(str(w.overdue), style="bold red" if w.overdue else "")
        who = plain(w.person, limit=40) if w.person else Text(t("wl.nobody"), style="italic")
        tbl.add_row(who, str(w.open_cases), overdue)
    return tbl
