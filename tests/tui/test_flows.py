"""Pilot tests of each screen's main flows, each checking its effect in the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlmodel import Session, select

from store.models import AuditLog, Case, CaseHistory, CaseNote, Contact, ReplyTarget
from tests.tui.conftest import NOW, case_shown, screen_text, wait_for, wait_shows
from tui.screens.case_detail import CaseDetailScreen
from tui.screens.cases import CasesScreen
from tui.screens.dialogs import LinkCaseDialog
from tui.screens.followups import FollowupsScreen
from tui.screens.forms import AckDialog, ChoiceDialog, ClassifyDialog, NewCaseDialog
from tui.screens.stats import StatsScreen
from tui.screens.triage import TriageScreen


def _contact(world: Any, cid: int) -> Contact:
    with Session(world.engine) as s:
        c = s.get(Contact, cid)
        assert c is not None
        return c


async def _triage_ready(pilot: Any) -> TriageScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
    return app.screen  # type: ignore[no-any-return]


async def _cursor_to(pilot: Any, screen: TriageScreen, contact_id: int) -> None:
    idx = next(i for i, r in enumerate(screen.rows) if r.contact_id == contact_id)
    for _ in range(idx):
        await pilot.press("j")
    assert screen.current() is not None and screen.current().contact_id == contact_id


async def test_link_from_triage_with_fuzzy_search(world: Any, make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _triage_ready(pilot)
        target = world.ids["m_new"]
        await _cursor_to(pilot, screen, target)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LinkCaseDialog))
        await pilot.press(*"hansn bolig")  # a typo still finds Hanne Hansen's case
        dialog = app.screen
        await wait_for(
            pilot, lambda: [h.id for h in dialog._hits.values()][:1] == [world.ids["c1"]]
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: _contact(world, target).case_id == world.ids["c1"])
        await wait_for(pilot, lambda: all(r.contact_id != target for r in screen.rows))
        # The sender's address is new to Hanne: one key adds it (here: not now).
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await wait_shows(pilot, "ny.borger@example.dk")
        await pilot.press("escape")
    with Session(world.engine) as s:
        assert s.exec(
            select(AuditLog).where(AuditLog.action == "link", AuditLog.entity_id == str(target))
        ).first()


async def test_batch_link_with_space(world: Any, make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _triage_ready(pilot)
        first, second = screen.rows[0].contact_id, screen.rows[1].contact_id
        await pilot.press("space", "space")  # select two rows (the cursor moves on)
        assert screen.selected == {first, second}
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LinkCaseDialog))
        await pilot.press(*"2026-0002")
        dialog = app.screen
        await wait_for(
            pilot, lambda: [h.id for h in dialog._hits.values()][:1] == [world.ids["c2"]]
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: _contact(world, second).case_id == world.ids["c2"])
        assert _contact(world, first).case_id == world.ids["c2"]


async def test_new_case_prefilled_from_contact(world: Any, make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _triage_ready(pilot)
        target = world.ids["m_new"]
        await _cursor_to(pilot, screen, target)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseDialog))
        dialog = app.screen
        # The title is prefilled from the subject; type the party's name.
        assert dialog.query_one("#title").value == "Hjælp til klage over hjemmehjælp"
        await pilot.press(*"Karen Ny", "enter")  # enter moves on to the title
        await pilot.press("enter")  # ... to the opening date (the contact's day) ...
        assert dialog.query_one("#opened").value == "10-03-2026"
        await pilot.press("enter")  # ... and on to the department picker
        await pilot.press("enter", "down", "down", "enter")  # 2nd department (Erhverv...)
        # Enter on the choice moved on to the category picker.
        await wait_for(pilot, lambda: dialog.focused is dialog.query_one("#category"))
        await pilot.press("enter", "down", "down", "down", "enter")  # Klage
        await wait_for(pilot, lambda: dialog.query_one("#category").value == "Klage")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: _contact(world, target).case_id is not None)
    c = _contact(world, target)
    with Session(world.engine) as s:
        case = s.get(Case, c.case_id)
        assert case is not None
        assert case.ref == "2026-0004"
        assert case.title == "Hjælp til klage over hjemmehjælp"
        assert case.department == "Erhverv, Teknik og Kultur"
        assert case.category == "Klage"
        assert case.opened_on == NOW.date()
        from store.models import Party, PartyEmail

        party = s.get(Party, case.party_id)
        assert party is not None and party.name == "Karen Ny"
        # The party is now reachable at the contact's address: its next mail auto-links.
        assert (
            s.exec(select(PartyEmail).where(PartyEmail.address == "ny.borger@example.dk"))
            .one()
            .party_id
            == party.id
        )


async def test_dismiss_needs_a_reason(world: Any, make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _triage_ready(pilot)
        target = screen.rows[0].contact_id
        await pilot.press("x")
        await pilot.press(*"reklame", "enter")
        await wait_for(pilot, lambda: _contact(world, target).dismissed)
    assert _contact(world, target).dismissed_reason == "reklame"


async def test_acknowledge_from_triage_meets_the_reply_target(world: Any, make_app: Any) -> None:
    target = world.ids["m_new"]
    with Session(world.engine) as s:
        assert (
            s.exec(select(ReplyTarget).where(ReplyTarget.contact_id == target)).one().state
            == "open"
        )
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _triage_ready(pilot)
        await _cursor_to(pilot, screen, target)
        await pilot.press("a")  # the time (now) and a note can be given; enter takes them
        await wait_for(pilot, lambda: isinstance(app.screen, AckDialog))
        await pilot.press("enter")

        def met() -> bool:
            with Session(world.engine) as s:
                t = s.exec(select(ReplyTarget).where(ReplyTarget.contact_id == target)).one()
                return t.state == "met"

        await wait_for(pilot, met)


async def test_followups_ack_and_waive(world: Any, make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await wait_for(
            pilot, lambda: isinstance(app.screen, FollowupsScreen) and len(app.screen.rows) > 2
        )
        screen = app.screen
        rows = screen.rows
        # Earliest due first: overdue items stand on top.
        assert [r.due_at for r in rows] == sorted(r.due_at for r in rows)
        assert rows[0].status == "overdue"
        assert all(r.rule != "whistleblower-kvittering" for r in rows)
        first, second = rows[0].target_id, rows[1].target_id
        await pilot.press("e")
        # The explanation reads in the UI's language (Danish by default), not English.
        text = screen_text(app)
        assert "overskredet siden" in text and "arbejdstimer fra" in text
        assert "overdue since" not in text
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AckDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: all(r.target_id != first for r in screen.rows))
        cur = screen.current()
        assert cur is not None and cur.target_id == second
        await pilot.press("w", *"ringet op", "enter")
        await wait_for(pilot, lambda: all(r.target_id != second for r in screen.rows))
    with Session(world.engine) as s:
        assert s.get(ReplyTarget, first).state == "met"  # type: ignore[union-attr]
        t2 = s.get(ReplyTarget, second)
        assert t2 is not None and t2.state == "waived" and t2.waived_reason == "ringet op"


async def _open_case(pilot: Any, ref: str) -> CaseDetailScreen:
    app = pilot.app
    await pilot.press("2")
    await wait_for(pilot, lambda: isinstance(app.screen, CasesScreen) and app.screen.rows)
    screen = app.screen
    idx = next(i for i, r in enumerate(screen.rows) if r.ref == ref)
    for _ in range(idx):
        await pilot.press("down")
    await pilot.press("enter")
    await wait_for(pilot, lambda: case_shown(app))
    return app.screen  # type: ignore[no-any-return]


async def test_classify_keeps_history(world: Any, make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        detail = await _open_case(pilot, "2026-0001")
        assert detail.detail.category == "Vejledning"
        # c opens the one classification form on the category: enter opens its list,
        # "k" jumps to Klage, enter takes it, ctrl+s saves.
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ClassifyDialog))
        await pilot.press("enter", "k", "enter")
        await wait_for(pilot, lambda: app.screen.query_one("#category").value == "Klage")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: detail.detail is not None and detail.detail.category == "Klage"
        )
        assert "Klage" in screen_text(app)
    with Session(world.engine) as s:
        h = s.exec(select(CaseHistory).where(CaseHistory.case_id == world.ids["c1"])).all()
        assert len(h) == 1, h  # one entry for the one save
        assert "Klage" in (h[0].new_value or "")


async def test_manual_contact_in_five_keys_plus_text(world: Any, make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        detail = await _open_case(pilot, "2026-0001")
        before = detail.detail.timeline_total
        await pilot.press("m", "r")  # m: new contact, r: walk-in at the library
        await pilot.press(*"Spurgte til frist")
        await pilot.press("enter")
        await wait_for(pilot, lambda: detail.detail.timeline_total == before + 1)
    with Session(world.engine) as s:
        c = s.exec(select(Contact).where(Contact.summary == "Spurgte til frist")).one()
        assert (c.channel, c.direction, c.case_id) == ("meeting", "in", world.ids["c1"])
        assert c.source_ref is not None and c.source_ref.startswith("manual:walk_in:")
        assert c.occurred_at == NOW


async def test_note_close_reopen_complain_exclude(world: Any, make_app: Any) -> None:
    app = make_app()
    cid = world.ids["c2"]

    def case() -> Case:
        with Session(world.engine) as s:
            c = s.get(Case, cid)
            assert c is not None
            return c

    async with app.run_test(size=(100, 30)) as pilot:
        detail = await _open_case(pilot, "2026-0002")
        await pilot.press("n", *"ringede tilbage", "enter")
        await wait_for(pilot, lambda: len(detail.detail.notes) == 1)
        await pilot.press("s")
        await wait_for(pilot, lambda: case().closed_on == NOW.date())
        await wait_for(pilot, lambda: detail.detail.closed_on is not None)
        await pilot.press("s")
        await wait_for(pilot, lambda: case().closed_on is None)
        await pilot.press("w")
        await wait_for(pilot, lambda: case().wanted_to_complain)
        await pilot.press("e", *"kom ikke", "enter")
        await wait_for(pilot, lambda: case().excluded)
    assert case().excluded_reason == "kom ikke"
    with Session(world.engine) as s:
        assert (
            s.exec(select(CaseNote).where(CaseNote.case_id == cid)).one().text == "ringede tilbage"
        )
        fields = [h.field for h in s.exec(select(CaseHistory).where(CaseHistory.case_id == cid))]
        assert fields.count("closed_on") == 2 and "excluded" in fields


async def test_export_xlsx_and_csv(world: Any, make_app: Any, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_for(
            pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.view is not None
        )
        for name in ("t.xlsx", "t.csv"):
            await pilot.press("x")
            await pilot.pause(0.1)
            # The prompt holds a default path in the home folder; replace it.
            app.screen.query_one("Input").value = str(tmp_path / name)
            await pilot.press("enter")
            await wait_for(pilot, lambda n=name: (tmp_path / n).exists())
    ws = load_workbook(tmp_path / "t.xlsx")["Antal henvendere"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][0] == "Antal henvendere, 1. januar – 31. december 2026"
    # Linked, counted contacts in 2026: Hanne's mail (Social og Arbejdsmarked, Vejledning);
    # every category is a column, zeros as numbers.
    assert ["Social og Arbejdsmarked", 1, 0, 0, 1] in [r[:5] for r in rows]
    assert "Samlet antal henvendelser" in (tmp_path / "t.csv").read_text("utf-8")


async def test_whistleblower_kept_apart(world: Any, make_app: Any) -> None:
    from tests.tui.conftest import make_config
    from tui.screens.dialogs import SearchDialog
    from tui.screens.whistleblower import WhistleblowerScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, CasesScreen) and app.screen.rows)
        await pilot.press("o", "o")  # all cases
        await wait_for(pilot, lambda: len(app.screen.rows) == 3)
        assert all(r.kind != "whistleblower" for r in app.screen.rows)
        await pilot.press("slash", *"hemmelig")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchDialog))
        await pilot.pause(0.5)
        assert "Hemmelig" not in screen_text(app) and "WB-2026" not in screen_text(app)
        await pilot.press("escape", "5")
        await wait_for(
            pilot, lambda: isinstance(app.screen, WhistleblowerScreen) and app.screen.rows
        )
        assert [r.ref for r in app.screen.rows] == ["WB-2026-01"]
        assert app.screen.rows[0].ack_status is not None
    with Session(world.engine) as s:
        assert (
            s.exec(select(AuditLog).where(AuditLog.entity == "whistleblower_register")).first()
            is not None
        )
    # With the register off, the key does nothing but say so.
    app = make_app(make_config(wb=False))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("5")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, WhistleblowerScreen)


async def test_search_opens_a_case(world: Any, make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash", *"jens klage")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: case_shown(app),
        )
        assert app.screen.detail.ref == "2026-0002"
