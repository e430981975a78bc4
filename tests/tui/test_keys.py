"""Keys a person can find: the key bar never hides keys silently, Enter in a dropdown
moves on, an empty reason says why nothing happened, and `?` help leads with the
screen's own keys and explains the marks."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from store.models import Contact
from tests.tui.conftest import make_config, screen_text, wait_for
from tui.screens.dialogs import HelpScreen, TextPrompt
from tui.screens.forms import NewCaseDialog
from tui.screens.triage import TriageScreen
from tui.widgets.keybar import KeyBar


async def _triage(pilot: Any) -> TriageScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
    await pilot.pause(0.05)
    return app.screen  # type: ignore[no-any-return]


def _bar(app: Any) -> str:
    return " ".join(str(app.screen.query_one(KeyBar).render()).split())


@pytest.mark.parametrize("language", ["da", "en"])
async def test_key_bar_too_narrow_ends_in_help(make_app: Any, language: str) -> None:
    app = make_app(make_config(language=language))
    help_word = "? Hjælp" if language == "da" else "? Help"
    async with app.run_test(size=(80, 24)) as pilot:
        await _triage(pilot)
        bar = _bar(app)
        assert bar.endswith(help_word), bar
        assert "…" in bar, bar
        assert len(bar) <= 80
    app = make_app(make_config(language=language))
    async with app.run_test(size=(220, 24)) as pilot:
        await _triage(pilot)
        bar = _bar(app)
        assert "…" not in bar, bar
        for word in (
            ("Tilknyt", "Ny sag", "Ikke en sag", "Notér kvittering")
            if language == "da"
            else ("Link", "New case")
        ):
            assert word in bar, bar


async def test_enter_in_a_dropdown_moves_to_the_next_field(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _triage(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseDialog))
        dialog = app.screen
        dialog.query_one("#department").focus()
        await pilot.press("enter", "down", "enter")
        await wait_for(pilot, lambda: dialog.focused is dialog.query_one("#category"))
        assert dialog.query_one("#department").value is not None


async def test_an_empty_reason_says_why_nothing_happened(world: Any, make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _triage(pilot)
        cid = screen.current().contact_id  # type: ignore[union-attr]
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, TextPrompt)  # still open
        assert "Skriv en begrundelse" in screen_text(app)
        await pilot.press("escape")
    with world.engine.connect() as c:
        assert not c.execute(select(Contact.dismissed).where(Contact.id == cid)).scalar_one()


@pytest.mark.parametrize("wb", [True, False], ids=["wb-on", "wb-off"])
async def test_help_leads_with_the_screens_keys_and_explains_marks(make_app: Any, wb: bool) -> None:
    app = make_app(make_config(wb=wb))
    async with app.run_test(size=(120, 60)) as pilot:
        await _triage(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = [desc for _k, desc, _tip in app.screen.rows]
        assert rows.index("Tilknyt") < rows.index(
            "Gå til Indbakke" if "Gå til Indbakke" in rows else "Søg"
        )
        await pilot.pause(0.1)
        text = str(app.screen.query_one("#help").content)  # all of it, scrolled or not
        for mark in ("✓!", "‼", "✉→ ☎→", "arbejdstimer"):
            assert mark in text, mark
        assert ("Whistleblower" in text) is wb


async def test_a_dropdown_stops_at_its_last_value(make_app: Any) -> None:
    """Down on the last category stays there; it used to wrap, unseen, to "(ingen)"."""
    from tests.tui.test_flows import _open_case
    from tui.screens.forms import ClassifyDialog

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_case(pilot, "2026-0001")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ClassifyDialog))
        dialog = app.screen
        last = list(app.desk.config.taxonomy.categories)[-1]
        await pilot.press("enter", "end", "down", "down", "enter")
        await wait_for(pilot, lambda: dialog.query_one("#category").value == last)
