"""Snapshots of every screen at 80×24 and 120×40, with a frozen clock and data made
through the real store API. Update with `uv run pytest tests/tui --snapshot-update` and
review the SVGs under __snapshots__/ before committing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.tui.conftest import case_shown, wait_for
from tui.screens.case_detail import CaseDetailScreen

SIZES = [(80, 24), (120, 40)]


def _loaded(app: Any) -> bool:
    s = app.screen
    if app.status is None:
        return False
    if isinstance(s, CaseDetailScreen):
        return case_shown(app)
    if hasattr(s, "view"):
        return s.view is not None
    return bool(getattr(s, "rows", None))


def go(*keys: str) -> Callable[[Any], Awaitable[None]]:
    async def run_before(pilot: Any) -> None:
        await wait_for(pilot, lambda: _loaded(pilot.app))
        for k in keys:
            await pilot.press(k)
            await wait_for(pilot, lambda: _loaded(pilot.app))
        await pilot.pause(0.1)
        pilot.app.screen.query_one("#status")  # every screen has the status bar

    return run_before


SCREENS = {
    "triage": go(),
    "cases": go("2"),
    "case": go("2", "down", "enter"),  # Hanne's case: a mail with an attachment
    "followups": go("3", "e"),
    "stats": go("4"),
    "whistleblower": go("5"),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(screen: str, size: tuple[int, int], make_app: Any, snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=SCREENS[screen])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "screen", ["triage", "cases", "case", "followups", "stats", "whistleblower"]
)
def test_screen_english(
    screen: str, size: tuple[int, int], make_app: Any, snap_compare: Any
) -> None:
    from tests.tui.conftest import make_config

    assert snap_compare(
        make_app(make_config(language="en")), terminal_size=size, run_before=SCREENS[screen]
    )


async def _compared(pilot: Any) -> None:
    """Statistik with "compare with the previous period" on: the change column."""
    await go("4")(pilot)
    await pilot.press("c")
    await wait_for(pilot, lambda: pilot.app.screen.comparison is not None)
    await pilot.pause(0.1)


def test_stats_compare(make_app: Any, snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_compared)


def test_no_color(make_app: Any, snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Status is spelled out (OVERSKREDET, snart, ok), so it reads without colour."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=go("3"))


def test_team_desk(world: Any, make_app: Any, snap_compare: Any) -> None:
    """A team desk (PostgreSQL; here SQLite made to act as one): the scope and assign
    keys lead the key bar, and the header counts my own work."""
    from store.audit import os_user
    from store.desk import Desk

    desk = Desk(world.engine, world.config)
    desk.assign_contact(world.ids["t0"], os_user())  # mine, waiting in triage
    desk.assign_case(world.ids["c2"], "anne")
    app = make_app()
    app.team = True
    assert snap_compare(app, terminal_size=(120, 40), run_before=go("2"))
