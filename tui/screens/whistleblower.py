"""The whistleblower register: kept apart from every general list and search, shown only
when `[ui] whistleblower_register = true`; every viewing is audited. The facts the annual
report counts (scope, forwarded, examined, outcome) are edited here, audited too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Select

from store.desk.rows import Page, WhistleblowerFactsRow, WhistleblowerRow
from store.desk.whistleblower import OUTCOMES
from store.errors import UserError
from store.timeutil import show
from tui.i18n import error_text, t
from tui.keymap import bindings
from tui.render import status_short
from tui.safe import plain
from tui.screens.forms import Form, field_row
from tui.screens.paged_list import PAGE, PagedListScreen
from tui.widgets.paged_table import PagedTable, fit_width


def _due(when: Any, status: str | None) -> Text:
    if when is None:
        return Text("–")
    out = Text(show(when, "%d/%m/%y") + " ")
    if status:
        out.append_text(status_short(status))
    return out


class WhistleblowerScreen(PagedListScreen[WhistleblowerRow]):
    TITLE_KEY = "screen.whistleblower"
    BINDINGS = bindings("whistleblower")

    def page_query(self, offset: int) -> Callable[[], Page[WhistleblowerRow]]:
        return lambda: self.desk.whistleblower(offset=offset, limit=PAGE)

    def columns(self) -> list[tuple[str, int | None]]:
        return [
            ("col.ref", fit_width((r.ref for r in self.rows), 9)),
            ("col.title", None),
            ("col.opened", 10),
            ("col.ack", 17),
            ("col.feedback", 17),
        ]

    def key_of(self, row: WhistleblowerRow) -> int:
        return row.case_id

    def cells(self, r: WhistleblowerRow) -> dict[str, Text]:
        return {
            "col.ref": Text(r.ref),
            "col.title": plain(r.title, limit=100),
            "col.opened": Text(r.opened_on.strftime("%d-%m-%Y")),
            "col.ack": _due(r.ack_due, r.ack_status),
            "col.feedback": _due(r.feedback_due, r.feedback_status),
        }

    def action_open_case(self) -> None:
        row = self.current()
        if row is not None:
            self.desk_app.open_case(row.case_id, whistleblower=True)

    def action_facts(self) -> None:
        row = self.current()
        if row is None:
            return
        try:
            facts = self.desk.whistleblower_facts(row.case_id)
        except UserError as e:  # the case went away meanwhile
            self.notify(error_text(e), severity="error", markup=False)
            return

        def chosen(new: WhistleblowerFactsRow | None) -> None:
            if new is not None:
                self.command(
                    lambda: self.desk.set_whistleblower_facts(new), lambda _r: t("n.saved")
                )

        self.app.push_screen(FactsDialog(row.ref, facts), chosen)

    @on(PagedTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_case()


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


class FactsDialog(Form):
    """A whistleblower case's facts for the annual report: four choices, each shown as
    saved; the save key saves them all."""

    def __init__(self, ref: str, facts: WhistleblowerFactsRow) -> None:
        super().__init__()
        self.ref, self.facts = ref, facts

    def compose(self) -> ComposeResult:
        f = self.facts
        yes_no = [(t("wb.yes"), "yes"), (t("wb.no"), "no")]
        scope = "unknown" if f.in_scope is None else _yes_no(f.in_scope)
        with Vertical(classes="dialog"):
            yield Label(
                plain(t("dlg.wb_facts.title", ref=self.ref), limit=80), classes="dialog-title"
            )
            yield field_row(
                t("wb.in_scope"),
                Select(
                    [(t("wb.unknown"), "unknown"), *yes_no],
                    value=scope,
                    allow_blank=False,
                    id="in_scope",
                ),
            )
            yield field_row(
                t("wb.forwarded"),
                Select(yes_no, value=_yes_no(f.forwarded), allow_blank=False, id="forwarded"),
            )
            yield field_row(
                t("wb.examined"),
                Select(yes_no, value=_yes_no(f.examined), allow_blank=False, id="examined"),
            )
            yield field_row(
                t("wb.outcome"),
                Select(
                    [(t(f"wb.outcome.{o}"), o) for o in ("none", *OUTCOMES)],
                    value=f.outcome or "none",
                    allow_blank=False,
                    id="outcome",
                ),
            )
            yield Label("", id="err", classes="err")

    def action_save(self) -> None:
        scope, outcome = self.value("in_scope"), self.value("outcome")
        self.dismiss(
            WhistleblowerFactsRow(
                case_id=self.facts.case_id,
                in_scope=None if scope == "unknown" else scope == "yes",
                forwarded=self.value("forwarded") == "yes",
                examined=self.value("examined") == "yes",
                outcome=None if outcome == "none" else outcome,
            )
        )
