"""Statistik (issue 18): the change against the previous period shown per row on a key,
and the annual report of the screen's period written through a file-name dialog."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.tui.conftest import screen_text, wait_for, wait_shows
from tui.screens.dialogs import HelpScreen, TextPrompt
from tui.screens.stats import StatsScreen


async def _stats_ready(pilot: Any) -> StatsScreen:
    app = pilot.app
    await pilot.press("4")
    await wait_for(
        pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.view is not None
    )
    return app.screen  # type: ignore[no-any-return]


async def test_compare_toggles_a_change_column_per_row(world: Any, make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 60)) as pilot:
        screen = await _stats_ready(pilot)
        assert "Ændring" not in screen_text(app)
        assert "Sammenlign" in screen_text(app).splitlines()[-1]  # the key bar
        await pilot.press("c")
        await wait_for(pilot, lambda: screen.comparison is not None)
        await pilot.pause(0.1)
        text = screen_text(app)
        comp = app.desk.compare_counts(None, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        assert (comp.previous_start, comp.previous_end) == (
            dt.date(2025, 1, 1),
            dt.date(2025, 12, 31),
        )
        assert "Ændring" in text and "forrige periode" in text
        total = comp.tables[0].rows[-1]
        assert total.label == "Sum" and total.previous == 0 and total.current > 0
        # 2025 is empty: every row's change is its whole count, with no percentage.
        assert total.change_text == f"+{total.current}"
        sum_line = next(line for line in text.splitlines() if line.strip().startswith("Sum"))
        assert sum_line.split()[-1] == f"+{total.current}"
        await pilot.press("c")
        await wait_for(pilot, lambda: screen.comparison is None)
        await pilot.pause(0.1)
        assert "Ændring" not in screen_text(app)


async def test_annual_report_written_for_the_period(
    world: Any, make_app: Any, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _stats_ready(pilot)
        # A wrong ending is refused in Danish, and nothing is written.
        bad = tmp_path / "rapport.txt"
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
        await wait_shows(pilot, "Årsrapport til fil (.docx eller .html)")
        app.screen.query_one("#prompt").value = str(bad)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: any(
                "filnavnet skal ende på en af: .docx, .html" in n.message
                for n in app._notifications
            ),
        )
        assert not bad.exists() and not list(tmp_path.glob("rapport*"))
        out = tmp_path / "rapport.html"
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
        app.screen.query_one("#prompt").value = str(out)
        await pilot.press("enter")
        await wait_for(pilot, lambda: out.exists(), timeout=15)
        await wait_for(pilot, lambda: any(str(out) in n.message for n in app._notifications))
    html = out.read_text("utf-8")
    assert "2026" in html and "<html" in html.lower()
    assert oct(out.stat().st_mode & 0o777) == "0o600"


async def test_help_lists_compare_and_annual_report(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _stats_ready(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Sammenlign – Vis/skjul ændringen mod forrige periode" in text
        assert "Årsrapport – Gem årsrapporten for perioden som .docx eller .html" in text


async def test_compare_names_rows_counted_only_in_the_previous_period(
    world: Any, make_app: Any
) -> None:
    """A row that drops to nothing (here the unclassified case, counted in 2026 only) is
    not in the current table: the screen names it with its change."""
    from store.cases import create_case
    from store.db import session_scope
    from store.models import CaseCreate
    from tests.tui.conftest import _mail

    with session_scope(world.engine) as s:
        case = create_case(
            session=s,
            case_in=CaseCreate(
                ref="2026-0009", title="Uklassificeret", opened_on=dt.date(2026, 3, 9)
            ),
        )
        _mail(
            s,
            world.config,
            at=dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC),
            sender="u@example.dk",
            subject="Hej",
            body="…",
            ref="u1",
            case_id=case.id,
        )
    app = make_app()
    async with app.run_test(size=(120, 80)) as pilot:
        screen = await _stats_ready(pilot)
        await pilot.press("right_square_bracket")  # 2027, against 2026
        await wait_for(
            pilot, lambda: screen.view is not None and screen.view.start == dt.date(2027, 1, 1)
        )
        await pilot.press("c")
        await wait_for(pilot, lambda: screen.comparison is not None)
        await pilot.pause(0.1)
        text = " ".join(screen_text(app).split())
        assert "Kun i forrige periode: Uden kategori –1 (–100 %)" in text
