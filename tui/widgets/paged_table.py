"""A table that shows one page of a long list and asks its screen for the next or
previous page when the cursor runs off an edge: lists never load every row.

It is a Line API widget (a `ScrollView` that renders only the lines on screen, each from
a cached row of segments) rather than a `DataTable`: DataTable renders every cell through
Rich with per-cell styles, which cost ~45 ms on the first frame of a 100-row page and
made the desk's first screen 4-5x slower than a bare Textual app (benchmarks/bench_tui.py).
The screens need no more than a header, a row cursor, paging and two messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.i18n import t
from tui.keymap import bindings, localise

_PAD = 1  # blank cells either side of every column, as DataTable draws them


def fit_width(values: Iterable[str], least: int) -> int:
    """A column as wide as the widest of `values` (terminal cells), at least `least`: for
    values that must never be cut, such as case refs ("HB-2026-001")."""
    return max([least, *(cell_len(v) for v in values)])


class PagedTable(ScrollView, can_focus=True):
    BINDINGS = bindings("list")

    COMPONENT_CLASSES: ClassVar[set[str]] = {"paged-table--header", "paged-table--cursor"}

    DEFAULT_CSS = """
    PagedTable {
        background: $surface;
        color: $foreground;
        & > .paged-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .paged-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .paged-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .paged-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)

    @dataclass
    class PageRequest(Message):
        table: PagedTable
        direction: int  # +1 next, -1 previous

    @dataclass
    class RowHighlighted(Message):
        """The cursor moved to another row."""

        table: PagedTable
        cursor_row: int
        row_key: str | None

    @dataclass
    class RowSelected(Message):
        """Enter, or a click, on a row."""

        table: PagedTable
        cursor_row: int
        row_key: str | None

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        localise(self)
        self.page_offset = 0
        self.total = 0
        self._col_keys: list[str] = []
        self._labels: list[str] = []
        self._widths: list[int] = []
        self._keys: list[str] = []
        # A row's cells, made from its data when the row is first drawn (see `fill`).
        self._cells: list[list[Text] | None] = []
        self._make: Callable[[int], dict[str, Text]] | None = None
        # Rendered rows (segments without the cursor style), built when first drawn.
        self._lines: dict[int, list[Segment]] = {}
        self._header: list[Segment] | None = None

    # ------------------------------------------------------------------ content

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def has_next(self) -> bool:
        return self.page_offset + self.row_count < self.total

    def configure(self, columns: list[tuple[str, int | None]], width: int) -> bool:
        """Set the columns: (i18n key, width); one width None takes what is left of
        `width`. Returns True when the set of columns changed (rows must be refilled)."""
        keys = [k for k, _w in columns]
        changed = keys != self._col_keys
        if changed:
            self._keys, self._cells = [], []
            self._col_keys = keys
            self._labels = [t(k) for k in keys]
        fixed = sum(w for _k, w in columns if w) + 2 * _PAD * len(columns) + 2
        widths = [w if w else max(8, width - fixed) for _k, w in columns]
        # Screens configure on every resize (and twice while starting): the drawn rows
        # stay valid unless the columns or their widths changed.
        if changed or widths != self._widths:
            self._widths = widths
            self._invalidate()
        return changed

    def fill(self, rows: list[tuple[str, dict[str, Text]]]) -> None:
        """Replace the rows: (row key, {column key: cell})."""
        self._keys = [key for key, _cells in rows]
        self._make = None
        self._cells = [self._row(cells) for _key, cells in rows]
        self._after_fill()

    def fill_lazy(self, keys: list[str], make: Callable[[int], dict[str, Text]]) -> None:
        """Replace the rows by their keys; `make(i)` gives row i's cells when it is first
        drawn. A page holds 100 rows and a screen shows ~35: the rest are formatted only
        if the advisor scrolls to them (a first frame formats only what it shows)."""
        self._keys = list(keys)
        self._make = make
        self._cells = [None] * len(self._keys)
        self._after_fill()

    def _row(self, cells: dict[str, Text]) -> list[Text]:
        empty = Text("")
        return [cells.get(k, empty) for k in self._col_keys]

    def _cells_of(self, row: int) -> list[Text]:
        cells = self._cells[row]
        if cells is None:
            assert self._make is not None
            cells = self._cells[row] = self._row(self._make(row))
        return cells

    def _after_fill(self) -> None:
        self._invalidate()
        if self.cursor_row >= len(self._keys):
            self.move_cursor(row=max(0, len(self._keys) - 1))

    def update_cell(self, row_key: str, column_key: str, cell: Text) -> None:
        """Replace one cell (e.g. the selection mark) and redraw its line."""
        try:
            row, col = self._keys.index(row_key), self._col_keys.index(column_key)
        except ValueError:
            return
        self._cells_of(row)[col] = cell
        self._lines.pop(row, None)
        self.refresh_line(row + 1)

    def _invalidate(self) -> None:
        self._lines.clear()
        self._header = None
        width = sum(self._widths) + 2 * _PAD * len(self._widths)
        self.virtual_size = Size(width, len(self._keys) + 1)
        self.refresh()

    # ------------------------------------------------------------------ cursor

    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        self.cursor_row = max(0, min(row, max(0, self.row_count - 1)))
        self._scroll_to_cursor(animate)

    def watch_cursor_row(self, old: int, new: int) -> None:
        for r in {old, new}:
            self.refresh_line(r + 1)  # virtual line: the header is line 0
        if old != new and self.row_count:
            self.post_message(self.RowHighlighted(self, new, self._key(new)))

    def row_after_reload(self, key: str | None, row: int | None) -> int:
        """Where the cursor goes when a page is shown again: on the row `key` if it is
        still there; else at `row`, its old place, which now holds the next row (the
        advisor acted on it and it left the list), clamped to the last row; else first."""
        if key is not None and key in self._keys:
            return self._keys.index(key)
        if row is None:
            return 0
        return max(0, min(row, self.row_count - 1))

    def _key(self, row: int) -> str | None:
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def _scroll_to_cursor(self, animate: bool = False) -> None:
        visible = max(1, self.size.height - 1)  # the header takes a line
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=animate, immediate=not animate)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=animate, immediate=not animate)

    def action_cursor_down(self) -> None:
        if self.row_count and self.cursor_row >= self.row_count - 1 and self.has_next:
            self.post_message(self.PageRequest(self, +1))
            return
        self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0 and self.page_offset > 0:
            self.post_message(self.PageRequest(self, -1))
            return
        self.move_cursor(row=self.cursor_row - 1)

    def action_screen(self, direction: int) -> None:
        """Page up/down within the rows on hand (a screenful)."""
        self.move_cursor(row=self.cursor_row + direction * max(1, self.size.height - 2))

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=self.row_count - 1)

    def action_page(self, which: str) -> None:
        if which == "next" and self.has_next:
            self.post_message(self.PageRequest(self, +1))
        elif which == "prev" and self.page_offset > 0:
            self.post_message(self.PageRequest(self, -1))

    def action_select_cursor(self) -> None:
        if self.row_count:
            self.post_message(self.RowSelected(self, self.cursor_row, self._key(self.cursor_row)))

    def on_click(self, event: events.Click) -> None:
        y = event.y
        if y < 1:
            return  # the header
        row = int(self.scroll_y) + y - 1
        if 0 <= row < self.row_count:
            event.stop()
            self.move_cursor(row=row)
            self.post_message(self.RowSelected(self, row, self._key(row)))

    def on_resize(self) -> None:
        self._scroll_to_cursor()

    # ------------------------------------------------------------------ rendering

    def _render_cells(self, cells: Sequence[str | Text]) -> list[Segment]:
        """One row as segments: each cell cut to its column (with an ellipsis) or padded,
        with a blank cell either side. A cell without inner spans (nearly all) becomes one
        segment directly; Rich's Text rendering of a whole row cost ~0.15 ms, most of the
        table's share of a first frame."""
        get_style = self.app.console.get_style
        pad = Segment(" " * _PAD)
        out: list[Segment] = []
        for cell, width in zip(cells, self._widths, strict=False):
            text = Text(cell) if isinstance(cell, str) else cell
            out.append(pad)
            if text.spans:
                fitted = text.copy()
                fitted.truncate(width, overflow="ellipsis", pad=True)
                out.extend(s for s in fitted.render(self.app.console) if s.text)
            else:
                plain = text.plain
                n = cell_len(plain)
                if n > width:
                    plain = set_cell_size(plain, width - 1) + "…" if width > 0 else ""
                elif n < width:
                    plain += " " * (width - n)
                style = text.style
                out.append(
                    Segment(
                        plain, get_style(style, default="") if isinstance(style, str) else style
                    )
                )
            out.append(pad)
        return out

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x = int(self.scroll_x)
        if y == 0:
            if self._header is None:
                self._header = self._render_cells(self._labels)
            style = self.get_component_rich_style("paged-table--header")
            segments = list(Segment.apply_style(self._header, style))
            return Strip(segments).crop_extend(scroll_x, scroll_x + width, style)
        row = int(self.scroll_y) + y - 1
        base = self.rich_style
        if not 0 <= row < self.row_count:
            return Strip.blank(width, base)
        cached = self._lines.get(row)
        if cached is None:
            cached = self._lines[row] = self._render_cells(self._cells_of(row))
        segments = cached
        if row == self.cursor_row:
            style = base + self.get_component_rich_style("paged-table--cursor")
            # The cursor's colours win over the cells' own, as in DataTable.
            segments = [Segment(s.text, (s.style or Style()) + style) for s in segments]
        else:
            segments = list(Segment.apply_style(segments, base))
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, base)
