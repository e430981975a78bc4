"""The UI never waits for the database, and picks up changes made elsewhere."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from typing import Any

from store.contacts import add_contact
from store.db import make_engine, session_scope
from store.models import Alert, ContactCreate
from tests.tui.conftest import NOW, open_target, screen_text, wait_for
from tui.screens.cases import CasesScreen
from tui.screens.dialogs import HelpScreen
from tui.screens.stats import StatsScreen
from tui.screens.triage import TriageScreen


async def test_slow_query_does_not_delay_keys(world: Any) -> None:
    from store.desk import Desk
    from tui.app import DeskApp

    desk = Desk(world.engine, world.config, clock=lambda: NOW)
    release = threading.Event()
    fast = desk.triage

    def slow_triage(*a: Any, **k: Any) -> Any:
        release.wait(10)  # a query stuck behind a long write lock, say
        return fast(*a, **k)

    desk.triage = slow_triage  # type: ignore[method-assign]
    app = DeskApp(desk, poll_seconds=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        await pilot.pause(0.2)
        assert not app.screen.rows
        t0 = time.monotonic()
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), timeout=3)
        await pilot.press("escape", "2")
        await wait_for(
            pilot, lambda: isinstance(app.screen, CasesScreen) and app.screen.rows, timeout=3
        )
        elapsed = time.monotonic() - t0
        assert elapsed < 3, elapsed  # the slow query still holds its worker thread
        assert not release.is_set()
        release.set()
        await pilot.press("1")
        await wait_for(pilot, lambda: bool(app.screen.rows))


async def test_stats_update_live_within_two_seconds(world: Any, make_app: Any) -> None:
    from tui.app import POLL_SECONDS

    app = make_app(poll=POLL_SECONDS)  # the product's default probe interval
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_for(
            pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.view is not None
        )
        screen = app.screen
        before = screen.view.tables[1].total
        # Another process (the daemon) stores a contact on Hanne's case.
        other = make_engine(world.url)
        with session_scope(other) as s:
            add_contact(
                session=s,
                contact_in=ContactCreate(
                    channel="phone",
                    direction="in",
                    occurred_at=NOW - dt.timedelta(hours=1),
                    counterpart="+4540112233",
                    case_id=world.ids["c1"],
                    source_ref="call:live",
                ),
            )
        other.dispose()
        t0 = time.monotonic()
        await wait_for(pilot, lambda: screen.view.tables[1].total == before + 1, timeout=4)
        assert time.monotonic() - t0 <= 2.0
        # Keys still answer while it polls.
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.view.start.year == 2027)


async def test_header_shows_sources_and_alerts_and_notifies_new_ones(
    world: Any, make_app: Any
) -> None:
    app = make_app(poll=0.2)
    # Wide enough for a team desk's header too (on PostgreSQL her own counts come first).
    async with app.run_test(size=(170, 40)) as pilot:
        await wait_for(pilot, lambda: app.status is not None)
        await pilot.pause(0.1)
        top = screen_text(app).splitlines()[0]
        assert "Advarsler: 1" in top
        assert "raadgiver/INBOX OK 10/03 10:55" in top  # 09:55 UTC, shown in Copenhagen
        assert "phone-inbox FEJL ×2" in top
        other = make_engine(world.url)
        with session_scope(other) as s:
            s.add(
                Alert(
                    kind="overdue",
                    dedupe_key="live",
                    target_id=open_target(s, world.ids["call"]),
                    payload=json.dumps({"case": "2026-0002", "due": "2026-03-10T12:00"}),
                )
            )
        other.dispose()
        await wait_for(pilot, lambda: any("Ny advarsel" in n.message for n in app._notifications))
        await wait_for(pilot, lambda: "Advarsler: 2" in screen_text(app).splitlines()[0])
        # The seeded alert existed before start: it is counted, not re-announced.
        assert sum("Ny advarsel" in n.message for n in app._notifications) == 1
