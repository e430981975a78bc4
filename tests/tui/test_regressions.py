"""Defects found by QA on the desk's screens, each pinned by a test that failed before
its fix: the cursor after an action, dialog dropdowns, Danish text, NO_COLOR, dates."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tui.conftest import screen_text, wait_for
from tui.screens.dialogs import NewCaseDialog
from tui.screens.followups import FollowupsScreen
from tui.screens.triage import TriageScreen


async def _triage_ready(pilot: Any) -> TriageScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
    return app.screen  # type: ignore[no-any-return]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_new_case_dropdowns_show_their_options(make_app: Any, size: tuple[int, int]
                                                     ) -> None:
    """The dialog's list style (height: 1fr) once matched the Select's overlay too (an
    OptionList): the dropdown opened with no room, and down+enter picked an unseen value."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _triage_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseDialog))
        dialog = app.screen
        dialog.query_one("#department").focus()
        await pilot.press("enter")
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Børn, Unge og Familier" in text and "Erhverv, Teknik og Kultur" in text
        await pilot.press("escape")
        dialog.query_one("#category").focus()
        await pilot.press("enter")
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Vejledning" in text and "Klage" in text
