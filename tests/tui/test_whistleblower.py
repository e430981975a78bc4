"""The whistleblower register's facts (issue 18): scope, forwarded, examined and outcome
edited from the register with keys, saved for the annual report, and audited."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from store.models import AuditLog, WhistleblowerFacts
from tests.tui.conftest import screen_text, wait_for, wait_shows
from tui.screens.whistleblower import FactsDialog, WhistleblowerScreen


async def _pick(pilot: Any, dialog: Any, wid: str, *moves: str) -> None:
    dialog.query_one(f"#{wid}").focus()
    await pilot.press("enter", *moves, "enter")
    await pilot.pause(0.05)


async def test_facts_edited_from_the_register_and_audited(world: Any, make_app: Any) -> None:
    app = make_app()
    wb = world.ids["wb"]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("5")
        await wait_for(
            pilot, lambda: isinstance(app.screen, WhistleblowerScreen) and app.screen.rows
        )
        assert "Oplysninger" in screen_text(app).splitlines()[-1]  # the key bar
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, FactsDialog))
        dialog = app.screen
        text = screen_text(app)
        assert "Oplysninger om WB-2026-01" in text and "Ikke vurderet" in text
        await _pick(pilot, dialog, "in_scope", "down")  # Ikke vurderet -> Ja
        await _pick(pilot, dialog, "examined", "up")  # Nej -> Ja
        await _pick(pilot, dialog, "outcome", "down", "down")  # Kritik
        await wait_for(pilot, lambda: dialog.value("outcome") == "criticism")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, WhistleblowerScreen))
        await wait_for(pilot, lambda: any("Gemt" in n.message for n in app._notifications))
        # Opened again, the dialog shows what was saved.
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, FactsDialog))
        await wait_shows(pilot, "Kritik")
        await pilot.press("escape")
    with Session(world.engine) as s:
        f = s.exec(select(WhistleblowerFacts).where(WhistleblowerFacts.case_id == wb)).one()
        assert (f.in_scope, f.forwarded, f.examined, f.outcome) == (True, False, True, "criticism")
        entries = s.exec(select(AuditLog).where(AuditLog.action == "set_whistleblower_facts")).all()
        assert [(e.entity, e.entity_id) for e in entries] == [("case", "WB-2026-01")]
        assert json.loads(entries[0].detail or "{}")["outcome"] == "criticism"
