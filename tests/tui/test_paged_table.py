"""PagedTable's row rendering: the direct path for plain cells draws exactly what Rich's
Text rendering would (truncation with an ellipsis by cell width, padding, styles)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult

from tui.widgets.paged_table import _PAD, PagedTable

COLS: list[tuple[str, int | None]] = [("a", 1), ("b", 6), ("c", None), ("d", 5)]


def _rich(table: PagedTable, cells: list[Text]) -> list[tuple[str, object]]:
    line = Text(no_wrap=True, end="")
    for cell, width in zip(cells, table._widths, strict=False):
        text = cell.copy()
        text.truncate(width, overflow="ellipsis", pad=True)
        line.append(" " * _PAD)
        line.append_text(text)
        line.append(" " * _PAD)
    return _cells_by_char(list(line.render(table.app.console)))


def _cells_by_char(segments: list[Segment]) -> list[tuple[str, object]]:
    """(character, style) pairs, so differently split segments compare equal."""
    out = []
    for seg in segments:
        style = seg.style or None  # Style() is falsy: the same as no style
        out += [(ch, style) for ch in seg.text]
    return out


class _App(App[None]):
    def compose(self) -> ComposeResult:
        yield PagedTable()


async def test_direct_rendering_equals_rich() -> None:
    app = _App()
    async with app.run_test(size=(40, 10)):
        table = app.query_one(PagedTable)
        table.configure(COLS, 40)
        rows = [
            [Text("●"), Text("kort"), Text("x" * 60), Text("12/03")],  # cut with …
            [Text(" "), Text("præcis"), Text("æøå ÆØÅ"), Text("1/3", style="bold red")],
            [Text(""), Text("日本語テキスト"), Text("🙂 smil"), Text("")],  # wide chars
            [
                Text("x"),
                Text.assemble(("rød", "red"), " og ", ("fed", "bold")),
                Text("[bold]ikke markup[/]"),
                Text("tid"),
            ],  # spans: Rich's own path
        ]
        for cells in rows:
            assert _cells_by_char(table._render_cells(cells)) == _rich(table, cells)


async def test_lazy_rows_are_made_when_drawn() -> None:
    app = _App()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(PagedTable)
        table.configure(COLS, 40)
        made: list[int] = []

        def make(i: int) -> dict[str, Text]:
            made.append(i)
            return {"a": Text(" "), "b": Text(str(i)), "c": Text(f"række {i}"), "d": Text("")}

        table.fill_lazy([str(i) for i in range(100)], make)
        await pilot.pause()
        # Only the rows on screen (10 lines less the header) were formatted.
        assert 0 < len(set(made)) <= 10 and max(made) < 10
        table.update_cell("50", "c", Text("ændret"))
        assert 50 in made and table._cells_of(50)[2].plain == "ændret"
        table.move_cursor(row=99)
        await pilot.pause()
        assert 99 in made and len(set(made)) < 30


async def test_configure_keeps_drawn_rows_unless_the_columns_change() -> None:
    """Screens configure on every resize: rows are drawn again only when a column's
    width changed (drawing a screenful of rows is most of a frame)."""
    app = _App()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(PagedTable)
        table.configure(COLS, 40)
        table.fill([(str(i), {"b": Text(str(i)), "c": Text(f"række {i}")}) for i in range(5)])
        await pilot.pause()
        assert table._lines  # drawn
        assert table.configure(COLS, 40) is False and table._lines
        table.configure(COLS, 60)  # the free column grows
        assert not table._lines
        await pilot.pause()
        assert table._lines and cell_len(table.render_line(1).text) == 40
        assert table._widths[2] == 60 - (1 + 6 + 5) - 2 * _PAD * 4 - 2
