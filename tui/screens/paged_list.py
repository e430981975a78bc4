"""The one paged-list screen: a page of rows in a `PagedTable`, the next or previous page
loaded when the cursor runs off an edge, the cursor kept on its row (or its place) when
the data changes. Indbakke, Sager, Svarfrister and the whistleblower register are this
screen with their own columns, cells and query."""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Label

from store.desk.rows import Page, Scope
from tui.i18n import t
from tui.keymap import bindings
from tui.messages import PageLoaded
from tui.screens import filing
from tui.screens.assign import AssignTarget, ask_assign
from tui.screens.base import DeskScreen
from tui.team import next_scope, scope_of
from tui.widgets.paged_table import PagedTable

R = TypeVar("R")

PAGE = 100
WIDE = 110  # columns from which a list shows its wide layout
HOOKS = ("page_query", "columns", "cells", "key_of")  # what each list defines
SCOPED_HOOKS = ("assign_target",)  # and each list of a team's work


class PagedListScreen(DeskScreen, Generic[R]):
    EMPTY_KEY = "empty"
    BINDINGS = bindings("lists")  # every list: a new contact registered by hand (N)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.rows: list[R] = []
        self.page_offset = 0
        self._keep: str | None = None  # the row key the cursor was on
        self._keep_row: int | None = None  # the cursor's place, if that row left the list
        self._to_end = False  # a previous page: the cursor starts on its last row
        self.now = dt.datetime.now(dt.UTC)  # the desk's clock, read at each fill

    # ------------------------------------------------------------------ per list
    #
    # Every list defines these four. Textual's metaclass is not ABCMeta, so
    # `abstractmethod` alone would not stop a list that forgets one (mypy still checks
    # it); `__init_subclass__` refuses such a class when it is defined (unless it is
    # itself a base for lists: `abstract=True`).

    def __init_subclass__(cls, abstract: bool = False, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if abstract:
            return
        hooks = HOOKS + (SCOPED_HOOKS if hasattr(cls, "assign_target") else ())
        missing = [h for h in hooks if getattr(getattr(cls, h), "__isabstractmethod__", False)]
        if missing:
            raise TypeError(
                f"{cls.__qualname__} is a paged list without {', '.join(missing)}: define them"
            )

    @abstractmethod
    def page_query(self, offset: int) -> Callable[[], Page[R]]:
        """The page at `offset`, as a function a worker runs. It reads the screen's state
        (filters) now, on the UI thread."""

    @abstractmethod
    def columns(self) -> list[tuple[str, int | None]]: ...

    @abstractmethod
    def cells(self, row: R) -> dict[str, Text]: ...

    @abstractmethod
    def key_of(self, row: R) -> int: ...

    def compose_filters(self) -> ComposeResult:
        yield from ()

    def compose_after(self) -> ComposeResult:
        yield from ()

    def info_text(self) -> str:
        table = self.table
        if not table.total:
            return t(self.EMPTY_KEY)
        return t(
            "page",
            first=table.page_offset + 1,
            last=table.page_offset + table.row_count,
            total=table.total,
        )

    def shown(self) -> None:
        """A page was shown (a hook)."""

    def action_new_contact(self) -> None:
        filing.ask_new_contact(self)

    # ------------------------------------------------------------------ the list

    @property
    def wide(self) -> bool:
        return self.app.size.width >= WIDE

    @property
    def table(self) -> PagedTable:
        return self.query_one(PagedTable)

    def compose_body(self) -> ComposeResult:
        yield from self.compose_filters()
        yield Label(t("loading"), id="pageinfo", classes="pageinfo")
        yield PagedTable(id="list")
        yield from self.compose_after()

    def on_mount(self) -> None:
        super().on_mount()
        self.fit_columns()
        self.table.focus()

    def on_resize(self) -> None:
        self.fit_columns()

    def fit_columns(self) -> bool:
        """Set the columns for the width (and the rows on the page: some columns fit
        their values). True when the rows were refilled."""
        if self.table.configure(self.columns(), self.app.size.width):
            self.fill()
            return True
        return False

    def fill(self) -> None:
        rows = self.rows
        self.now = self.desk.now()  # the desk's clock, read once per fill
        self.table.fill_lazy([str(self.key_of(r)) for r in rows], lambda i: self.cells(rows[i]))

    def current(self) -> R | None:
        row = self.table.cursor_row
        return self.rows[row] if self.rows and 0 <= row < len(self.rows) else None

    def update_info(self) -> None:
        self.query_one("#pageinfo", Label).update(self.info_text())

    # ------------------------------------------------------------------ loading

    def remember_cursor(self) -> None:
        row = self.current()
        self._keep = str(self.key_of(row)) if row is not None else None
        self._keep_row = self.table.cursor_row if row is not None else None

    def reload(self) -> None:
        self.remember_cursor()
        self.load_page()

    def load_page(self) -> None:
        fetch = self.page_query(self.page_offset)
        self.load(lambda: PageLoaded(fetch()))

    def on_paged_table_page_request(self, msg: PagedTable.PageRequest) -> None:
        self.page_offset = max(0, self.page_offset + msg.direction * PAGE)
        self._keep = None
        self._to_end = msg.direction < 0
        self.load_page()

    @on(PageLoaded)
    def _page_loaded(self, msg: PageLoaded[R]) -> None:
        if self.accept(msg):
            self.show_page(msg.page)

    def show_page(self, page: Page[R]) -> None:
        if page.offset >= page.total and page.offset > 0:
            # The rows after the last page's start went away: show the new last page.
            self.page_offset = max(0, (page.total - 1) // PAGE * PAGE)
            self._to_end = True
            self.load_page()
            return
        table = self.table
        table.page_offset, table.total = page.offset, page.total
        self.rows = list(page.rows)
        if not self.fit_columns():
            self.fill()
        target = 0
        if self._keep is not None:
            target = table.row_after_reload(self._keep, self._keep_row)
        elif self._to_end:
            target = len(self.rows) - 1
        self._to_end = False
        if self.rows:
            table.move_cursor(row=target, animate=False)
        self.update_info()
        self.shown()


class ScopedListScreen(PagedListScreen[R], abstract=True):
    """A list of cases or triage contacts on a team desk: its scope, Mine / Ikke tildelt
    / Alle (m, shared by the lists and remembered), and assigning (t). On SQLite the
    keys are hidden and the scope is Alle (`tui.team`)."""

    BINDINGS = bindings("team")

    @property
    def scope(self) -> Scope:
        app = self.desk_app
        return scope_of(app.ui_state) if app.team else Scope.everyone

    def action_cycle_scope(self) -> None:
        scope = next_scope(self.scope)
        self.desk_app.ui_state.set("scope", scope.value)
        self.notify(t("n.scope", name=t(f"scope.{scope.value}")), timeout=3)
        self.page_offset = 0
        self.reload()

    def info_text(self) -> str:
        text = super().info_text()
        if self.scope is not Scope.everyone:
            text += "  ·  " + t(f"scope.{self.scope.value}")
        return text

    @abstractmethod
    def assign_target(self) -> AssignTarget | None:
        """What `t` assigns here: the row's case, or its triage contact(s)."""

    def action_assign(self) -> None:
        target = self.assign_target()
        if target is None:
            self.notify(t("n.nothing"))
            return
        ask_assign(self, target)
