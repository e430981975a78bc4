"""The UI's own plumbing: a database that goes away is said, not a silent freeze; the
whistleblower register's audited reads do not make it reload itself; one write gives
one refresh."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from store.db import session_scope
from store.models import AuditLog
from tests.tui.conftest import case_shown, screen_text, wait_for, wait_shows
from tui.screens.triage import TriageScreen
from tui.screens.whistleblower import WhistleblowerScreen


def _db_path(world: Any) -> Path:
    return Path(world.url.removeprefix("sqlite:///"))


async def test_a_database_that_goes_away_shows_in_the_header(world: Any, make_app: Any) -> None:
    app = make_app()
    path = _db_path(world)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, TriageScreen) and app.screen.rows and app.status is not None
            ),
        )
        app.desk.engine.dispose()
        path.rename(path.with_suffix(".away"))
        os.mkdir(path)  # the file is gone: no connection can be opened
        try:
            app.probe()
            await wait_for(pilot, lambda: app.problem is not None)
            await wait_shows(pilot, "DATABASEN SVARER IKKE")
            assert any("databasen svarer ikke" in n.message for n in app._notifications)
            # A screen's own load fails the same way, and the screen does not wait on.
            await pilot.press("2")
            await wait_for(pilot, lambda: not app.screen.load_pending)
            assert app.is_running
        finally:
            os.rmdir(path)
            path.with_suffix(".away").rename(path)
        app.probe()
        await wait_for(pilot, lambda: app.problem is None)
        await pilot.pause(0.1)
        assert "DATABASEN SVARER IKKE" not in screen_text(app)
        assert any("Databasen svarer igen" in n.message for n in app._notifications)


def _views(world: Any) -> int:
    with session_scope(world.engine) as s:
        return int(
            s.execute(
                select(func.count()).select_from(AuditLog).where(AuditLog.action == "view")
            ).scalar_one()
        )


async def test_whistleblower_register_idle_with_polling_on(world: Any, make_app: Any) -> None:
    """Reading the register is audited; that row once changed the data version, so each
    poll reloaded the screen, which wrote another row (10 rows in 5 s, idle)."""
    import time

    app = make_app(poll=0.1)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("5")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, WhistleblowerScreen)
                and app.screen.rows
                and app.screen.data_version is not None
            ),
        )
        await pilot.pause(0.3)
        before = _views(world)
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            await pilot.pause(0.1)
        assert _views(world) == before


async def test_one_write_one_refresh(world: Any, make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("2", "down", "enter")
        await wait_for(
            pilot,
            lambda: case_shown(app),
        )
        await pilot.pause(0.3)
        screen = app.screen
        calls: list[str] = []
        for name in ("case", "version", "status", "cases"):
            real = getattr(app.desk, name)

            def spy(*a: Any, _real: Any = real, _name: str = name, **k: Any) -> Any:
                calls.append(_name)
                return _real(*a, **k)

            setattr(app.desk, name, spy)
        was = screen.detail.wanted_to_complain
        await pilot.press("w")
        await wait_for(pilot, lambda: screen.detail.wanted_to_complain is not was)
        await pilot.pause(0.5)
        assert calls.count("case") == 1, calls
        assert calls.count("cases") == 0, calls  # the list under it reloads when shown
        assert calls.count("status") == 1, calls  # one probe
